// SPDX-License-Identifier: Apache-2.0
#include "field25519.hpp"

namespace sotto::crypto::detail {

namespace {

__extension__ typedef unsigned __int128 U128;  // GCC/Clang; __extension__ for -Wpedantic

constexpr std::uint64_t kMask51 = (std::uint64_t{1} << 51) - 1;

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
  for (int i = 0; i < n; ++i) a = fe_mul(a, a);
  return a;
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
  std::array<std::uint64_t, 5> h = a.v;
  carry(h);
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

Fe fe_add(const Fe& a, const Fe& b) {
  Fe r;
  for (int i = 0; i < 5; ++i) r.v[i] = a.v[i] + b.v[i];
  carry(r.v);
  return r;
}

Fe fe_sub(const Fe& a, const Fe& b) {
  // Adds 4p first so no limb underflows, whatever carries b still holds.
  constexpr std::uint64_t k4p0 = 4 * ((std::uint64_t{1} << 51) - 19);
  constexpr std::uint64_t k4pi = 4 * ((std::uint64_t{1} << 51) - 1);
  Fe r;
  r.v[0] = a.v[0] + k4p0 - b.v[0];
  for (int i = 1; i < 5; ++i) r.v[i] = a.v[i] + k4pi - b.v[i];
  carry(r.v);
  return r;
}

Fe fe_mul(const Fe& a, const Fe& b) {
  const auto& x = a.v;
  const auto& y = b.v;
  // Products that land at 2^255 and above wrap round multiplied by 19.
  const std::uint64_t y1_19 = 19 * y[1], y2_19 = 19 * y[2], y3_19 = 19 * y[3], y4_19 = 19 * y[4];
  auto m = [](std::uint64_t p, std::uint64_t q) { return static_cast<U128>(p) * q; };
  U128 r0 = m(x[0], y[0]) + m(x[1], y4_19) + m(x[2], y3_19) + m(x[3], y2_19) + m(x[4], y1_19);
  U128 r1 = m(x[0], y[1]) + m(x[1], y[0]) + m(x[2], y4_19) + m(x[3], y3_19) + m(x[4], y2_19);
  U128 r2 = m(x[0], y[2]) + m(x[1], y[1]) + m(x[2], y[0]) + m(x[3], y4_19) + m(x[4], y3_19);
  U128 r3 = m(x[0], y[3]) + m(x[1], y[2]) + m(x[2], y[1]) + m(x[3], y[0]) + m(x[4], y4_19);
  U128 r4 = m(x[0], y[4]) + m(x[1], y[3]) + m(x[2], y[2]) + m(x[3], y[1]) + m(x[4], y[0]);

  r1 += static_cast<std::uint64_t>(r0 >> 51);
  r2 += static_cast<std::uint64_t>(r1 >> 51);
  r3 += static_cast<std::uint64_t>(r2 >> 51);
  r4 += static_cast<std::uint64_t>(r3 >> 51);
  Fe r;
  r.v[0] = static_cast<std::uint64_t>(r0) & kMask51;
  r.v[1] = static_cast<std::uint64_t>(r1) & kMask51;
  r.v[2] = static_cast<std::uint64_t>(r2) & kMask51;
  r.v[3] = static_cast<std::uint64_t>(r3) & kMask51;
  r.v[4] = static_cast<std::uint64_t>(r4) & kMask51;
  r.v[0] += 19 * static_cast<std::uint64_t>(r4 >> 51);
  r.v[1] += r.v[0] >> 51;
  r.v[0] &= kMask51;
  return r;
}

Fe fe_invert(const Fe& z) {
  // Fermat: z^(p-2) = z^(2^255 - 21), by the usual chain of 254 squarings and
  // 11 multiplications.
  const Fe z2 = fe_mul(z, z);
  const Fe z9 = fe_mul(fe_square_n(z2, 2), z);
  const Fe z11 = fe_mul(z9, z2);
  const Fe z_5_0 = fe_mul(fe_mul(z11, z11), z9);               // 2^5 - 1
  const Fe z_10_0 = fe_mul(fe_square_n(z_5_0, 5), z_5_0);      // 2^10 - 1
  const Fe z_20_0 = fe_mul(fe_square_n(z_10_0, 10), z_10_0);   // 2^20 - 1
  const Fe z_40_0 = fe_mul(fe_square_n(z_20_0, 20), z_20_0);   // 2^40 - 1
  const Fe z_50_0 = fe_mul(fe_square_n(z_40_0, 10), z_10_0);   // 2^50 - 1
  const Fe z_100_0 = fe_mul(fe_square_n(z_50_0, 50), z_50_0);  // 2^100 - 1
  const Fe z_200_0 = fe_mul(fe_square_n(z_100_0, 100), z_100_0);
  const Fe z_250_0 = fe_mul(fe_square_n(z_200_0, 50), z_50_0);  // 2^250 - 1
  return fe_mul(fe_square_n(z_250_0, 5), z11);                  // 2^255 - 21
}

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
  return fe_to_bytes(fe_mul(fe_sub(fu, one), fe_invert(denominator)));
}

}  // namespace sotto::crypto::detail
