// SPDX-License-Identifier: Apache-2.0
#include "sotto/protocol/prekeys.hpp"

namespace sotto::protocol {

PreKeyRecord generate_prekey(std::uint32_t id, crypto::Rng& rng) {
  return {id, KeyPair::generate(rng)};
}

SignedPreKeyRecord generate_signed_prekey(std::uint32_t id, const IdentityKeyPair& identity,
                                          std::uint64_t timestamp_ms, crypto::Rng& rng) {
  auto pair = KeyPair::generate(rng);
  // The signature covers the 33-byte serialized key, type byte included
  // (spec/signal-wire.md §2 "What gets signed").
  auto serialized = pair.public_key.serialize();
  auto signature = identity.sign(serialized, rng);
  return {id, std::move(pair), signature, timestamp_ms};
}

}  // namespace sotto::protocol
