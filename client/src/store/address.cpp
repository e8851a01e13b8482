// SPDX-License-Identifier: Apache-2.0
#include <algorithm>

#include "sotto/client/store.hpp"
#include "sotto/core/encoding.hpp"

namespace sotto::client {

std::string address_name(const AccountId& account) { return hex_encode(account); }

Result<AccountId> account_from_address_name(const std::string& name) {
  // Only the canonical spelling: two names for one account would give it two
  // identity rows and two sets of sessions.
  if (name.size() != 2 * AccountId{}.size()) {
    return fail(Errc::invalid_encoding, "an account address is 32 hex digits");
  }
  for (char c : name) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return fail(Errc::invalid_encoding, "an account address is lowercase hex");
    }
  }
  auto bytes = hex_decode(name);
  if (!bytes) return tl::unexpected(bytes.error());
  AccountId account{};
  std::copy(bytes->begin(), bytes->end(), account.begin());
  return account;
}

}  // namespace sotto::client
