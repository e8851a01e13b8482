// SPDX-License-Identifier: Apache-2.0
#include "ed25519_scalar.hpp"

namespace sotto::crypto::detail {

namespace {

// L in little-endian bytes.
constexpr std::array<std::uint8_t, 32> kL = {
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10};

}  // namespace

bool sc_is_canonical(std::span<const std::uint8_t, 32> s) {
  for (int i = 31; i >= 0; --i) {
    if (s[i] != kL[i]) return s[i] < kL[i];
  }
  return false;  // s == L
}

void sc_wnaf(std::span<const std::uint8_t, 32> s, int w, Wnaf& digits) {
  // Five words so that a window starting near bit 255 reads zeros above it.
  std::uint64_t words[5] = {};
  for (int i = 0; i < 32; ++i) words[i / 8] |= std::uint64_t{s[i]} << (8 * (i % 8));
  const auto window_at = [&](int bit) {
    const int word = bit / 64, shift = bit % 64;
    std::uint64_t v = words[word] >> shift;
    if (shift != 0) v |= words[word + 1] << (64 - shift);
    return v;
  };

  digits.fill(0);
  const std::uint64_t width = std::uint64_t{1} << w;
  const std::uint64_t mask = width - 1;
  // Scans upwards; `carry` is the 1 borrowed from above when the last digit
  // was made negative (digit = window - 2^w).
  std::uint64_t carry = 0;
  for (int i = 0; i < 256;) {
    const std::uint64_t bit = ((window_at(i) & 1) + carry) & 1;
    if (bit == 0) {
      // Bit (plus carry) is even: a zero digit, and a carry of 1 survives
      // only if it met a set bit (1 + 1 = 10b).
      carry = (window_at(i) & 1) & carry;
      ++i;
      continue;
    }
    const std::uint64_t value = ((window_at(i) & mask) + carry) & mask;  // odd, < 2^w
    if (value > width / 2) {
      digits[i] = static_cast<std::int8_t>(static_cast<std::int64_t>(value) -
                                           static_cast<std::int64_t>(width));
      carry = 1;
    } else {
      digits[i] = static_cast<std::int8_t>(value);
      carry = 0;
    }
    i += w;
  }
}

}  // namespace sotto::crypto::detail
