// SPDX-License-Identifier: Apache-2.0
#include "sotto/crypto/ct.hpp"

#include <gtest/gtest.h>

namespace sotto::crypto {
namespace {

TEST(CtEqual, SameBytes) {
  const Bytes a = {1, 2, 3}, b = {1, 2, 3};
  EXPECT_TRUE(ct_equal(a, b));
}

TEST(CtEqual, DifferentBytesAnywhere) {
  const Bytes a(32, 0x11);
  for (std::size_t i = 0; i < a.size(); ++i) {
    Bytes b = a;
    b[i] ^= 0x01;
    EXPECT_FALSE(ct_equal(a, b)) << "difference at " << i;
  }
}

TEST(CtEqual, DifferentLengthsAreUnequal) {
  const Bytes a = {1, 2, 3}, b = {1, 2};
  EXPECT_FALSE(ct_equal(a, b));
  EXPECT_FALSE(ct_equal(b, a));
  EXPECT_FALSE(ct_equal(a, ByteView{}));
}

TEST(CtEqual, EmptyEqualsEmpty) { EXPECT_TRUE(ct_equal(ByteView{}, ByteView{})); }

TEST(CtIsZero, Works) {
  EXPECT_TRUE(ct_is_zero(Bytes(32, 0)));
  EXPECT_TRUE(ct_is_zero(ByteView{}));
  Bytes b(32, 0);
  b[31] = 1;
  EXPECT_FALSE(ct_is_zero(b));
  b[31] = 0;
  b[0] = 0x80;
  EXPECT_FALSE(ct_is_zero(b));
}

}  // namespace
}  // namespace sotto::crypto
