// SPDX-License-Identifier: Apache-2.0
// Prekeys and the bundle a device publishes so others can start sessions with
// it while it is offline (X3DH §3.2).
#pragma once

#include <cstdint>
#include <optional>

#include "sotto/crypto/xeddsa.hpp"
#include "sotto/protocol/keys.hpp"

namespace sotto::protocol {

struct PreKeyRecord {
  std::uint32_t id = 0;
  KeyPair key_pair;

  [[nodiscard]] PreKeyRecord clone() const { return {id, key_pair.clone()}; }
};

struct SignedPreKeyRecord {
  std::uint32_t id = 0;
  KeyPair key_pair;
  crypto::XEdDSASignature signature{};  // by the identity key over key_pair.public_key.serialize()
  std::uint64_t timestamp_ms = 0;       // creation time, supplied by the caller (no clock here)

  [[nodiscard]] SignedPreKeyRecord clone() const {
    return {id, key_pair.clone(), signature, timestamp_ms};
  }
};

PreKeyRecord generate_prekey(std::uint32_t id, crypto::Rng& rng);
SignedPreKeyRecord generate_signed_prekey(std::uint32_t id, const IdentityKeyPair& identity,
                                          std::uint64_t timestamp_ms, crypto::Rng& rng);

// What a server hands out for one device. Public data only.
struct PreKeyBundle {
  std::uint32_t registration_id = 0;
  std::uint32_t device_id = 0;
  std::optional<std::uint32_t> prekey_id;
  std::optional<PublicKey> prekey;
  std::uint32_t signed_prekey_id = 0;
  PublicKey signed_prekey;
  Bytes signed_prekey_signature;
  PublicKey identity_key;
};

}  // namespace sotto::protocol
