// SPDX-License-Identifier: Apache-2.0
// Serialized forms of the protocol's records, for stores that keep them on
// disk (the client's SQLite database). The bytes contain private keys, so they
// come back in SecretBytes. Parsers treat input as untrusted: any malformed or
// inconsistent record is Errc::invalid_message, never a crash.
#pragma once

#include "sotto/core/result.hpp"
#include "sotto/crypto/secret.hpp"
#include "sotto/protocol/keys.hpp"
#include "sotto/protocol/prekeys.hpp"
#include "sotto/protocol/sender_keys.hpp"
#include "sotto/protocol/session_state.hpp"

namespace sotto::protocol {

crypto::SecretBytes serialize_record(const SessionRecord& record);
Result<SessionRecord> parse_session_record(ByteView bytes);

crypto::SecretBytes serialize_record(const SenderKeyRecord& record);
Result<SenderKeyRecord> parse_sender_key_record(ByteView bytes);

crypto::SecretBytes serialize_record(const PreKeyRecord& record);
Result<PreKeyRecord> parse_prekey_record(ByteView bytes);

crypto::SecretBytes serialize_record(const SignedPreKeyRecord& record);
Result<SignedPreKeyRecord> parse_signed_prekey_record(ByteView bytes);

// An identity key pair is kept as its private key; the public key is derived.
crypto::SecretBytes serialize_identity(const IdentityKeyPair& identity);
Result<IdentityKeyPair> parse_identity(ByteView bytes);

}  // namespace sotto::protocol
