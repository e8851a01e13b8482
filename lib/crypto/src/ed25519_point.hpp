// SPDX-License-Identifier: Apache-2.0
// Internal: points of the twisted Edwards curve -x^2 + y^2 = 1 + d x^2 y^2
// (Ed25519, RFC 8032) for variable-time verification. Public data only.
//
// Representations (Hisil, Wong, Carter, Dawson, "Twisted Edwards curves
// revisited", 2008; a = -1):
//   GePoint2  projective (X : Y : Z), x = X/Z, y = Y/Z  - input to doubling
//   GePoint3  extended (X : Y : Z : T) with T = XY/Z    - input to addition
//   GeSum     the four factors E, F, G, H a formula ends with; the point is
//             (E F : G H : F G : E H), so converting costs 3 or 4 products
//   GeAffine  (y + x, y - x, 2 d x y) of an affine point  - table entries
// The unified formulas used here are complete on this curve (a = -1 is a
// square, d is not), so no input needs special-casing.
//
// Limb bounds (see field25519.hpp): products are tight; every value below
// that feeds a product is at most one fe_add or two fe_sub away from tight
// values, which keeps it below 2^56.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>

#include "field25519.hpp"

namespace sotto::crypto::detail {

struct GePoint2 {
  Fe x, y, z;
};

struct GePoint3 {
  Fe x, y, z, t;
};

struct GeSum {
  Fe e, f, g, h;
};

struct GeAffine {
  Fe y_plus_x, y_minus_x, xy2d;
};

// (Y + X, Y - X, Z, 2dT) of an extended point, for additions of two
// unnormalised points (table building, and the small table of a key seen
// once, which is not worth an inversion).
struct GeCached {
  Fe y_plus_x, y_minus_x, z, t2d;
};

inline GePoint2 ge_identity2() { return {Fe{}, kFeOne, kFeOne}; }
inline GePoint3 ge_identity3() { return {Fe{}, kFeOne, kFeOne, Fe{}}; }

inline GePoint2 ge_to_p2(const GeSum& s) {
  return {fe_mul(s.e, s.f), fe_mul(s.g, s.h), fe_mul(s.f, s.g)};
}

inline GePoint3 ge_to_p3(const GeSum& s) {
  return {fe_mul(s.e, s.f), fe_mul(s.g, s.h), fe_mul(s.f, s.g), fe_mul(s.e, s.h)};
}

inline GePoint2 ge_p3_to_p2(const GePoint3& p) { return {p.x, p.y, p.z}; }

// 2P: A = X^2, B = Y^2, C = 2 Z^2, E = (X + Y)^2 - A - B, G = B - A,
// F = G - C, H = -(A + B).
inline GeSum ge_double(const GePoint2& p) {
  const Fe a = fe_sq(p.x);
  const Fe b = fe_sq(p.y);
  const Fe zz = fe_sq(p.z);
  const Fe c = fe_add(zz, zz);
  const Fe ab = fe_add(a, b);
  const Fe g = fe_sub(b, a);
  return {fe_sub(fe_sq(fe_add(p.x, p.y)), ab), fe_sub(g, c), g, fe_neg(ab)};
}

// P + Q for an affine table entry Q: A = (Y - X)(y - x), B = (Y + X)(y + x),
// C = T 2dxy, D = 2Z; E = B - A, F = D - C, G = D + C, H = B + A.
inline GeSum ge_add(const GePoint3& p, const GeAffine& q) {
  const Fe a = fe_mul(fe_sub(p.y, p.x), q.y_minus_x);
  const Fe b = fe_mul(fe_add(p.y, p.x), q.y_plus_x);
  const Fe c = fe_mul(p.t, q.xy2d);
  const Fe d = fe_add(p.z, p.z);
  return {fe_sub(b, a), fe_sub(d, c), fe_add(d, c), fe_add(b, a)};
}

// P - Q: -Q = (-x, y) swaps y + x with y - x and negates 2dxy.
inline GeSum ge_sub(const GePoint3& p, const GeAffine& q) {
  const Fe a = fe_mul(fe_sub(p.y, p.x), q.y_plus_x);
  const Fe b = fe_mul(fe_add(p.y, p.x), q.y_minus_x);
  const Fe c = fe_mul(p.t, q.xy2d);
  const Fe d = fe_add(p.z, p.z);
  return {fe_sub(b, a), fe_add(d, c), fe_sub(d, c), fe_add(b, a)};
}

GeCached ge_to_cached(const GePoint3& p);

// P + Q and P - Q for an unnormalised Q (D = 2 Z1 Z2; -Q as above).
inline GeSum ge_add(const GePoint3& p, const GeCached& q) {
  const Fe a = fe_mul(fe_sub(p.y, p.x), q.y_minus_x);
  const Fe b = fe_mul(fe_add(p.y, p.x), q.y_plus_x);
  const Fe c = fe_mul(p.t, q.t2d);
  const Fe zz = fe_mul(p.z, q.z);
  const Fe d = fe_add(zz, zz);
  return {fe_sub(b, a), fe_sub(d, c), fe_add(d, c), fe_add(b, a)};
}

inline GeSum ge_sub(const GePoint3& p, const GeCached& q) {
  const Fe a = fe_mul(fe_sub(p.y, p.x), q.y_plus_x);
  const Fe b = fe_mul(fe_add(p.y, p.x), q.y_minus_x);
  const Fe c = fe_mul(p.t, q.t2d);
  const Fe zz = fe_mul(p.z, q.z);
  const Fe d = fe_add(zz, zz);
  return {fe_sub(b, a), fe_add(d, c), fe_sub(d, c), fe_add(b, a)};
}

// Decodes an Ed25519 point from y (canonical, 32 bytes with bit 255 clear)
// and the sign of x: x = sqrt((y^2 - 1) / (d y^2 + 1)) with its low bit equal
// to `x_negative`. Returns nothing when y is on no point. For x = 0 the sign
// bit is ignored, as libsodium 1.0.18 does (such points are small-order and
// verification rejects them before decoding).
std::optional<GePoint3> ge_decompress(std::span<const std::uint8_t, 32> y_bytes, bool x_negative);

// The canonical encoding: y with the low bit of x in bit 255. Costs one
// field inversion.
std::array<std::uint8_t, 32> ge_encode(const GePoint3& p);
std::array<std::uint8_t, 32> ge_encode(const GePoint2& p);

// Converts `n` points to affine table entries with one shared inversion
// (Montgomery's trick). `scratch` must hold n elements.
void ge_batch_to_affine(const GePoint3* points, GeAffine* out, Fe* scratch, std::size_t n);

}  // namespace sotto::crypto::detail
