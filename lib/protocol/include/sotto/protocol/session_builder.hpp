// SPDX-License-Identifier: Apache-2.0
// Starting a session from a peer's prekey bundle (X3DH §3.3, initiator side).
#pragma once

#include "sotto/core/result.hpp"
#include "sotto/crypto/rng.hpp"
#include "sotto/protocol/address.hpp"
#include "sotto/protocol/prekeys.hpp"
#include "sotto/protocol/stores.hpp"

namespace sotto::protocol {

// Verifies the bundle and sets up a new current session state for `remote`
// (the old one, if any, is archived). Until the peer replies, encrypt() wraps
// messages in PreKeySignalMessages. Saves the bundle's identity key.
// Errors: untrusted_identity (a different identity than the one stored),
// invalid_signature (signed prekey signature), invalid_key, zero_shared_secret,
// or a store error. On error nothing is stored.
Status process_prekey_bundle(const ProtocolAddress& remote, const PreKeyBundle& bundle,
                             SessionStores& stores, crypto::Rng& rng);

}  // namespace sotto::protocol
