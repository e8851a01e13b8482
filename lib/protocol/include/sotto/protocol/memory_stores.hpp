// SPDX-License-Identifier: Apache-2.0
// In-memory implementations of every protocol store, for tests and the
// sotto-proto driver. Not thread-safe.
#pragma once

#include <map>
#include <utility>

#include "sotto/protocol/stores.hpp"

namespace sotto::protocol {

class InMemoryIdentityKeyStore final : public IdentityKeyStore {
 public:
  InMemoryIdentityKeyStore(IdentityKeyPair identity, std::uint32_t registration_id)
      : identity_(std::move(identity)), registration_id_(registration_id) {}

  const IdentityKeyPair& identity_key_pair() const override { return identity_; }
  std::uint32_t local_registration_id() const override { return registration_id_; }
  Result<bool> save_identity(const ProtocolAddress& address, const PublicKey& identity) override;
  Result<bool> is_trusted_identity(const ProtocolAddress& address, const PublicKey& identity,
                                   Direction direction) override;
  Result<std::optional<PublicKey>> get_identity(const ProtocolAddress& address) override;

 private:
  IdentityKeyPair identity_;
  std::uint32_t registration_id_;
  std::map<ProtocolAddress, PublicKey> known_;
};

class InMemoryPreKeyStore final : public PreKeyStore {
 public:
  Result<PreKeyRecord> load_prekey(std::uint32_t id) override;
  Status store_prekey(PreKeyRecord record) override;
  Status remove_prekey(std::uint32_t id) override;

 private:
  std::map<std::uint32_t, PreKeyRecord> keys_;
};

class InMemorySignedPreKeyStore final : public SignedPreKeyStore {
 public:
  Result<SignedPreKeyRecord> load_signed_prekey(std::uint32_t id) override;
  Status store_signed_prekey(SignedPreKeyRecord record) override;

 private:
  std::map<std::uint32_t, SignedPreKeyRecord> keys_;
};

class InMemorySessionStore final : public SessionStore {
 public:
  Result<std::optional<SessionRecord>> load_session(const ProtocolAddress& address) override;
  Status store_session(const ProtocolAddress& address, SessionRecord record) override;

 private:
  std::map<ProtocolAddress, SessionRecord> sessions_;
};

class InMemorySenderKeyStore final : public SenderKeyStore {
 public:
  Result<std::optional<SenderKeyRecord>> load_sender_key(const ProtocolAddress& sender,
                                                         const DistributionId& id) override;
  Status store_sender_key(const ProtocolAddress& sender, const DistributionId& id,
                          SenderKeyRecord record) override;

 private:
  std::map<std::pair<ProtocolAddress, DistributionId>, SenderKeyRecord> records_;
};

}  // namespace sotto::protocol
