// SPDX-License-Identifier: Apache-2.0
#include "sotto/server/username.hpp"

namespace sotto::server {

bool valid_username(std::string_view username) noexcept {
  if (username.size() < kMinUsernameLength || username.size() > kMaxUsernameLength) return false;
  for (char c : username) {
    // Upper case folds to lower case (storage::fold_username); nothing else is
    // admitted, so look-alike and invisible characters never reach the store.
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

}  // namespace sotto::server
