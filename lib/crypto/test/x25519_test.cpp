// SPDX-License-Identifier: Apache-2.0
#include "sotto/crypto/x25519.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string_view>

#include "sotto/crypto/ct.hpp"
#include "test_util.hpp"

namespace sotto::crypto {
namespace {

using test::hex;
using test::to_hex;

X25519Public pub_of(std::string_view h) {
  X25519Public p{};
  const Bytes b = hex(h);
  std::copy_n(b.begin(), std::min<std::size_t>(b.size(), 32), p.begin());
  return p;
}

// RFC 7748 §6.1.
constexpr std::string_view kAlicePriv =
    "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";
constexpr std::string_view kAlicePub =
    "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";
constexpr std::string_view kBobPriv =
    "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb";
constexpr std::string_view kBobPub =
    "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f";
constexpr std::string_view kShared =
    "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";

TEST(X25519, Rfc7748Section6_1) {
  const auto alice = X25519Private::from(hex(kAlicePriv));
  const auto bob = X25519Private::from(hex(kBobPriv));
  EXPECT_EQ(to_hex(x25519_public_from_private(alice)), kAlicePub);
  EXPECT_EQ(to_hex(x25519_public_from_private(bob)), kBobPub);

  auto ab = x25519(alice, pub_of(kBobPub));
  auto ba = x25519(bob, pub_of(kAlicePub));
  ASSERT_TRUE(ab.has_value());
  ASSERT_TRUE(ba.has_value());
  EXPECT_EQ(to_hex(ab->expose()), kShared);
  EXPECT_EQ(to_hex(ba->expose()), kShared);
}

TEST(X25519, ClampingDoesNotChangeResults) {
  auto alice = X25519Private::from(hex(kAlicePriv));
  x25519_clamp(alice.mutable_bytes());
  EXPECT_EQ(alice.expose()[0] & 7, 0);
  EXPECT_EQ(alice.expose()[31] & 0xC0, 0x40);
  EXPECT_EQ(to_hex(x25519_public_from_private(alice)), kAlicePub);
}

TEST(X25519, GeneratedKeysAreClampedAndAgree) {
  auto a = x25519_generate(os_rng());
  auto b = x25519_generate(os_rng());
  EXPECT_EQ(a.private_key.expose()[0] & 7, 0);
  EXPECT_EQ(a.private_key.expose()[31] & 0xC0, 0x40);
  EXPECT_EQ(a.public_key, x25519_public_from_private(a.private_key));
  auto ab = x25519(a.private_key, b.public_key);
  auto ba = x25519(b.private_key, a.public_key);
  ASSERT_TRUE(ab && ba);
  EXPECT_TRUE(ct_equal(ab->expose(), ba->expose()));
}

TEST(X25519, DeterministicWithSeededRng) {
  std::array<std::uint8_t, 32> seed{};
  seed[0] = 42;
  DeterministicRng r1(seed), r2(seed);
  EXPECT_EQ(x25519_generate(r1).public_key, x25519_generate(r2).public_key);
}

TEST(X25519, RejectsLowOrderPointsWithZeroSharedSecret) {
  const auto alice = X25519Private::from(hex(kAlicePriv));
  const std::string_view low_order[] = {
      "0000000000000000000000000000000000000000000000000000000000000000",  // 0
      "0100000000000000000000000000000000000000000000000000000000000000",  // 1
      "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",  // order 8
      "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",  // order 8
      "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  // p - 1
      "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  // p (= 0)
      "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  // p + 1 (= 1)
  };
  for (auto h : low_order) {
    auto r = x25519(alice, pub_of(h));
    ASSERT_FALSE(r.has_value()) << h;
    EXPECT_EQ(r.error().code, Errc::zero_shared_secret) << h;
  }
}

}  // namespace
}  // namespace sotto::crypto
