// SPDX-License-Identifier: Apache-2.0
// A device with in-memory stores and a seeded RNG, so protocol tests, fuzzers
// and benchmarks can set up conversations in a line or two.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "sotto/crypto/rng.hpp"
#include "sotto/protocol/memory_stores.hpp"
#include "sotto/protocol/prekeys.hpp"

namespace sotto::testing {

// A DeterministicRng whose seed is `n` in its first bytes.
std::unique_ptr<crypto::DeterministicRng> seeded_rng(std::uint64_t n);

struct TestParty {
  TestParty(std::string name, std::uint64_t seed, std::uint32_t registration_id = 1);

  protocol::SessionStores stores() { return {identity, prekeys, signed_prekeys, sessions}; }
  // Generates and stores a signed prekey (id 1 unless given) and, when
  // `one_time` is set, a one-time prekey; returns the bundle to publish.
  protocol::PreKeyBundle make_bundle(bool one_time = true, std::uint32_t signed_id = 1,
                                     std::uint32_t one_time_id = 100);

  protocol::ProtocolAddress address;
  std::unique_ptr<crypto::DeterministicRng> rng;
  protocol::InMemoryIdentityKeyStore identity;
  protocol::InMemoryPreKeyStore prekeys;
  protocol::InMemorySignedPreKeyStore signed_prekeys;
  protocol::InMemorySessionStore sessions;
  protocol::InMemorySenderKeyStore sender_keys;
};

}  // namespace sotto::testing
