// SPDX-License-Identifier: Apache-2.0
// The protocol's store interfaces over the client database. They behave like
// the in-memory stores (memory_stores.hpp), except for the identity trust
// policy, which is the client's (store.hpp).
#pragma once

#include <cstdint>

#include "sotto/protocol/stores.hpp"
#include "util.hpp"

namespace sotto::client::store {

class SqlIdentityKeyStore final : public protocol::IdentityKeyStore {
 public:
  explicit SqlIdentityKeyStore(Database& db) : db_(db) {}

  const protocol::IdentityKeyPair& identity_key_pair() const override { return identity_; }
  std::uint32_t local_registration_id() const override { return registration_id_; }
  Result<bool> save_identity(const protocol::ProtocolAddress& address,
                             const protocol::PublicKey& identity) override;
  Result<bool> is_trusted_identity(const protocol::ProtocolAddress& address,
                                   const protocol::PublicKey& identity,
                                   protocol::Direction direction) override;
  Result<std::optional<protocol::PublicKey>> get_identity(
      const protocol::ProtocolAddress& address) override;

  // The local account's keys, cached because identity_key_pair() returns a
  // reference and cannot fail. Zero until an account is loaded or saved.
  void set_local(protocol::IdentityKeyPair identity, std::uint32_t registration_id) {
    identity_ = std::move(identity);
    registration_id_ = registration_id;
  }
  void clear_local() { set_local(protocol::IdentityKeyPair{}, 0); }

 private:
  Database& db_;
  protocol::IdentityKeyPair identity_;
  std::uint32_t registration_id_ = 0;
};

class SqlPreKeyStore final : public protocol::PreKeyStore {
 public:
  explicit SqlPreKeyStore(Database& db) : db_(db) {}
  Result<protocol::PreKeyRecord> load_prekey(std::uint32_t id) override;
  Status store_prekey(protocol::PreKeyRecord record) override;
  Status remove_prekey(std::uint32_t id) override;

 private:
  Database& db_;
};

class SqlSignedPreKeyStore final : public protocol::SignedPreKeyStore {
 public:
  explicit SqlSignedPreKeyStore(Database& db) : db_(db) {}
  Result<protocol::SignedPreKeyRecord> load_signed_prekey(std::uint32_t id) override;
  Status store_signed_prekey(protocol::SignedPreKeyRecord record) override;

 private:
  Database& db_;
};

class SqlSessionStore final : public protocol::SessionStore {
 public:
  explicit SqlSessionStore(Database& db) : db_(db) {}
  Result<std::optional<protocol::SessionRecord>> load_session(
      const protocol::ProtocolAddress& address) override;
  Status store_session(const protocol::ProtocolAddress& address,
                       protocol::SessionRecord record) override;

 private:
  Database& db_;
};

class SqlSenderKeyStore final : public protocol::SenderKeyStore {
 public:
  explicit SqlSenderKeyStore(Database& db) : db_(db) {}
  Result<std::optional<protocol::SenderKeyRecord>> load_sender_key(
      const protocol::ProtocolAddress& sender, const protocol::DistributionId& id) override;
  Status store_sender_key(const protocol::ProtocolAddress& sender,
                          const protocol::DistributionId& id,
                          protocol::SenderKeyRecord record) override;

 private:
  Database& db_;
};

}  // namespace sotto::client::store
