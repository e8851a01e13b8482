// SPDX-License-Identifier: Apache-2.0
// X3DH key agreement for the v3 profile (X3DH §3.3; spec/signal-wire.md §10-11)
// and the initial Double Ratchet state each side derives from it. Internal.
#pragma once

#include <optional>

#include "sotto/core/result.hpp"
#include "sotto/crypto/rng.hpp"
#include "sotto/protocol/keys.hpp"
#include "sotto/protocol/session_state.hpp"

namespace sotto::protocol::detail {

struct AliceParameters {
  const IdentityKeyPair& our_identity;
  const KeyPair& our_base_key;
  const PublicKey& their_identity;
  const PublicKey& their_signed_prekey;
  std::optional<PublicKey> their_one_time_prekey;
};

struct BobParameters {
  const IdentityKeyPair& our_identity;
  const KeyPair& our_signed_prekey;
  const KeyPair* our_one_time_prekey;  // nullptr when the message named none
  const PublicKey& their_identity;
  const PublicKey& their_base_key;
};

// The initiator's state: a receiving chain on Bob's signed prekey and a fresh
// sending ratchet key (drawn from rng). Errors: zero_shared_secret.
Result<SessionState> initialize_alice(const AliceParameters& p, crypto::Rng& rng);

// The responder's state: sending on the signed prekey pair with the X3DH chain key.
Result<SessionState> initialize_bob(const BobParameters& p);

}  // namespace sotto::protocol::detail
