// SPDX-License-Identifier: Apache-2.0
// sotto-proto-c: the proto-driver contract on top of libsignal-protocol-c, so
// interop scenarios can pair our driver with an implementation none of us
// wrote. Test-only: it links the GPL library and is never shipped.
#include <exception>
#include <iostream>
#include <string>

#include "driver.hpp"

namespace {

bool is_blank(const std::string& line) {
  return line.find_first_not_of(" \t\r\n") == std::string::npos;
}

}  // namespace

int main() {
  try {
    std::ios::sync_with_stdio(false);
    sotto::peer_c::Driver driver;
    std::string line;
    while (std::getline(std::cin, line)) {
      if (is_blank(line)) continue;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      const auto response = driver.handle_line(line);
      // Flushed per line: harnesses talk to the driver interactively.
      std::cout << response.dump(-1, ' ', false, sotto::peer_c::Json::error_handler_t::replace)
                << '\n'
                << std::flush;
    }
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "sotto-proto-c: " << e.what() << '\n';
    return 1;
  }
}
