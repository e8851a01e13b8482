// SPDX-License-Identifier: Apache-2.0
// Internal: precomputed odd multiples for the double-scalar multiplication of
// verification. Public data only.
//
// A split table cuts a scalar below 2^256 into kGeChunks chunks of
// kGeChunkBits bits, k = sum_j kj 2^(c j), so k P = sum_j kj (2^(c j) P):
// with odd multiples of every 2^(c j) P, all chunks share one run of c
// doublings instead of 256. The base point's split table is built once per
// process; a public key's only once it has been seen twice
// (ed25519_key_cache.hpp), since building it costs about two verifications.
#pragma once

#include <array>
#include <span>

#include "ed25519_point.hpp"

namespace sotto::crypto::detail {

inline constexpr int kGeChunks = 8;
inline constexpr int kGeChunkBits = 256 / kGeChunks;

// wNAF widths: digits up to +-(2^(w-1) - 1), so 2^(w-2) odd multiples per
// chunk. kSmallWindow is for a key seen once, without a split table.
inline constexpr int kKeyWindow = 6;
inline constexpr int kBaseWindow = 7;
inline constexpr int kSmallWindow = 5;
inline constexpr int kKeyOdd = 1 << (kKeyWindow - 2);      // 16
inline constexpr int kBaseOdd = 1 << (kBaseWindow - 2);    // 32
inline constexpr int kSmallOdd = 1 << (kSmallWindow - 2);  // 8

// odd[j][k] = (2k + 1) 2^(c j) P.
template <int kOdd>
struct GeSplitTable {
  std::array<std::array<GeAffine, kOdd>, kGeChunks> odd;
};
using GeKeyTable = GeSplitTable<kKeyOdd>;
using GeBaseTable = GeSplitTable<kBaseOdd>;

// odd[k] = (2k + 1) P, unnormalised (no inversion: for one-off use).
using GeSmallTable = std::array<GeCached, kSmallOdd>;

void ge_build_table(const GePoint3& p, GeKeyTable& out);
void ge_build_small_table(const GePoint3& p, GeSmallTable& out);

// The split table of the Ed25519 base point B (RFC 8032), built on first use.
const GeBaseTable& ge_base_table();

// B itself, decoded from its encoding (y = 4/5, x even).
GePoint3 ge_base_point();

}  // namespace sotto::crypto::detail
