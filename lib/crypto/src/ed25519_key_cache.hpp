// SPDX-License-Identifier: Apache-2.0
// Internal: a small per-thread cache of decoded public keys and their split
// tables for verification. A sender-key chain signs every group message with
// the same key, so its verifier decodes A and builds A's table (together
// about two verifications' worth of work) once per chain instead of paying
// the decoding on every message. A key seen once gets no table: that would
// cost more than it saves for one-off keys (prekey bundles). Keys and tables
// are public data; entries are keyed by the 32-byte encoded key and replaced
// least-recently-used first.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "ed25519_tables.hpp"

namespace sotto::crypto::detail {

inline constexpr std::size_t kKeyCacheEntries = 4;

struct GeCachedKey {
  const GePoint3* point = nullptr;    // null: the key is on no point
  const GeKeyTable* table = nullptr;  // null until the key is seen again
};

// The decoding (and, from the second use on, the split table) of `key`, whose
// y must already be checked canonical. Valid until the calling thread's next
// call.
GeCachedKey ge_cached_key(std::span<const std::uint8_t, 32> key);

}  // namespace sotto::crypto::detail
