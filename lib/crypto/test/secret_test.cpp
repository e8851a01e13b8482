// SPDX-License-Identifier: Apache-2.0
#include "sotto/crypto/secret.hpp"

#include <gtest/gtest.h>

#include <utility>

namespace sotto::crypto {
namespace {

bool all_zero(ByteView b) {
  for (auto x : b) {
    if (x != 0) return false;
  }
  return true;
}

TEST(SecretKey, DefaultIsZero) {
  SecretKey<32> k;
  EXPECT_TRUE(all_zero(k.expose()));
}

TEST(SecretKey, FromCopiesExactly) {
  const Bytes src = {1, 2, 3, 4};
  auto k = SecretKey<4>::from(src);
  EXPECT_EQ(Bytes(k.expose().begin(), k.expose().end()), src);
}

TEST(SecretKey, MoveConstructionWipesSource) {
  auto a = SecretKey<8>::from(Bytes{9, 9, 9, 9, 9, 9, 9, 9});
  SecretKey<8> b(std::move(a));
  EXPECT_TRUE(all_zero(a.expose()));  // NOLINT(bugprone-use-after-move): that is the test
  EXPECT_EQ(b.expose()[0], 9);
}

TEST(SecretKey, MoveAssignmentWipesSource) {
  auto a = SecretKey<8>::from(Bytes{7, 7, 7, 7, 7, 7, 7, 7});
  SecretKey<8> b;
  b = std::move(a);
  EXPECT_TRUE(all_zero(a.expose()));  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(b.expose()[7], 7);
}

TEST(SecretKey, CloneIsIndependent) {
  auto a = SecretKey<2>::from(Bytes{1, 2});
  auto b = a.clone();
  b.mutable_bytes()[0] = 5;
  EXPECT_EQ(a.expose()[0], 1);
}

TEST(SecretBytes, SizedIsZeroFilled) {
  SecretBytes s(40);
  EXPECT_EQ(s.size(), 40u);
  EXPECT_TRUE(all_zero(s.expose()));
}

TEST(SecretBytes, MoveLeavesSourceEmpty) {
  auto a = SecretBytes::from(Bytes{1, 2, 3});
  const auto* data = a.expose().data();
  SecretBytes b(std::move(a));
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(b.size(), 3u);
  EXPECT_EQ(b.expose().data(), data);  // the buffer moved; no unwiped copy was made

  SecretBytes c(5);
  c = std::move(b);
  EXPECT_TRUE(b.empty());  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(c.expose()[2], 3);
}

TEST(SecretBytes, EmptyIsFine) {
  SecretBytes e;
  EXPECT_TRUE(e.empty());
  auto f = SecretBytes::from(ByteView{});
  EXPECT_TRUE(f.empty());
  auto g = f.clone();
  EXPECT_TRUE(g.empty());
}

TEST(SecureWipe, ZeroesMemory) {
  std::uint8_t buf[16];
  for (auto& b : buf) b = 0xAB;
  secure_wipe(buf, sizeof buf);
  EXPECT_TRUE(all_zero(buf));
  secure_wipe(nullptr, 0);  // tolerated
}

}  // namespace
}  // namespace sotto::crypto
