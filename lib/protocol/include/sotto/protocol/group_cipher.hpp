// SPDX-License-Identifier: Apache-2.0
// Sender Keys for groups in libsignal-protocol-c's v3 format (spec/signal-wire.md §5, §6).
// A sender distributes its chain once (over 1:1 sessions) and then encrypts each
// group message once for everybody.
#pragma once

#include "sotto/core/bytes.hpp"
#include "sotto/core/result.hpp"
#include "sotto/crypto/rng.hpp"
#include "sotto/protocol/address.hpp"
#include "sotto/protocol/stores.hpp"

namespace sotto::protocol {

// Returns a SenderKeyDistributionMessage for our own chain in `id`, creating the
// chain on first use; later calls describe the chain at its current position.
Result<Bytes> create_sender_key_distribution(const ProtocolAddress& self, const DistributionId& id,
                                             SenderKeyStore& store, crypto::Rng& rng);

// Stores a sender's distribution message. Errors: invalid_message, invalid_key,
// legacy_version, unknown_version.
Status process_sender_key_distribution(const ProtocolAddress& sender, const DistributionId& id,
                                       ByteView serialized, SenderKeyStore& store);

// Errors: no_session (no chain created yet), store errors.
Result<Bytes> group_encrypt(const ProtocolAddress& self, const DistributionId& id,
                            ByteView plaintext, SenderKeyStore& store, crypto::Rng& rng);

// Errors: no_session (unknown sender or chain), invalid_signature,
// duplicate_message, too_far_in_future, invalid_message, version errors.
Result<Bytes> group_decrypt(const ProtocolAddress& sender, const DistributionId& id,
                            ByteView serialized, SenderKeyStore& store);

}  // namespace sotto::protocol
