// SPDX-License-Identifier: Apache-2.0
#include "sotto/crypto/rng.hpp"

#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "test_util.hpp"

namespace sotto::crypto {
namespace {

std::array<std::uint8_t, 32> seed_of(std::uint8_t b) {
  std::array<std::uint8_t, 32> s{};
  s.fill(b);
  return s;
}

Bytes draw(DeterministicRng& rng, const std::vector<std::size_t>& chunks) {
  Bytes out;
  for (auto n : chunks) {
    Bytes part(n);
    rng.fill(part);
    append(out, part);
  }
  return out;
}

TEST(DeterministicRng, MatchesChaCha20KeystreamForZeroKey) {
  // RFC 8439 A.1 test vector #1: key 0, nonce 0, block 0 (identical in the
  // original 64-bit-nonce ChaCha20 since the counter and nonce are all zero).
  DeterministicRng rng(seed_of(0));
  Bytes out(64);
  rng.fill(out);
  EXPECT_EQ(test::to_hex(out),
            "76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7"
            "da41597c5157488d7724e03fb8d84a376a43b8f41518a11cc387b669b2ee6586");
}

TEST(DeterministicRng, SameSeedSameStream) {
  DeterministicRng a(seed_of(7)), b(seed_of(7));
  EXPECT_EQ(draw(a, {100}), draw(b, {100}));
}

TEST(DeterministicRng, DifferentSeedsDiffer) {
  DeterministicRng a(seed_of(7)), b(seed_of(8));
  EXPECT_NE(draw(a, {32}), draw(b, {32}));
}

TEST(DeterministicRng, StreamIndependentOfChunking) {
  DeterministicRng whole(seed_of(3));
  const Bytes expected = draw(whole, {1000});
  const std::vector<std::vector<std::size_t>> splits = {
      {1, 999},         {63, 1, 936},           {64, 64, 872},       {65, 127, 808},
      {0, 500, 0, 500}, {3, 5, 7, 11, 13, 961}, {200, 300, 400, 100}};
  for (const auto& split : splits) {
    DeterministicRng rng(seed_of(3));
    EXPECT_EQ(draw(rng, split), expected);
  }
  // Byte at a time across several block boundaries.
  DeterministicRng bytewise(seed_of(3));
  EXPECT_EQ(draw(bytewise, std::vector<std::size_t>(1000, 1)), expected);
}

TEST(DeterministicRng, NextU32IsLittleEndian) {
  DeterministicRng a(seed_of(9)), b(seed_of(9));
  Bytes four(4);
  a.fill(four);
  const std::uint32_t expected =
      four[0] | (four[1] << 8) | (four[2] << 16) | (static_cast<std::uint32_t>(four[3]) << 24);
  EXPECT_EQ(b.next_u32(), expected);
}

TEST(OsRng, ProducesVaryingOutput) {
  Rng& rng = os_rng();
  EXPECT_EQ(&rng, &os_rng());
  Bytes a(32), b(32);
  rng.fill(a);
  rng.fill(b);
  EXPECT_NE(a, b);                      // 2^-256 chance of a false failure
  rng.fill(std::span<std::uint8_t>{});  // empty fill is a no-op
}

}  // namespace
}  // namespace sotto::crypto
