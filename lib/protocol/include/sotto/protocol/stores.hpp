// SPDX-License-Identifier: Apache-2.0
// The storage the protocol needs, as small interfaces (one per kind of record).
// Protocol code loads, computes on its own copy, and stores only after the whole
// operation succeeded, so a failed decryption never changes stored state.
// Every call may fail (a database can), hence Result everywhere.
// Implementations: memory_stores.hpp (tests, the driver); SQLite in the client.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "sotto/core/result.hpp"
#include "sotto/protocol/address.hpp"
#include "sotto/protocol/keys.hpp"
#include "sotto/protocol/prekeys.hpp"
#include "sotto/protocol/sender_keys.hpp"
#include "sotto/protocol/session_state.hpp"

namespace sotto::protocol {

enum class Direction { sending, receiving };

class IdentityKeyStore {
 public:
  virtual ~IdentityKeyStore() = default;
  virtual const IdentityKeyPair& identity_key_pair() const = 0;
  virtual std::uint32_t local_registration_id() const = 0;
  // Stores `identity` for `address`; returns true when it replaced a different key.
  virtual Result<bool> save_identity(const ProtocolAddress& address, const PublicKey& identity) = 0;
  // Trust on first use: unknown → trusted; known and equal → trusted; else not.
  virtual Result<bool> is_trusted_identity(const ProtocolAddress& address, const PublicKey& identity,
                                           Direction direction) = 0;
  virtual Result<std::optional<PublicKey>> get_identity(const ProtocolAddress& address) = 0;
};

class PreKeyStore {
 public:
  virtual ~PreKeyStore() = default;
  // Errc::invalid_prekey_id when there is no such key.
  virtual Result<PreKeyRecord> load_prekey(std::uint32_t id) = 0;
  virtual Status store_prekey(PreKeyRecord record) = 0;
  virtual Status remove_prekey(std::uint32_t id) = 0;
};

class SignedPreKeyStore {
 public:
  virtual ~SignedPreKeyStore() = default;
  // Errc::invalid_prekey_id when there is no such key.
  virtual Result<SignedPreKeyRecord> load_signed_prekey(std::uint32_t id) = 0;
  virtual Status store_signed_prekey(SignedPreKeyRecord record) = 0;
};

class SessionStore {
 public:
  virtual ~SessionStore() = default;
  // A copy the caller may change freely; nullopt when there is no session.
  virtual Result<std::optional<SessionRecord>> load_session(const ProtocolAddress& address) = 0;
  virtual Status store_session(const ProtocolAddress& address, SessionRecord record) = 0;
};

using DistributionId = std::array<std::uint8_t, 16>;  // a UUID's 16 bytes

class SenderKeyStore {
 public:
  virtual ~SenderKeyStore() = default;
  virtual Result<std::optional<SenderKeyRecord>> load_sender_key(const ProtocolAddress& sender,
                                                                 const DistributionId& id) = 0;
  virtual Status store_sender_key(const ProtocolAddress& sender, const DistributionId& id,
                                  SenderKeyRecord record) = 0;
};

// The stores one 1:1 operation touches, passed together.
struct SessionStores {
  IdentityKeyStore& identity;
  PreKeyStore& prekeys;
  SignedPreKeyStore& signed_prekeys;
  SessionStore& sessions;
};

}  // namespace sotto::protocol
