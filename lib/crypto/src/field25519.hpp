// SPDX-License-Identifier: Apache-2.0
// Internal: arithmetic mod p = 2^255 - 19 for Ed25519/XEdDSA verification and
// the Montgomery u -> Edwards y map. Everything here runs on public data only
// (keys, signatures) and is NOT constant-time; never feed it secrets.
//
// Elements are five 51-bit limbs, value = sum v[i] * 2^(51 i), and are kept only
// partly reduced. The limb bounds that keep every operation exact:
//   - fe_mul / fe_sq accept limbs below 2^56 and return "tight" limbs, below
//     2^51 + 2^21;
//   - fe_add does no carrying: the result's limbs are the sums;
//   - fe_sub(a, b) returns a + 8p - b limb by limb, so b's limbs must stay
//     below 2^54 - 152 and the result's limbs are below a's + 2^54;
//   - fe_to_bytes accepts anything within the fe_mul bound.
// The point formulas in ed25519_point.hpp are written so every input to a
// multiplication stays within the bound (see the comments there).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>

namespace sotto::crypto::detail {

struct Fe {
  std::array<std::uint64_t, 5> v{};
};

// The hot operations are always inlined: the point formulas chain dozens of
// them, and a call per product costs about a fifth of the run time.
#define SOTTO_FE_INLINE [[gnu::always_inline]] inline

namespace fe_internal {
__extension__ typedef unsigned __int128 U128;  // GCC/Clang; __extension__ for -Wpedantic
inline constexpr std::uint64_t kMask51 = (std::uint64_t{1} << 51) - 1;

SOTTO_FE_INLINE U128 m(std::uint64_t a, std::uint64_t b) { return static_cast<U128>(a) * b; }

// Carries five 128-bit column sums into tight limbs. Carries stay 128-bit, so
// columns up to 2^120 are fine; the top carry wraps round as 2^255 = 19.
SOTTO_FE_INLINE Fe carry_wide(U128 r0, U128 r1, U128 r2, U128 r3, U128 r4) {
  r1 += r0 >> 51;
  r2 += r1 >> 51;
  r3 += r2 >> 51;
  r4 += r3 >> 51;
  const U128 low0 = static_cast<U128>(static_cast<std::uint64_t>(r0) & kMask51) + (r4 >> 51) * 19;
  Fe r;
  r.v[0] = static_cast<std::uint64_t>(low0) & kMask51;
  r.v[1] = (static_cast<std::uint64_t>(r1) & kMask51) + static_cast<std::uint64_t>(low0 >> 51);
  r.v[2] = static_cast<std::uint64_t>(r2) & kMask51;
  r.v[3] = static_cast<std::uint64_t>(r3) & kMask51;
  r.v[4] = static_cast<std::uint64_t>(r4) & kMask51;
  return r;
}
}  // namespace fe_internal

SOTTO_FE_INLINE Fe fe_add(const Fe& a, const Fe& b) {
  Fe r;
  for (int i = 0; i < 5; ++i) r.v[i] = a.v[i] + b.v[i];
  return r;
}

SOTTO_FE_INLINE Fe fe_sub(const Fe& a, const Fe& b) {
  // 8p in limbs, so no limb underflows for any b within the documented bound.
  constexpr std::uint64_t k8p0 = 8 * ((std::uint64_t{1} << 51) - 19);
  constexpr std::uint64_t k8pi = 8 * ((std::uint64_t{1} << 51) - 1);
  Fe r;
  r.v[0] = a.v[0] + k8p0 - b.v[0];
  for (int i = 1; i < 5; ++i) r.v[i] = a.v[i] + k8pi - b.v[i];
  return r;
}

SOTTO_FE_INLINE Fe fe_neg(const Fe& a) { return fe_sub(Fe{}, a); }

SOTTO_FE_INLINE Fe fe_mul(const Fe& a, const Fe& b) {
  using fe_internal::m;
  const auto& x = a.v;
  const auto& y = b.v;
  // Products that land at 2^255 and above wrap round multiplied by 19.
  const std::uint64_t y1_19 = 19 * y[1], y2_19 = 19 * y[2], y3_19 = 19 * y[3], y4_19 = 19 * y[4];
  return fe_internal::carry_wide(
      m(x[0], y[0]) + m(x[1], y4_19) + m(x[2], y3_19) + m(x[3], y2_19) + m(x[4], y1_19),
      m(x[0], y[1]) + m(x[1], y[0]) + m(x[2], y4_19) + m(x[3], y3_19) + m(x[4], y2_19),
      m(x[0], y[2]) + m(x[1], y[1]) + m(x[2], y[0]) + m(x[3], y4_19) + m(x[4], y3_19),
      m(x[0], y[3]) + m(x[1], y[2]) + m(x[2], y[1]) + m(x[3], y[0]) + m(x[4], y4_19),
      m(x[0], y[4]) + m(x[1], y[3]) + m(x[2], y[2]) + m(x[3], y[1]) + m(x[4], y[0]));
}

SOTTO_FE_INLINE Fe fe_sq(const Fe& a) {
  using fe_internal::m;
  const auto& x = a.v;
  // Each cross product a_i a_j (i != j) appears twice; those at 2^255 and
  // above also wrap by 19, hence the factors 2, 19 and 38.
  const std::uint64_t x0_2 = 2 * x[0], x1_2 = 2 * x[1];
  const std::uint64_t x1_38 = 38 * x[1], x2_38 = 38 * x[2], x3_38 = 38 * x[3];
  const std::uint64_t x3_19 = 19 * x[3], x4_19 = 19 * x[4];
  return fe_internal::carry_wide(m(x[0], x[0]) + m(x1_38, x[4]) + m(x2_38, x[3]),
                                 m(x0_2, x[1]) + m(x2_38, x[4]) + m(x3_19, x[3]),
                                 m(x0_2, x[2]) + m(x[1], x[1]) + m(x3_38, x[4]),
                                 m(x0_2, x[3]) + m(x1_2, x[2]) + m(x4_19, x[4]),
                                 m(x0_2, x[4]) + m(x1_2, x[3]) + m(x[2], x[2]));
}

// Brings any in-bound element to tight limbs without multiplying.
SOTTO_FE_INLINE Fe fe_carry(const Fe& a) {
  return fe_internal::carry_wide(a.v[0], a.v[1], a.v[2], a.v[3], a.v[4]);
}

#undef SOTTO_FE_INLINE

// Constants (limbs computed from their definitions; field25519_test checks
// each against that definition).
inline constexpr Fe kFeOne{{1, 0, 0, 0, 0}};
// d = -121665 / 121666, the Edwards curve constant.
inline constexpr Fe kFeD{
    {0x34dca135978a3, 0x1a8283b156ebd, 0x5e7a26001c029, 0x739c663a03cbb, 0x52036cee2b6ff}};
inline constexpr Fe kFeD2{
    {0x69b9426b2f159, 0x35050762add7a, 0x3cf44c0038052, 0x6738cc7407977, 0x2406d9dc56dff}};
// sqrt(-1) = 2^((p - 1) / 4).
inline constexpr Fe kFeSqrtM1{
    {0x61b274a0ea0b0, 0x0d5a5fc8f189d, 0x7ef5e9cbd0c60, 0x78595a6804c9e, 0x2b8324804fc1d}};

Fe fe_from_bytes(std::span<const std::uint8_t, 32> s);  // ignores bit 255
std::array<std::uint8_t, 32> fe_to_bytes(const Fe& a);  // canonical, < p
Fe fe_invert(const Fe& a);                              // a^(p-2); maps 0 to 0
Fe fe_invert_vartime(const Fe& a);  // the same, several times faster (field25519_invert.cpp)
Fe fe_pow22523(const Fe& a);        // a^((p-5)/8), for square roots
bool fe_is_zero(const Fe& a);       // of the fully reduced value
bool fe_is_negative(const Fe& a);   // low bit of the fully reduced value

// True when the 32 little-endian bytes encode an integer below p (bit 255 set
// counts as >= p).
bool fe_bytes_canonical(std::span<const std::uint8_t, 32> s);

// y = (u - 1) / (u + 1), the birational map from Curve25519 to Ed25519.
// Returns nothing for a non-canonical u (u >= p) and for u = p - 1, where the
// map is undefined. The result is canonical with bit 255 clear.
std::optional<std::array<std::uint8_t, 32>> montgomery_u_to_edwards_y(
    std::span<const std::uint8_t, 32> u);

}  // namespace sotto::crypto::detail
