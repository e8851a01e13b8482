// SPDX-License-Identifier: Apache-2.0
#include "ed25519_point.hpp"

namespace sotto::crypto::detail {

GeCached ge_to_cached(const GePoint3& p) {
  return {fe_carry(fe_add(p.y, p.x)), fe_carry(fe_sub(p.y, p.x)), p.z, fe_mul(p.t, kFeD2)};
}

std::optional<GePoint3> ge_decompress(std::span<const std::uint8_t, 32> y_bytes, bool x_negative) {
  const Fe y = fe_from_bytes(y_bytes);
  const Fe yy = fe_sq(y);
  const Fe u = fe_carry(fe_sub(yy, kFeOne));                // y^2 - 1
  const Fe v = fe_carry(fe_add(fe_mul(yy, kFeD), kFeOne));  // d y^2 + 1
  // x = u v^3 (u v^7)^((p - 5) / 8) is a square root of u / v, or of -u / v
  // (then times sqrt(-1) fixes it), or u / v is no square at all.
  const Fe v3 = fe_mul(fe_sq(v), v);
  const Fe uv7 = fe_mul(u, fe_mul(fe_sq(v3), v));
  Fe x = fe_mul(fe_mul(u, v3), fe_pow22523(uv7));
  const Fe vxx = fe_mul(v, fe_sq(x));
  if (!fe_is_zero(fe_sub(vxx, u))) {
    if (!fe_is_zero(fe_add(vxx, u))) return std::nullopt;
    x = fe_mul(x, kFeSqrtM1);
  }
  if (fe_is_negative(x) != x_negative) x = fe_carry(fe_neg(x));
  return GePoint3{x, fe_carry(y), kFeOne, fe_mul(x, y)};
}

std::array<std::uint8_t, 32> ge_encode(const GePoint2& p) {
  const Fe zi = fe_invert_vartime(p.z);
  std::array<std::uint8_t, 32> out = fe_to_bytes(fe_mul(p.y, zi));
  if (fe_is_negative(fe_mul(p.x, zi))) out[31] |= 0x80;
  return out;
}

std::array<std::uint8_t, 32> ge_encode(const GePoint3& p) { return ge_encode(ge_p3_to_p2(p)); }

void ge_batch_to_affine(const GePoint3* points, GeAffine* out, Fe* scratch, std::size_t n) {
  if (n == 0) return;
  // scratch[i] = z_0 z_1 ... z_i; one inversion of the full product, then
  // each 1/z_i peels off backwards.
  scratch[0] = points[0].z;
  for (std::size_t i = 1; i < n; ++i) scratch[i] = fe_mul(scratch[i - 1], points[i].z);
  Fe inv = fe_invert_vartime(scratch[n - 1]);
  for (std::size_t i = n; i-- > 0;) {
    const Fe zi = i == 0 ? inv : fe_mul(inv, scratch[i - 1]);
    if (i > 0) inv = fe_mul(inv, points[i].z);
    const Fe x = fe_mul(points[i].x, zi);
    const Fe y = fe_mul(points[i].y, zi);
    out[i] = {fe_carry(fe_add(y, x)), fe_carry(fe_sub(y, x)), fe_mul(fe_mul(x, y), kFeD2)};
  }
}

}  // namespace sotto::crypto::detail
