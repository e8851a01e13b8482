// SPDX-License-Identifier: Apache-2.0
// Internal: just enough arithmetic mod p = 2^255 - 19 to turn a Montgomery u
// coordinate into an Edwards y for XEdDSA verification. It runs on public keys
// only, so it is NOT constant-time; never feed it secrets.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>

namespace sotto::crypto::detail {

// An element of GF(2^255 - 19) in five 51-bit limbs (limbs may carry a few
// extra bits between operations; fe_to_bytes fully reduces).
struct Fe {
  std::array<std::uint64_t, 5> v{};
};

Fe fe_from_bytes(std::span<const std::uint8_t, 32> s);  // ignores bit 255
std::array<std::uint8_t, 32> fe_to_bytes(const Fe& a);  // canonical, < p
Fe fe_add(const Fe& a, const Fe& b);
Fe fe_sub(const Fe& a, const Fe& b);
Fe fe_mul(const Fe& a, const Fe& b);
Fe fe_invert(const Fe& a);  // a^(p-2); maps 0 to 0

// True when the 32 little-endian bytes encode an integer below p (bit 255 set
// counts as >= p).
bool fe_bytes_canonical(std::span<const std::uint8_t, 32> s);

// y = (u - 1) / (u + 1), the birational map from Curve25519 to Ed25519.
// Returns nothing for a non-canonical u (u >= p) and for u = p - 1, where the
// map is undefined. The result is canonical with bit 255 clear.
std::optional<std::array<std::uint8_t, 32>> montgomery_u_to_edwards_y(
    std::span<const std::uint8_t, 32> u);

}  // namespace sotto::crypto::detail
