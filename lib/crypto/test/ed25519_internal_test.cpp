// SPDX-License-Identifier: Apache-2.0
// The pieces of our Ed25519 verifier one by one: field constants and limb
// bounds, scalar recoding, point decoding and encoding, tables and the
// double-scalar multiplication (checked against libsodium's k B).
#include <gtest/gtest.h>

#include <algorithm>

#include "ed25519_point.hpp"
#include "ed25519_reference.hpp"
#include "ed25519_scalar.hpp"
#include "ed25519_scalarmult.hpp"
#include "ed25519_tables.hpp"
#include "field25519.hpp"
#include "sotto/crypto/rng.hpp"
#include "test_util.hpp"

namespace sotto::crypto::detail {
namespace {

using B32 = std::array<std::uint8_t, 32>;

Fe small_fe(std::uint64_t v) { return Fe{{v, 0, 0, 0, 0}}; }

DeterministicRng seeded(std::uint8_t tag) {
  B32 seed{};
  seed[0] = 0xed;
  seed[1] = tag;
  return DeterministicRng(seed);
}

// A random scalar below L (below 2^252, which is below L).
B32 random_scalar(Rng& rng) {
  B32 k{};
  rng.fill(k);
  k[31] &= 0x0f;
  return k;
}

TEST(Ed25519Field, ConstantsMatchTheirDefinitions) {
  const Fe d = fe_mul(fe_neg(small_fe(121665)), fe_invert(small_fe(121666)));
  EXPECT_EQ(fe_to_bytes(d), fe_to_bytes(kFeD));
  EXPECT_EQ(fe_to_bytes(fe_add(d, d)), fe_to_bytes(kFeD2));
  // sqrt(-1) = 2^((p - 1) / 4) = 2^(2^253 - 5) = (2^(2^252 - 3))^2 * 2.
  const Fe two = small_fe(2);
  EXPECT_EQ(fe_to_bytes(fe_mul(fe_sq(fe_pow22523(two)), two)), fe_to_bytes(kFeSqrtM1));
  EXPECT_EQ(fe_to_bytes(fe_sq(kFeSqrtM1)), fe_to_bytes(fe_neg(kFeOne)));
  for (const Fe* c : {&kFeD, &kFeD2, &kFeSqrtM1}) {
    for (auto limb : c->v) EXPECT_LT(limb, std::uint64_t{1} << 51);
  }
}

TEST(Ed25519Field, SquareAndLooseLimbsAgreeWithMultiply) {
  auto rng = seeded(1);
  for (int i = 0; i < 500; ++i) {
    Fe a, b;
    for (auto* f : {&a, &b}) {
      // Limbs anywhere below 2^56, the documented multiplication bound.
      for (auto& limb : f->v) {
        std::array<std::uint8_t, 8> w{};
        rng.fill(w);
        limb = 0;
        for (int k = 0; k < 8; ++k) limb |= std::uint64_t{w[k]} << (8 * k);
        limb >>= 8 + (i % 4);  // 2^56 - 1 .. 2^53 - 1
      }
    }
    const Fe ta = fe_carry(a), tb = fe_carry(b);
    for (auto limb : ta.v) EXPECT_LT(limb, (std::uint64_t{1} << 51) + (1 << 21));
    EXPECT_EQ(fe_to_bytes(ta), fe_to_bytes(a));
    EXPECT_EQ(fe_to_bytes(fe_mul(a, b)), fe_to_bytes(fe_mul(ta, tb)));
    EXPECT_EQ(fe_to_bytes(fe_sq(a)), fe_to_bytes(fe_mul(ta, ta)));
    // Subtraction and negation within the bound (b tight, as required).
    EXPECT_EQ(fe_to_bytes(fe_add(fe_sub(ta, tb), tb)), fe_to_bytes(ta));
    EXPECT_EQ(fe_to_bytes(fe_add(fe_neg(tb), tb)), fe_to_bytes(Fe{}));
  }
}

TEST(Ed25519Field, VariableTimeInverseMatchesFermat) {
  auto rng = seeded(6);
  const auto check = [](const Fe& a) {
    EXPECT_EQ(fe_to_bytes(fe_invert_vartime(a)), fe_to_bytes(fe_invert(a)))
        << test::to_hex(fe_to_bytes(a));
  };
  for (std::uint64_t v : {0, 1, 2, 3, 19, 121666}) check(small_fe(v));
  check(fe_neg(kFeOne));             // p - 1
  check(fe_sub(Fe{}, small_fe(2)));  // p - 2
  check(fe_from_bytes(B32{0xee, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                          0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                          0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}));  // p + 1
  for (int bit = 0; bit < 255; ++bit) {  // powers of two and their negatives
    B32 b{};
    b[bit / 8] = static_cast<std::uint8_t>(1 << (bit % 8));
    check(fe_from_bytes(b));
    check(fe_neg(fe_from_bytes(b)));
  }
  for (int i = 0; i < 3000; ++i) {
    B32 b{};
    rng.fill(b);
    if (i % 3 == 1) b[31] &= 0x0f;  // shorter values
    if (i % 3 == 2) std::fill(b.begin() + 8 + i % 20, b.end(), 0);
    check(fe_from_bytes(b));
  }
  EXPECT_EQ(fe_to_bytes(fe_invert_vartime(Fe{})), fe_to_bytes(Fe{}));
}

TEST(Ed25519Field, SquareRootExponent) {
  // (a^((p - 5) / 8))^8 a^5 = a^p = a for every a.
  auto rng = seeded(2);
  for (int i = 0; i < 50; ++i) {
    B32 bytes{};
    rng.fill(bytes);
    const Fe a = fe_from_bytes(bytes);
    Fe t = fe_pow22523(a);
    t = fe_sq(fe_sq(fe_sq(t)));
    const Fe a5 = fe_mul(fe_sq(fe_sq(a)), a);
    EXPECT_EQ(fe_to_bytes(fe_mul(t, a5)), fe_to_bytes(a));
  }
}

TEST(Ed25519Scalar, Canonical) {
  B32 l = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7,
           0xa2, 0xde, 0xf9, 0xde, 0x14, 0,    0,    0,    0,    0,    0,
           0,    0,    0,    0,    0,    0,    0,    0,    0,    0x10};
  EXPECT_FALSE(sc_is_canonical(l));
  B32 below = l;
  below[0] -= 1;
  EXPECT_TRUE(sc_is_canonical(below));
  B32 above = l;
  above[0] += 1;
  EXPECT_FALSE(sc_is_canonical(above));
  B32 top = l;
  top[15] = 0x15;  // L + 2^120
  EXPECT_FALSE(sc_is_canonical(top));
  top[15] = 0x13;
  EXPECT_TRUE(sc_is_canonical(top));
  EXPECT_TRUE(sc_is_canonical(B32{}));
  B32 ones{};
  ones.fill(0xff);
  EXPECT_FALSE(sc_is_canonical(ones));
}

TEST(Ed25519Scalar, WnafReconstructsAndIsSparse) {
  auto rng = seeded(3);
  for (int w = 2; w <= 8; ++w) {
    for (int i = 0; i < 200; ++i) {
      B32 s{};
      rng.fill(s);
      s[31] &= 0x7f;  // below 2^255
      if (i == 0) s.fill(0);
      if (i == 1) {
        s.fill(0xff);
        s[31] = 0x7f;
      }
      Wnaf digits;
      sc_wnaf(s, w, digits);
      // Rebuild sum digits[i] 2^i in 8 signed 32-bit-carrying words.
      std::array<std::int64_t, 33> acc{};
      for (int k = 0; k < 256; ++k) {
        const int d = digits[k];
        if (d == 0) continue;
        EXPECT_EQ(d & 1, 1) << "even digit";
        EXPECT_LT(std::abs(d), 1 << (w - 1));
        for (int z = 1; z < w && k + z < 256; ++z) EXPECT_EQ(digits[k + z], 0) << "not sparse";
        acc[k / 8] += static_cast<std::int64_t>(d) << (k % 8);
      }
      B32 rebuilt{};
      std::int64_t carry = 0;
      for (int k = 0; k < 32; ++k) {
        const std::int64_t v = acc[k] + carry;
        rebuilt[k] = static_cast<std::uint8_t>(v & 0xff);
        carry = (v - (v & 0xff)) / 256;
      }
      EXPECT_EQ(carry + acc[32], 0);
      EXPECT_EQ(rebuilt, s) << "w=" << w << " i=" << i;
    }
  }
}

TEST(Ed25519Point, BasePointAndEncodingRoundTrip) {
  B32 b_enc{};
  b_enc[0] = 0x58;
  std::fill(b_enc.begin() + 1, b_enc.end(), 0x66);
  EXPECT_EQ(ge_encode(ge_base_point()), b_enc);

  auto rng = seeded(4);
  for (int i = 0; i < 100; ++i) {
    const B32 k = random_scalar(rng);
    const auto p = reference::scalarmult_base(k);
    if (!p) continue;
    B32 y = *p;
    y[31] &= 0x7f;
    const auto decoded = ge_decompress(y, ((*p)[31] & 0x80) != 0);
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(ge_encode(*decoded), *p);
  }
}

TEST(Ed25519Point, RejectsYOffTheCurve) {
  // About half of all y have no x; y = 2 is one of them.
  B32 y{};
  y[0] = 2;
  EXPECT_FALSE(ge_decompress(y, false).has_value());
}

TEST(Ed25519Point, BaseTableHoldsTheRightMultiples) {
  const GeBaseTable& t = ge_base_table();
  // odd[j][k] = (2k + 1) 2^(c j) B, compared with libsodium through the
  // encoding of the affine entry: y = ((y+x) + (y-x)) / 2, x = ... / 2.
  const Fe half = fe_invert(small_fe(2));
  for (int j = 0; j < kGeChunks; ++j) {
    for (int k : {0, 1, 2, kBaseOdd - 1}) {
      B32 scalar{};
      scalar[kGeChunkBits / 8 * j] = static_cast<std::uint8_t>(2 * k + 1);
      const GeAffine& e = t.odd[j][k];
      const Fe y = fe_mul(fe_add(e.y_plus_x, e.y_minus_x), half);
      const Fe x = fe_mul(fe_sub(e.y_plus_x, e.y_minus_x), half);
      B32 enc = fe_to_bytes(y);
      if (fe_is_negative(x)) enc[31] |= 0x80;
      EXPECT_EQ(enc, reference::scalarmult_base(scalar).value()) << j << "," << k;
      EXPECT_EQ(fe_to_bytes(e.xy2d), fe_to_bytes(fe_mul(fe_mul(x, y), kFeD2)));
    }
  }
}

TEST(Ed25519ScalarMult, MatchesLibsodium) {
  // s B - h A with A = a B is (s - h a) B: compare with libsodium's k B for
  // k = s - h a mod L (computed as s + h (L - a)).
  auto rng = seeded(5);
  for (int i = 0; i < 200; ++i) {
    const B32 a = random_scalar(rng);
    B32 s = random_scalar(rng), h = random_scalar(rng);
    if (i == 0) s.fill(0);
    if (i == 1) h.fill(0);
    const auto a_enc = reference::scalarmult_base(a);
    ASSERT_TRUE(a_enc.has_value());
    B32 y = *a_enc;
    y[31] &= 0x7f;
    const auto a_point = ge_decompress(y, ((*a_enc)[31] & 0x80) != 0);
    ASSERT_TRUE(a_point.has_value());
    auto table = std::make_unique<GeKeyTable>();
    ge_build_table(*a_point, *table);

    // -a mod L = a (L - 1).
    B32 l_minus_1 = {0xec, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7,
                     0xa2, 0xde, 0xf9, 0xde, 0x14, 0,    0,    0,    0,    0,    0,
                     0,    0,    0,    0,    0,    0,    0,    0,    0,    0x10};
    const B32 minus_a = reference::scalar_mul_add(a, l_minus_1, B32{});
    const B32 k = reference::scalar_mul_add(h, minus_a, s);
    const auto expected = reference::scalarmult_base(k);
    B32 identity{};
    identity[0] = 1;
    // Both paths: with A's split table and with A alone.
    EXPECT_EQ(ge_encode(ge_double_scalarmult_vartime(s, h, *table)), expected.value_or(identity))
        << i;
    EXPECT_EQ(ge_encode(ge_double_scalarmult_vartime(s, h, *a_point)), expected.value_or(identity))
        << i;
  }
}

}  // namespace
}  // namespace sotto::crypto::detail
