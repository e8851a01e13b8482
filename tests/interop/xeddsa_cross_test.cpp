// SPDX-License-Identifier: Apache-2.0
// XEdDSA interop: signatures made by sotto::crypto must verify with
// libsignal-protocol-c's curve_verify_signature, and signatures made by its
// curve_calculate_signature must verify with ours; a flipped bit anywhere
// (message, any signature byte, key) must fail on both sides.
// Test-only: links the GPL library through sotto_signal_c_provider.
#include <curve.h>
#include <gtest/gtest.h>
#include <signal_protocol.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>

#include "signal_c_handles.hpp"
#include "signal_c_provider.hpp"
#include "sotto/core/encoding.hpp"
#include "sotto/crypto/rng.hpp"
#include "sotto/crypto/x25519.hpp"
#include "sotto/crypto/xeddsa.hpp"

namespace {

using sotto::Bytes;
using sotto::ByteView;
using sotto::crypto::DeterministicRng;
using sotto::crypto::X25519KeyPair;
using sotto::crypto::X25519Private;
using sotto::crypto::X25519Public;
using sotto::peer_c::Buffer;
using sotto::peer_c::Context;
using sotto::peer_c::Ref;

constexpr std::size_t kMaxMessage = 300;

constexpr std::array<std::uint8_t, 32> kSeed = {'x', 'e', 'd', 'd', 's', 'a',
                                                '-', 'c', 'r', 'o', 's', 's'};

// The C library reads the message through its pointer even for length 0.
const std::uint8_t* nonnull(const Bytes& b) {
  static const std::uint8_t kEmpty = 0;
  return b.empty() ? &kEmpty : b.data();
}

Bytes random_bytes(sotto::crypto::Rng& rng, std::size_t n) {
  Bytes out(n);
  rng.fill(out);
  return out;
}

class XEdDSACrossTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ctx_ = Context::create(sotto::peer_c::make_os_random());
    ASSERT_NE(ctx_, nullptr);
  }

  Ref<ec_public_key> c_public(const X25519Public& pub) const {
    Bytes serialized{0x05};
    serialized.insert(serialized.end(), pub.begin(), pub.end());
    Ref<ec_public_key> key;
    EXPECT_EQ(curve_decode_point(key.out(), serialized.data(), serialized.size(), ctx_->get()), 0);
    return key;
  }

  Ref<ec_private_key> c_private(const X25519Private& priv) const {
    Ref<ec_private_key> key;
    EXPECT_EQ(curve_decode_private_point(key.out(), priv.expose().data(), priv.size(), ctx_->get()),
              0);
    return key;
  }

  // 1 valid, 0 invalid, negative on a library error.
  int c_verify(const X25519Public& pub, const Bytes& message, ByteView signature) const {
    auto key = c_public(pub);
    return curve_verify_signature(key.get(), nonnull(message), message.size(), signature.data(),
                                  signature.size());
  }

  Bytes c_sign(const X25519Private& priv, const Bytes& message) const {
    auto key = c_private(priv);
    Buffer signature;
    EXPECT_EQ(curve_calculate_signature(ctx_->get(), signature.out(), key.get(), nonnull(message),
                                        message.size()),
              0);
    return signature.bytes();
  }

  std::unique_ptr<Context> ctx_;
};

TEST_F(XEdDSACrossTest, SamePublicKeyFromPrivate) {
  DeterministicRng rng(kSeed);
  for (int i = 0; i < 50; ++i) {
    const X25519KeyPair kp = sotto::crypto::x25519_generate(rng);
    auto priv = c_private(kp.private_key);
    Ref<ec_public_key> pub;
    ASSERT_EQ(curve_generate_public_key(pub.out(), priv.get()), 0);
    Buffer serialized;
    ASSERT_EQ(ec_public_key_serialize(serialized.out(), pub.get()), 0);
    const Bytes theirs = serialized.bytes();
    ASSERT_EQ(theirs.size(), 33u);
    EXPECT_EQ(Bytes(theirs.begin() + 1, theirs.end()),
              Bytes(kp.public_key.begin(), kp.public_key.end()))
        << "key " << i;
  }
}

TEST_F(XEdDSACrossTest, OurSignaturesVerifyInLibsignalC) {
  DeterministicRng rng(kSeed);
  for (std::size_t len = 0; len <= kMaxMessage; ++len) {
    const X25519KeyPair kp = sotto::crypto::x25519_generate(rng);
    const Bytes message = random_bytes(rng, len);
    const auto signature = sotto::crypto::xeddsa_sign(kp.private_key, message, rng);
    EXPECT_EQ(c_verify(kp.public_key, message, signature), 1)
        << "length " << len << " key " << sotto::hex_encode(kp.public_key) << " sig "
        << sotto::hex_encode(signature);
  }
}

TEST_F(XEdDSACrossTest, LibsignalCSignaturesVerifyInOurs) {
  DeterministicRng rng(kSeed);
  for (std::size_t len = 0; len <= kMaxMessage; ++len) {
    const X25519KeyPair kp = sotto::crypto::x25519_generate(rng);
    const Bytes message = random_bytes(rng, len);
    const Bytes signature = c_sign(kp.private_key, message);
    ASSERT_EQ(signature.size(), 64u);
    EXPECT_TRUE(sotto::crypto::xeddsa_verify(kp.public_key, message, signature))
        << "length " << len << " key " << sotto::hex_encode(kp.public_key) << " sig "
        << sotto::hex_encode(signature);
  }
}

TEST_F(XEdDSACrossTest, TamperedOursRejectedByLibsignalC) {
  DeterministicRng rng(kSeed);
  const X25519KeyPair kp = sotto::crypto::x25519_generate(rng);
  const X25519KeyPair other = sotto::crypto::x25519_generate(rng);
  const Bytes message = random_bytes(rng, 77);
  const auto signature = sotto::crypto::xeddsa_sign(kp.private_key, message, rng);
  ASSERT_EQ(c_verify(kp.public_key, message, signature), 1);

  // Every signature byte, a different bit each time (bits 253..255 of s
  // included: the sign bit and the s < 2^253 check).
  for (std::size_t i = 0; i < signature.size(); ++i) {
    auto bad = signature;
    bad[i] ^= static_cast<std::uint8_t>(1u << (i % 8));
    EXPECT_NE(c_verify(kp.public_key, message, bad), 1) << "signature byte " << i;
  }
  for (int bit = 5; bit < 8; ++bit) {
    auto bad = signature;
    bad[63] ^= static_cast<std::uint8_t>(1u << bit);
    EXPECT_NE(c_verify(kp.public_key, message, bad), 1) << "sig[63] bit " << bit;
  }
  for (std::size_t i = 0; i < message.size(); i += 7) {
    Bytes bad = message;
    bad[i] ^= 0x80;
    EXPECT_NE(c_verify(kp.public_key, bad, signature), 1) << "message byte " << i;
  }
  Bytes longer = message;
  longer.push_back(0);
  EXPECT_NE(c_verify(kp.public_key, longer, signature), 1);
  EXPECT_NE(c_verify(other.public_key, message, signature), 1);
}

TEST_F(XEdDSACrossTest, TamperedLibsignalCRejectedByOurs) {
  DeterministicRng rng(kSeed);
  const X25519KeyPair kp = sotto::crypto::x25519_generate(rng);
  const X25519KeyPair other = sotto::crypto::x25519_generate(rng);
  const Bytes message = random_bytes(rng, 77);
  const Bytes signature = c_sign(kp.private_key, message);
  ASSERT_TRUE(sotto::crypto::xeddsa_verify(kp.public_key, message, signature));

  for (std::size_t i = 0; i < signature.size(); ++i) {
    Bytes bad = signature;
    bad[i] ^= static_cast<std::uint8_t>(1u << (i % 8));
    EXPECT_FALSE(sotto::crypto::xeddsa_verify(kp.public_key, message, bad))
        << "signature byte " << i;
  }
  for (int bit = 5; bit < 8; ++bit) {
    Bytes bad = signature;
    bad[63] ^= static_cast<std::uint8_t>(1u << bit);
    EXPECT_FALSE(sotto::crypto::xeddsa_verify(kp.public_key, message, bad))
        << "sig[63] bit " << bit;
  }
  for (std::size_t i = 0; i < message.size(); i += 7) {
    Bytes bad = message;
    bad[i] ^= 0x80;
    EXPECT_FALSE(sotto::crypto::xeddsa_verify(kp.public_key, bad, signature))
        << "message byte " << i;
  }
  Bytes longer = message;
  longer.push_back(0);
  EXPECT_FALSE(sotto::crypto::xeddsa_verify(kp.public_key, longer, signature));
  EXPECT_FALSE(sotto::crypto::xeddsa_verify(other.public_key, message, signature));
  EXPECT_FALSE(sotto::crypto::xeddsa_verify(kp.public_key, message, ByteView(signature).first(63)));
}

}  // namespace
