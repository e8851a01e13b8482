// SPDX-License-Identifier: Apache-2.0
#include "sotto/crypto/ed25519.hpp"

#include <gtest/gtest.h>

#include "test_util.hpp"

namespace sotto::crypto {
namespace {

using test::hex;

// RFC 8032 §7.1, TEST 2 (one-byte message).
TEST(Ed25519, Rfc8032Vector) {
  const Bytes seed_bytes = hex("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb");
  const Bytes expected_public =
      hex("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c");
  const Bytes expected_signature =
      hex("92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
          "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00");
  const Bytes message = hex("72");
  const auto seed = Ed25519Seed::from(seed_bytes);
  const Ed25519Public pub = ed25519_public_from_seed(seed);
  EXPECT_EQ(Bytes(pub.begin(), pub.end()), expected_public);
  const Ed25519Signature sig = ed25519_sign(seed, message);
  EXPECT_EQ(Bytes(sig.begin(), sig.end()), expected_signature);
  EXPECT_TRUE(ed25519_verify(pub, message, sig));
}

TEST(Ed25519, RejectsTamperingAndBadLengths) {
  std::array<std::uint8_t, 32> rng_seed{};
  rng_seed[0] = 7;
  DeterministicRng rng(rng_seed);
  const auto pair = ed25519_generate(rng);
  const Bytes message = to_bytes("sotto-auth-v1 test");
  Ed25519Signature sig = ed25519_sign(pair.seed, message);
  EXPECT_TRUE(ed25519_verify(pair.public_key, message, sig));

  Bytes other = message;
  other[0] ^= 1;
  EXPECT_FALSE(ed25519_verify(pair.public_key, other, sig));

  Ed25519Signature bad = sig;
  bad[10] ^= 0x40;
  EXPECT_FALSE(ed25519_verify(pair.public_key, message, bad));

  EXPECT_FALSE(ed25519_verify(pair.public_key, message, ByteView(sig.data(), 63)));
  EXPECT_FALSE(ed25519_verify(ByteView(pair.public_key.data(), 31), message, sig));

  const auto second = ed25519_generate(rng);
  EXPECT_NE(second.public_key, pair.public_key);
  EXPECT_FALSE(ed25519_verify(second.public_key, message, sig));
}

}  // namespace
}  // namespace sotto::crypto
