// SPDX-License-Identifier: Apache-2.0
// sotto-proto: the protocol library as a black box over JSON lines on stdin/stdout.
#include <iostream>
#include <string>

#include "driver.hpp"

int main() {
  std::ios::sync_with_stdio(false);
  sotto::proto_driver::Driver driver;
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto request = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    auto response = driver.handle(request);
    std::cout << response.dump() << '\n' << std::flush;
  }
  return 0;
}
