// SPDX-License-Identifier: Apache-2.0
#include "sotto/crypto/ct.hpp"

#include <sodium.h>

namespace sotto::crypto {

bool ct_equal(ByteView a, ByteView b) noexcept {
  // Lengths are public (MAC and key sizes are fixed by the protocol), so an
  // early return on a length mismatch leaks nothing secret.
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool ct_is_zero(ByteView a) noexcept {
  if (a.empty()) return true;
  return sodium_is_zero(a.data(), a.size()) == 1;
}

}  // namespace sotto::crypto
