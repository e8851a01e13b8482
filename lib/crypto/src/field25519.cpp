// SPDX-License-Identifier: Apache-2.0
#include "field25519.hpp"

namespace sotto::crypto::detail {

namespace {

using fe_internal::kMask51;

std::uint64_t load64_le(const std::uint8_t* p) {
  std::uint64_t r = 0;
  for (int i = 7; i >= 0; --i) r = (r << 8) | p[i];
  return r;
}

// One carry pass: every limb but the first ends below 2^51; the top carry wraps
// round as 2^255 = 19 (mod p).
void carry(std::array<std::uint64_t, 5>& h) {
  for (int i = 0; i < 4; ++i) {
    h[i + 1] += h[i] >> 51;
    h[i] &= kMask51;
  }
  h[0] += 19 * (h[4] >> 51);
  h[4] &= kMask51;
}

Fe fe_square_n(Fe a, int n) {
  for (int i = 0; i < n; ++i) a = fe_sq(a);
  return a;
}

// z^(2^250 - 1) and z^11, the common prefix of inversion and square root
// (the usual chain of squarings and 11 multiplications).
struct PowPrefix {
  Fe z11;
  Fe z_250_0;
};

PowPrefix pow_prefix(const Fe& z) {
  const Fe z2 = fe_sq(z);
  const Fe z9 = fe_mul(fe_square_n(z2, 2), z);
  const Fe z11 = fe_mul(z9, z2);
  const Fe z_5_0 = fe_mul(fe_sq(z11), z9);                     // 2^5 - 1
  const Fe z_10_0 = fe_mul(fe_square_n(z_5_0, 5), z_5_0);      // 2^10 - 1
  const Fe z_20_0 = fe_mul(fe_square_n(z_10_0, 10), z_10_0);   // 2^20 - 1
  const Fe z_40_0 = fe_mul(fe_square_n(z_20_0, 20), z_20_0);   // 2^40 - 1
  const Fe z_50_0 = fe_mul(fe_square_n(z_40_0, 10), z_10_0);   // 2^50 - 1
  const Fe z_100_0 = fe_mul(fe_square_n(z_50_0, 50), z_50_0);  // 2^100 - 1
  const Fe z_200_0 = fe_mul(fe_square_n(z_100_0, 100), z_100_0);
  return {z11, fe_mul(fe_square_n(z_200_0, 50), z_50_0)};  // 2^250 - 1
}

}  // namespace

Fe fe_from_bytes(std::span<const std::uint8_t, 32> s) {
  const std::uint64_t w0 = load64_le(s.data());
  const std::uint64_t w1 = load64_le(s.data() + 8);
  const std::uint64_t w2 = load64_le(s.data() + 16);
  const std::uint64_t w3 = load64_le(s.data() + 24);
  Fe r;
  r.v[0] = w0 & kMask51;
  r.v[1] = ((w0 >> 51) | (w1 << 13)) & kMask51;
  r.v[2] = ((w1 >> 38) | (w2 << 26)) & kMask51;
  r.v[3] = ((w2 >> 25) | (w3 << 39)) & kMask51;
  r.v[4] = (w3 >> 12) & kMask51;  // drops bit 255
  return r;
}

std::array<std::uint8_t, 32> fe_to_bytes(const Fe& a) {
  std::array<std::uint64_t, 5> h = fe_carry(a).v;
  carry(h);
  // Now every limb is below 2^51, so h < 2^255 < 2p. h >= p exactly when
  // h + 19 overflows 2^255; q is that overflow bit.
  std::uint64_t q = (h[0] + 19) >> 51;
  for (int i = 1; i < 5; ++i) q = (h[i] + q) >> 51;
  h[0] += 19 * q;
  for (int i = 0; i < 4; ++i) {
    h[i + 1] += h[i] >> 51;
    h[i] &= kMask51;
  }
  h[4] &= kMask51;  // subtracts the 2^255 that q accounted for

  const std::uint64_t w[4] = {h[0] | (h[1] << 51), (h[1] >> 13) | (h[2] << 38),
                              (h[2] >> 26) | (h[3] << 25), (h[3] >> 39) | (h[4] << 12)};
  std::array<std::uint8_t, 32> out{};
  for (int i = 0; i < 4; ++i) {
    for (int j = 0; j < 8; ++j) out[8 * i + j] = static_cast<std::uint8_t>(w[i] >> (8 * j));
  }
  return out;
}

Fe fe_invert(const Fe& z) {
  // Fermat: z^(p-2) = z^(2^255 - 21).
  const PowPrefix pre = pow_prefix(z);
  return fe_mul(fe_square_n(pre.z_250_0, 5), pre.z11);
}

Fe fe_pow22523(const Fe& z) {
  // (p - 5) / 8 = 2^252 - 3.
  const PowPrefix pre = pow_prefix(z);
  return fe_mul(fe_square_n(pre.z_250_0, 2), z);
}

bool fe_is_zero(const Fe& a) { return fe_to_bytes(a) == std::array<std::uint8_t, 32>{}; }

bool fe_is_negative(const Fe& a) { return (fe_to_bytes(a)[0] & 1) != 0; }

bool fe_bytes_canonical(std::span<const std::uint8_t, 32> s) {
  // p = 0x7fff...ffed; compare from the most significant byte down.
  if (s[31] != 0x7f) return s[31] < 0x7f;
  for (int i = 30; i >= 1; --i) {
    if (s[i] != 0xff) return true;
  }
  return s[0] < 0xed;
}

std::optional<std::array<std::uint8_t, 32>> montgomery_u_to_edwards_y(
    std::span<const std::uint8_t, 32> u) {
  if (!fe_bytes_canonical(u)) return std::nullopt;
  const Fe fu = fe_from_bytes(u);
  Fe one;
  one.v[0] = 1;
  const Fe denominator = fe_add(fu, one);
  if (fe_to_bytes(denominator) == std::array<std::uint8_t, 32>{}) return std::nullopt;  // u = -1
  return fe_to_bytes(fe_mul(fe_sub(fu, one), fe_invert_vartime(denominator)));
}

}  // namespace sotto::crypto::detail
