// SPDX-License-Identifier: Apache-2.0
// Encrypting and decrypting 1:1 messages with the Double Ratchet (v3 profile).
// Every call loads the session, works on a copy and stores it only on success:
// a message that fails to decrypt leaves every store exactly as it was.
#pragma once

#include <cstdint>

#include "sotto/core/bytes.hpp"
#include "sotto/core/result.hpp"
#include "sotto/crypto/rng.hpp"
#include "sotto/protocol/address.hpp"
#include "sotto/protocol/stores.hpp"

namespace sotto::protocol {

// CiphertextMessageType values (spec/signal-wire.md §5 "Other messages").
enum class MessageType : std::uint8_t { whisper = 2, prekey = 3, sender_key = 7, plaintext = 8 };

struct CiphertextMessage {
  MessageType type = MessageType::whisper;
  Bytes serialized;
};

// Errors: no_session, untrusted_identity (the session's identity is no longer
// trusted), store errors.
Result<CiphertextMessage> encrypt(const ProtocolAddress& remote, ByteView plaintext,
                                  SessionStores& stores, crypto::Rng& rng);

// Decrypts a SignalMessage, trying the current state then the archived ones.
// Errors: no_session, invalid_message (malformed or no state could decrypt),
// invalid_mac, duplicate_message, too_far_in_future, legacy_version,
// unknown_version, invalid_key.
Result<Bytes> decrypt_signal_message(const ProtocolAddress& remote, ByteView serialized,
                                     SessionStores& stores, crypto::Rng& rng);

// Decrypts a PreKeySignalMessage, setting up the session it starts (X3DH §3.3,
// responder side) unless a state with its base key already exists. Only on
// success are the session stored, the one-time prekey removed and the sender's
// identity saved. Errors as decrypt_signal_message plus untrusted_identity and
// invalid_prekey_id (unknown one-time or signed prekey).
Result<Bytes> decrypt_prekey_message(const ProtocolAddress& remote, ByteView serialized,
                                     SessionStores& stores, crypto::Rng& rng);

}  // namespace sotto::protocol
