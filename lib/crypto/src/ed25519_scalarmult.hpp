// SPDX-License-Identifier: Apache-2.0
// Internal: the variable-time double-scalar multiplication s B - h A of
// Ed25519 verification (Straus' method over wNAF digits). Public data only.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "ed25519_point.hpp"
#include "ed25519_tables.hpp"

namespace sotto::crypto::detail {

// s B - h A for scalars s, h below 2^255, with A's split table: all chunks
// of both scalars share kGeChunkBits doublings.
GePoint2 ge_double_scalarmult_vartime(std::span<const std::uint8_t, 32> s,
                                      std::span<const std::uint8_t, 32> h, const GeKeyTable& a);

// The same for a key without a split table (seen once): 256 doublings, with
// B's first-chunk row and a small table of A.
GePoint2 ge_double_scalarmult_vartime(std::span<const std::uint8_t, 32> s,
                                      std::span<const std::uint8_t, 32> h, const GePoint3& a);

}  // namespace sotto::crypto::detail
