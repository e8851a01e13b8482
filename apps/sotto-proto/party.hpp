// SPDX-License-Identifier: Apache-2.0
// One simulated device inside the driver: its identity, its randomness and its
// in-memory stores.
#pragma once

#include <memory>

#include "sotto/crypto/rng.hpp"
#include "sotto/protocol/memory_stores.hpp"

namespace sotto::proto_driver {

struct Party {
  Party(protocol::ProtocolAddress addr, std::uint32_t registration_id, std::uint32_t protocol_version,
        std::unique_ptr<crypto::Rng> random)
      : address(std::move(addr)),
        version(protocol_version),
        rng(std::move(random)),
        identity(protocol::IdentityKeyPair::generate(*rng), registration_id) {}

  protocol::SessionStores stores() { return {identity, prekeys, signed_prekeys, sessions}; }

  protocol::ProtocolAddress address;
  std::uint32_t version;
  std::unique_ptr<crypto::Rng> rng;
  protocol::InMemoryIdentityKeyStore identity;
  protocol::InMemoryPreKeyStore prekeys;
  protocol::InMemorySignedPreKeyStore signed_prekeys;
  protocol::InMemorySessionStore sessions;
  protocol::InMemorySenderKeyStore sender_keys;
};

}  // namespace sotto::proto_driver
