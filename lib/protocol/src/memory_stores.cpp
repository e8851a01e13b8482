// SPDX-License-Identifier: Apache-2.0
#include "sotto/protocol/memory_stores.hpp"

#include "sotto/crypto/ct.hpp"

namespace sotto::protocol {

Result<bool> InMemoryIdentityKeyStore::save_identity(const ProtocolAddress& address,
                                                     const PublicKey& identity) {
  auto it = known_.find(address);
  if (it == known_.end()) {
    known_.emplace(address, identity);
    return false;
  }
  bool changed = !crypto::ct_equal(it->second.raw(), identity.raw());
  it->second = identity;
  return changed;
}

Result<bool> InMemoryIdentityKeyStore::is_trusted_identity(const ProtocolAddress& address,
                                                           const PublicKey& identity, Direction) {
  auto it = known_.find(address);
  if (it == known_.end()) return true;
  return crypto::ct_equal(it->second.raw(), identity.raw());
}

Result<std::optional<PublicKey>> InMemoryIdentityKeyStore::get_identity(
    const ProtocolAddress& address) {
  auto it = known_.find(address);
  if (it == known_.end()) return std::optional<PublicKey>{};
  return std::optional<PublicKey>{it->second};
}

Result<PreKeyRecord> InMemoryPreKeyStore::load_prekey(std::uint32_t id) {
  auto it = keys_.find(id);
  if (it == keys_.end()) return fail(Errc::invalid_prekey_id, "no one-time prekey with that id");
  return it->second.clone();
}

Status InMemoryPreKeyStore::store_prekey(PreKeyRecord record) {
  auto id = record.id;
  keys_.insert_or_assign(id, std::move(record));
  return ok();
}

Status InMemoryPreKeyStore::remove_prekey(std::uint32_t id) {
  keys_.erase(id);
  return ok();
}

Result<SignedPreKeyRecord> InMemorySignedPreKeyStore::load_signed_prekey(std::uint32_t id) {
  auto it = keys_.find(id);
  if (it == keys_.end()) return fail(Errc::invalid_prekey_id, "no signed prekey with that id");
  return it->second.clone();
}

Status InMemorySignedPreKeyStore::store_signed_prekey(SignedPreKeyRecord record) {
  auto id = record.id;
  keys_.insert_or_assign(id, std::move(record));
  return ok();
}

Result<std::optional<SessionRecord>> InMemorySessionStore::load_session(
    const ProtocolAddress& address) {
  auto it = sessions_.find(address);
  if (it == sessions_.end()) return std::optional<SessionRecord>{};
  return std::optional<SessionRecord>{it->second.clone()};
}

Status InMemorySessionStore::store_session(const ProtocolAddress& address, SessionRecord record) {
  sessions_.insert_or_assign(address, std::move(record));
  return ok();
}

Result<std::optional<SenderKeyRecord>> InMemorySenderKeyStore::load_sender_key(
    const ProtocolAddress& sender, const DistributionId& id) {
  auto it = records_.find({sender, id});
  if (it == records_.end()) return std::optional<SenderKeyRecord>{};
  return std::optional<SenderKeyRecord>{it->second.clone()};
}

Status InMemorySenderKeyStore::store_sender_key(const ProtocolAddress& sender,
                                                const DistributionId& id, SenderKeyRecord record) {
  records_.insert_or_assign({sender, id}, std::move(record));
  return ok();
}

}  // namespace sotto::protocol
