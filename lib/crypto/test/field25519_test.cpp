// SPDX-License-Identifier: Apache-2.0
// The internal GF(2^255 - 19) helper behind XEdDSA verification.
#include "field25519.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "sotto/crypto/rng.hpp"
#include "test_util.hpp"

namespace sotto::crypto::detail {
namespace {

using Fe32 = std::array<std::uint8_t, 32>;

Fe32 fe32(std::string_view h) {
  Fe32 out{};
  const Bytes b = test::hex(h);
  std::copy_n(b.begin(), std::min<std::size_t>(32, b.size()), out.begin());
  return out;
}

Fe32 small(std::uint8_t v) {
  Fe32 out{};
  out[0] = v;
  return out;
}

constexpr std::string_view kP = "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f";
constexpr std::string_view kPMinus1 =
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f";

TEST(Field25519, ToBytesReducesFully) {
  EXPECT_EQ(fe_to_bytes(fe_from_bytes(fe32(kP))), small(0));
  EXPECT_EQ(fe_to_bytes(fe_from_bytes(
                fe32("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"))),
            small(1));
  // 2^255 - 1 = p + 18.
  EXPECT_EQ(fe_to_bytes(fe_from_bytes(
                fe32("ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"))),
            small(18));
  EXPECT_EQ(fe_to_bytes(fe_from_bytes(fe32(kPMinus1))), fe32(kPMinus1));
}

TEST(Field25519, ArithmeticIdentities) {
  std::array<std::uint8_t, 32> seed{};
  seed[1] = 5;
  DeterministicRng rng(seed);
  const Fe one = fe_from_bytes(small(1));
  for (int i = 0; i < 200; ++i) {
    Fe32 a{}, b{};
    rng.fill(a);
    rng.fill(b);
    const Fe fa = fe_from_bytes(a), fb = fe_from_bytes(b);
    // a * a^-1 = 1 (a is nonzero with overwhelming probability).
    EXPECT_EQ(fe_to_bytes(fe_mul(fa, fe_invert(fa))), small(1));
    // (a + b) - b = a, (a - b) + b = a.
    EXPECT_EQ(fe_to_bytes(fe_sub(fe_add(fa, fb), fb)), fe_to_bytes(fa));
    EXPECT_EQ(fe_to_bytes(fe_add(fe_sub(fa, fb), fb)), fe_to_bytes(fa));
    // (a + 1)(a - 1) = a^2 - 1.
    EXPECT_EQ(fe_to_bytes(fe_mul(fe_add(fa, one), fe_sub(fa, one))),
              fe_to_bytes(fe_sub(fe_mul(fa, fa), one)));
    // a * b = b * a.
    EXPECT_EQ(fe_to_bytes(fe_mul(fa, fb)), fe_to_bytes(fe_mul(fb, fa)));
  }
  EXPECT_EQ(fe_to_bytes(fe_invert(fe_from_bytes(small(0)))), small(0));
  // 0 - 1 = p - 1.
  EXPECT_EQ(fe_to_bytes(fe_sub(fe_from_bytes(small(0)), one)), fe32(kPMinus1));
}

TEST(Field25519, CanonicalCheck) {
  EXPECT_TRUE(fe_bytes_canonical(small(0)));
  EXPECT_TRUE(fe_bytes_canonical(fe32(kPMinus1)));
  EXPECT_FALSE(fe_bytes_canonical(fe32(kP)));
  Fe32 top = small(9);
  top[31] = 0x80;  // bit 255 set
  EXPECT_FALSE(fe_bytes_canonical(top));
}

TEST(Field25519, BasePointMapsToEd25519BasePoint) {
  // u = 9 is Curve25519's base point; Ed25519's base point has y = 4/5.
  auto y = montgomery_u_to_edwards_y(small(9));
  ASSERT_TRUE(y.has_value());
  EXPECT_EQ(test::to_hex(*y), "5866666666666666666666666666666666666666666666666666666666666666");
}

TEST(Field25519, RejectsUndefinedAndNonCanonical) {
  EXPECT_FALSE(montgomery_u_to_edwards_y(fe32(kPMinus1)).has_value());  // u = -1
  EXPECT_FALSE(montgomery_u_to_edwards_y(fe32(kP)).has_value());        // u = p
  Fe32 high = small(9);
  high[31] |= 0x80;  // 9 with bit 255 set
  EXPECT_FALSE(montgomery_u_to_edwards_y(high).has_value());
  // u = 0 and u = 1 are defined (y = -1 and y = 0).
  EXPECT_EQ(montgomery_u_to_edwards_y(small(0)), fe32(kPMinus1));
  EXPECT_EQ(montgomery_u_to_edwards_y(small(1)), small(0));
}

}  // namespace
}  // namespace sotto::crypto::detail
