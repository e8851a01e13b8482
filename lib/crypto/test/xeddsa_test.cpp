// SPDX-License-Identifier: Apache-2.0
#include "sotto/crypto/xeddsa.hpp"

#include <gtest/gtest.h>

#include "test_util.hpp"

namespace sotto::crypto {
namespace {

std::array<std::uint8_t, 32> seed_of(std::uint8_t b) {
  std::array<std::uint8_t, 32> s{};
  s.fill(b);
  return s;
}

// A signed prekey is signed as its 33-byte serialization (0x05 || u).
Bytes spk_message() {
  Bytes m(33, 0x42);
  m[0] = 0x05;
  return m;
}

TEST(XEdDSA, SignVerifyRoundTrip) {
  for (int i = 0; i < 20; ++i) {
    auto kp = x25519_generate(os_rng());
    for (std::size_t len : {0u, 1u, 33u, 100u, 1569u}) {
      const Bytes msg(len, static_cast<std::uint8_t>(i));
      const auto sig = xeddsa_sign(kp.private_key, msg, os_rng());
      EXPECT_TRUE(xeddsa_verify(kp.public_key, msg, sig)) << "key " << i << " len " << len;
    }
  }
}

TEST(XEdDSA, UnclampedPrivateKeyStillSignsForItsPublicKey) {
  // RFC 7748 §6.1 Alice: the raw key is not clamped; X25519 clamps it, so must we.
  const auto raw = X25519Private::from(
      test::hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
  const auto pub = x25519_public_from_private(raw);
  const auto sig = xeddsa_sign(raw, spk_message(), os_rng());
  EXPECT_TRUE(xeddsa_verify(pub, spk_message(), sig));
}

TEST(XEdDSA, BothSignsOfAVerify) {
  // The sign bit of A is whatever the key gives (no negation); make sure keys
  // of both signs occur and verify.
  int seen[2] = {0, 0};
  for (int i = 0; i < 64 && (seen[0] == 0 || seen[1] == 0); ++i) {
    auto kp = x25519_generate(os_rng());
    const auto sig = xeddsa_sign(kp.private_key, spk_message(), os_rng());
    ++seen[sig[63] >> 7];
    EXPECT_TRUE(xeddsa_verify(kp.public_key, spk_message(), sig));
  }
  EXPECT_GT(seen[0], 0);
  EXPECT_GT(seen[1], 0);
}

TEST(XEdDSA, TamperedMessageFails) {
  auto kp = x25519_generate(os_rng());
  const Bytes msg = spk_message();
  const auto sig = xeddsa_sign(kp.private_key, msg, os_rng());
  for (std::size_t i = 0; i < msg.size(); ++i) {
    Bytes bad = msg;
    bad[i] ^= 0x01;
    EXPECT_FALSE(xeddsa_verify(kp.public_key, bad, sig)) << "message byte " << i;
  }
  Bytes longer = msg;
  longer.push_back(0);
  EXPECT_FALSE(xeddsa_verify(kp.public_key, longer, sig));
  EXPECT_FALSE(xeddsa_verify(kp.public_key, ByteView(msg).first(32), sig));
}

TEST(XEdDSA, TamperedSignatureFails) {
  auto kp = x25519_generate(os_rng());
  const Bytes msg = spk_message();
  const auto sig = xeddsa_sign(kp.private_key, msg, os_rng());
  for (std::size_t i = 0; i < sig.size(); ++i) {
    for (std::uint8_t bit : {0x01, 0x80}) {
      auto bad = sig;
      bad[i] ^= bit;
      EXPECT_FALSE(xeddsa_verify(kp.public_key, msg, bad)) << "byte " << i << " bit " << +bit;
    }
  }
}

TEST(XEdDSA, FlippingSignBitFails) {
  auto kp = x25519_generate(os_rng());
  auto sig = xeddsa_sign(kp.private_key, spk_message(), os_rng());
  sig[63] ^= 0x80;
  EXPECT_FALSE(xeddsa_verify(kp.public_key, spk_message(), sig));
}

TEST(XEdDSA, RejectsLargeS) {
  auto kp = x25519_generate(os_rng());
  auto sig = xeddsa_sign(kp.private_key, spk_message(), os_rng());
  for (std::uint8_t bits : {0x20, 0x40, 0x60}) {
    auto bad = sig;
    bad[63] |= bits;
    EXPECT_FALSE(xeddsa_verify(kp.public_key, spk_message(), bad));
  }
}

TEST(XEdDSA, WrongKeyFails) {
  auto a = x25519_generate(os_rng());
  auto b = x25519_generate(os_rng());
  const auto sig = xeddsa_sign(a.private_key, spk_message(), os_rng());
  EXPECT_FALSE(xeddsa_verify(b.public_key, spk_message(), sig));
}

TEST(XEdDSA, WrongLengthFails) {
  auto kp = x25519_generate(os_rng());
  const auto sig = xeddsa_sign(kp.private_key, spk_message(), os_rng());
  Bytes longer(sig.begin(), sig.end());
  longer.push_back(0);
  EXPECT_FALSE(xeddsa_verify(kp.public_key, spk_message(), longer));
  EXPECT_FALSE(xeddsa_verify(kp.public_key, spk_message(), ByteView(sig).first(63)));
  EXPECT_FALSE(xeddsa_verify(kp.public_key, spk_message(), ByteView{}));
}

TEST(XEdDSA, DeterministicWithSeededRngAndRandomizedOtherwise) {
  DeterministicRng k1(seed_of(1)), k2(seed_of(1));
  auto kp1 = x25519_generate(k1);
  auto kp2 = x25519_generate(k2);
  DeterministicRng z1(seed_of(2)), z2(seed_of(2)), z3(seed_of(3));
  const auto s1 = xeddsa_sign(kp1.private_key, spk_message(), z1);
  const auto s2 = xeddsa_sign(kp2.private_key, spk_message(), z2);
  const auto s3 = xeddsa_sign(kp1.private_key, spk_message(), z3);
  EXPECT_EQ(s1, s2);
  EXPECT_NE(s1, s3);  // a different Z gives a different nonce
  EXPECT_TRUE(xeddsa_verify(kp1.public_key, spk_message(), s3));
}

TEST(XEdDSA, MalformedPublicKeysAreRejectedNotCrashed) {
  auto kp = x25519_generate(os_rng());
  const auto sig = xeddsa_sign(kp.private_key, spk_message(), os_rng());
  X25519Public p_minus_1{};
  p_minus_1.fill(0xff);
  p_minus_1[0] = 0xec;
  p_minus_1[31] = 0x7f;  // u = -1: no Edwards y
  X25519Public p = p_minus_1;
  p[0] = 0xed;  // u = p: not canonical
  X25519Public all_ff{};
  all_ff.fill(0xff);    // >= 2^255
  X25519Public zero{};  // u = 0 -> y = -1, a point of order 2
  X25519Public high_bit = kp.public_key;
  high_bit[31] |= 0x80;  // the same u with bit 255 set is not canonical
  for (const auto& bad : {p_minus_1, p, all_ff, zero, high_bit}) {
    EXPECT_FALSE(xeddsa_verify(bad, spk_message(), sig));
  }
}

}  // namespace
}  // namespace sotto::crypto
