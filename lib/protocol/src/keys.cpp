// SPDX-License-Identifier: Apache-2.0
#include "sotto/protocol/keys.hpp"

#include <algorithm>

namespace sotto::protocol {

Result<PublicKey> PublicKey::deserialize(ByteView serialized) {
  if (serialized.size() != kSerializedPublicKeySize) {
    return fail(Errc::invalid_key, "public key must be 33 bytes");
  }
  if (serialized[0] != kDjbKeyType) return fail(Errc::invalid_key, "bad key type byte");
  crypto::X25519Public raw;
  std::copy(serialized.begin() + 1, serialized.end(), raw.begin());
  return PublicKey(raw);
}

std::array<std::uint8_t, kSerializedPublicKeySize> PublicKey::serialize() const {
  std::array<std::uint8_t, kSerializedPublicKeySize> out;
  out[0] = kDjbKeyType;
  std::copy(raw_.begin(), raw_.end(), out.begin() + 1);
  return out;
}

bool PublicKey::is_canonical() const {
  if (raw_[31] & 0x80) return false;
  // u >= p = 2^255 - 19 only for 0x7fff...ffed and above.
  if (raw_[31] != 0x7f) return true;
  for (std::size_t i = 30; i >= 1; --i) {
    if (raw_[i] != 0xff) return true;
  }
  return raw_[0] < 0xed;
}

KeyPair KeyPair::generate(crypto::Rng& rng) {
  auto pair = crypto::x25519_generate(rng);
  return {PublicKey(pair.public_key), std::move(pair.private_key)};
}

KeyPair KeyPair::from_private(crypto::X25519Private private_key) {
  crypto::x25519_clamp(private_key.mutable_bytes());
  PublicKey pub(crypto::x25519_public_from_private(private_key));
  return {pub, std::move(private_key)};
}

}  // namespace sotto::protocol
