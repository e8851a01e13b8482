// SPDX-License-Identifier: Apache-2.0
#include "util.hpp"

#include <chrono>

namespace sotto::client::store {

std::uint64_t now_ms() {
  auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch).count());
}

std::string fold_username(std::string_view username) {
  std::string folded(username);
  for (char& c : folded) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return folded;
}

Error corrupt(std::string_view what, const Error& cause) {
  std::string message = "corrupt ";
  message += what;
  message += " in the client database: ";
  message += cause.message;
  return Error{Errc::internal, std::move(message)};
}

}  // namespace sotto::client::store
