// SPDX-License-Identifier: Apache-2.0
// Curve25519 keys in Signal's encoding (spec/signal-wire.md §1): a public key is
// serialized as 0x05 || u (33 bytes); a private key is 32 clamped bytes.
#pragma once

#include <array>
#include <cstdint>

#include "sotto/core/bytes.hpp"
#include "sotto/core/result.hpp"
#include "sotto/crypto/rng.hpp"
#include "sotto/crypto/x25519.hpp"
#include "sotto/crypto/xeddsa.hpp"

namespace sotto::protocol {

constexpr std::uint8_t kDjbKeyType = 0x05;
constexpr std::size_t kSerializedPublicKeySize = 33;

class PublicKey {
 public:
  PublicKey() = default;
  explicit PublicKey(const crypto::X25519Public& raw) : raw_(raw) {}

  // Accepts exactly 33 bytes starting with 0x05; anything else is Errc::invalid_key.
  static Result<PublicKey> deserialize(ByteView serialized);

  [[nodiscard]] std::array<std::uint8_t, kSerializedPublicKeySize> serialize() const;
  [[nodiscard]] const crypto::X25519Public& raw() const { return raw_; }

  // True when u < 2^255 - 19. X25519 ignores bit 255 and reduces u mod p, so a
  // non-canonical encoding names the same key as a canonical one: it must not
  // be accepted where the bytes identify something (a PreKey message's base key).
  [[nodiscard]] bool is_canonical() const;

  [[nodiscard]] bool verify_signature(ByteView message, ByteView signature) const {
    return crypto::xeddsa_verify(raw_, message, signature);
  }

  friend bool operator==(const PublicKey&, const PublicKey&) = default;

 private:
  crypto::X25519Public raw_{};
};

struct KeyPair {
  PublicKey public_key;
  crypto::X25519Private private_key;

  static KeyPair generate(crypto::Rng& rng);
  // Rebuilds a pair from a stored private key (the public key is recomputed).
  static KeyPair from_private(crypto::X25519Private private_key);
  [[nodiscard]] KeyPair clone() const { return {public_key, private_key.clone()}; }

  [[nodiscard]] crypto::XEdDSASignature sign(ByteView message, crypto::Rng& rng) const {
    return crypto::xeddsa_sign(private_key, message, rng);
  }
  // DH(this private key, their public key); Errc::zero_shared_secret on a small-order key.
  [[nodiscard]] Result<crypto::SecretKey<32>> agree(const PublicKey& theirs) const {
    return crypto::x25519(private_key, theirs.raw());
  }
};

// A device's long-term identity (IK). Signal uses the same type as any key pair.
using IdentityKeyPair = KeyPair;

}  // namespace sotto::protocol
