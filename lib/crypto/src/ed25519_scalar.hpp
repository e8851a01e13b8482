// SPDX-License-Identifier: Apache-2.0
// Internal: scalars mod L = 2^252 + 27742317777372353535851937790883648493 as
// verification needs them: the canonicity test and width-w NAF recoding.
// Public data only (variable time).
#pragma once

#include <array>
#include <cstdint>
#include <span>

namespace sotto::crypto::detail {

// True when the 32 little-endian bytes encode an integer below L.
bool sc_is_canonical(std::span<const std::uint8_t, 32> s);

// Width-w NAF of s (which must be below 2^255): s = sum digits[i] 2^i, every
// nonzero digit odd with |digit| < 2^(w-1), and at least w - 1 zeros after
// each nonzero one. 2 <= w <= 8.
using Wnaf = std::array<std::int8_t, 256>;
void sc_wnaf(std::span<const std::uint8_t, 32> s, int w, Wnaf& digits);

}  // namespace sotto::crypto::detail
