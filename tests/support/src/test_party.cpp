// SPDX-License-Identifier: Apache-2.0
#include "sotto/testing/test_party.hpp"

#include <array>

namespace sotto::testing {

std::unique_ptr<crypto::DeterministicRng> seeded_rng(std::uint64_t n) {
  std::array<std::uint8_t, 32> seed{};
  for (int i = 0; i < 8; ++i) seed[i] = static_cast<std::uint8_t>(n >> (8 * i));
  return std::make_unique<crypto::DeterministicRng>(seed);
}

namespace {
protocol::IdentityKeyPair identity_from(crypto::Rng& rng) {
  return protocol::IdentityKeyPair::generate(rng);
}
}  // namespace

TestParty::TestParty(std::string name, std::uint64_t seed, std::uint32_t registration_id)
    : address{std::move(name), 1},
      rng(seeded_rng(seed)),
      identity(identity_from(*rng), registration_id) {}

protocol::PreKeyBundle TestParty::make_bundle(bool one_time, std::uint32_t signed_id,
                                              std::uint32_t one_time_id) {
  const auto& id_pair = identity.identity_key_pair();
  auto signed_prekey = protocol::generate_signed_prekey(signed_id, id_pair, 0, *rng);
  protocol::PreKeyBundle bundle;
  bundle.registration_id = identity.local_registration_id();
  bundle.device_id = address.device_id;
  bundle.identity_key = id_pair.public_key;
  bundle.signed_prekey_id = signed_id;
  bundle.signed_prekey = signed_prekey.key_pair.public_key;
  bundle.signed_prekey_signature.assign(signed_prekey.signature.begin(),
                                        signed_prekey.signature.end());
  (void)signed_prekeys.store_signed_prekey(std::move(signed_prekey));
  if (one_time) {
    auto prekey = protocol::generate_prekey(one_time_id, *rng);
    bundle.prekey_id = one_time_id;
    bundle.prekey = prekey.key_pair.public_key;
    (void)prekeys.store_prekey(std::move(prekey));
  }
  return bundle;
}

}  // namespace sotto::testing
