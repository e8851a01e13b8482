// SPDX-License-Identifier: Apache-2.0
// Peers' identity keys and the client's trust policy (store.hpp):
//  - receiving: always trusted; the protocol saves the key after a successful
//    decrypt, and a changed key sets `changed` and clears `verified`.
//  - sending: an unknown or equal key is trusted; a changed key is trusted
//    only while the peer is not verified (the protocol then saves it, which
//    flags it as changed); once verified, a new key must be looked at first.
// is_trusted_identity never writes: a failed session setup or decrypt must
// leave the stored key as it was.
#include "protocol_stores.hpp"

namespace sotto::client::store {

namespace {

struct KnownIdentity {
  protocol::PublicKey key;
  bool verified = false;
};

Result<std::optional<KnownIdentity>> find_identity(Database& db, const std::string& name) {
  STORE_ASSIGN(q, db.query("SELECT key, verified FROM identities WHERE name = ?1"));
  q.bind_text(1, name);
  STORE_ASSIGN(row, q.step());
  if (!row) return std::optional<KnownIdentity>{};
  auto key = protocol::PublicKey::deserialize(q.blob_view(0));
  if (!key) return tl::unexpected(corrupt("identity key of " + name, key.error()));
  return std::optional<KnownIdentity>{KnownIdentity{*key, q.int64(1) != 0}};
}

}  // namespace

Result<bool> SqlIdentityKeyStore::save_identity(const protocol::ProtocolAddress& address,
                                                const protocol::PublicKey& identity) {
  STORE_ASSIGN(known, find_identity(db_, address.name));
  if (known && known->key == identity) return false;
  auto serialized = identity.serialize();
  if (!known) {
    STORE_ASSIGN(q, db_.query("INSERT INTO identities(name, key, verified, changed, first_seen) "
                              "VALUES(?1, ?2, 0, 0, ?3)"));
    q.bind_text(1, address.name).bind(2, serialized).bind(3, to_sql(now_ms()));
    SOTTO_TRY(q.run());
    return false;
  }
  STORE_ASSIGN(q, db_.query("UPDATE identities SET key = ?2, verified = 0, changed = 1, "
                            "first_seen = ?3 WHERE name = ?1"));
  q.bind_text(1, address.name).bind(2, serialized).bind(3, to_sql(now_ms()));
  SOTTO_TRY(q.run());
  return true;
}

Result<bool> SqlIdentityKeyStore::is_trusted_identity(const protocol::ProtocolAddress& address,
                                                      const protocol::PublicKey& identity,
                                                      protocol::Direction direction) {
  if (direction == protocol::Direction::receiving) return true;
  STORE_ASSIGN(known, find_identity(db_, address.name));
  if (!known || known->key == identity) return true;
  return !known->verified;
}

Result<std::optional<protocol::PublicKey>> SqlIdentityKeyStore::get_identity(
    const protocol::ProtocolAddress& address) {
  STORE_ASSIGN(known, find_identity(db_, address.name));
  if (!known) return std::optional<protocol::PublicKey>{};
  return std::optional<protocol::PublicKey>{known->key};
}

}  // namespace sotto::client::store
