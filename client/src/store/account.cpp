// SPDX-License-Identifier: Apache-2.0
// The local account row, and wiping the whole database.
#include "impl.hpp"
#include "sotto/crypto/ct.hpp"
#include "sotto/protocol/records.hpp"

namespace sotto::client {

namespace {

Result<protocol::IdentityKeyPair> read_identity(const store::Query& q, int column) {
  auto identity = protocol::parse_identity(q.blob_view(column));
  if (!identity) return tl::unexpected(store::corrupt("identity key", identity.error()));
  return std::move(*identity);
}

}  // namespace

Status ClientStore::Impl::refresh_local_identity() {
  STORE_ASSIGN(q, db->query("SELECT identity, registration_id FROM account WHERE id = 1"));
  STORE_ASSIGN(row, q.step());
  if (!row) {
    identities.clear_local();
    return ok();
  }
  STORE_ASSIGN(identity, read_identity(q, 0));
  identities.set_local(std::move(identity), static_cast<std::uint32_t>(q.int64(1)));
  return ok();
}

Result<std::optional<LocalAccount>> ClientStore::load_account() {
  STORE_ASSIGN(
      q, impl_->db->query("SELECT username, account_id, device_id, device_seed, identity, "
                          "registration_id, server_host, server_port, server_pin, next_prekey_id, "
                          "next_signed_prekey_id FROM account WHERE id = 1"));
  STORE_ASSIGN(row, q.step());
  if (!row) {
    impl_->identities.clear_local();
    return std::optional<LocalAccount>{};
  }
  LocalAccount account;
  account.username = q.text(0);
  account.account_id = q.id<16>(1);
  account.device_id = static_cast<std::uint32_t>(q.int64(2));
  // Straight from SQLite's buffer into wiping storage (length CHECKed).
  account.device_seed = crypto::Ed25519Seed::from(q.blob_view(3));
  STORE_ASSIGN(identity, read_identity(q, 4));
  account.identity = std::move(identity);
  account.registration_id = static_cast<std::uint32_t>(q.int64(5));
  account.server_host = q.text(6);
  account.server_port = static_cast<std::uint16_t>(q.int64(7));
  account.server_pin = q.id<32>(8);
  account.next_prekey_id = static_cast<std::uint32_t>(q.int64(9));
  account.next_signed_prekey_id = static_cast<std::uint32_t>(q.int64(10));
  impl_->identities.set_local(account.identity.clone(), account.registration_id);
  return std::optional<LocalAccount>{std::move(account)};
}

Status ClientStore::save_account(const LocalAccount& account) {
  auto& db = *impl_->db;
  auto identity = protocol::serialize_identity(account.identity);
  Status done = store::in_savepoint(db, [&]() -> Status {
    {
      STORE_ASSIGN(
          q, db.query("SELECT identity, device_seed, registration_id FROM account WHERE id = 1"));
      STORE_ASSIGN(row, q.step());
      // The keys are who this installation is to its peers and the server:
      // replacing them under an existing account would break every session.
      if (row && (!crypto::ct_equal(q.blob_view(0), identity.expose()) ||
                  !crypto::ct_equal(q.blob_view(1), account.device_seed.expose()) ||
                  q.int64(2) != std::int64_t{account.registration_id})) {
        return fail(Errc::already_exists, "a different local account is stored");
      }
    }
    STORE_ASSIGN(q,
                 db.query("INSERT INTO account(id, username, account_id, device_id, device_seed, "
                          "identity, registration_id, server_host, server_port, server_pin, "
                          "next_prekey_id, next_signed_prekey_id) "
                          "VALUES(1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) "
                          "ON CONFLICT(id) DO UPDATE SET username = excluded.username, "
                          "account_id = excluded.account_id, device_id = excluded.device_id, "
                          "server_host = excluded.server_host, server_port = excluded.server_port, "
                          "server_pin = excluded.server_pin, "
                          "next_prekey_id = excluded.next_prekey_id, "
                          "next_signed_prekey_id = excluded.next_signed_prekey_id"));
    q.bind_text(1, account.username)
        .bind(2, account.account_id)
        .bind(3, std::int64_t{account.device_id})
        .bind(4, ByteView(account.device_seed.expose()))
        .bind(5, identity.expose())
        .bind(6, std::int64_t{account.registration_id})
        .bind_text(7, account.server_host)
        .bind(8, std::int64_t{account.server_port})
        .bind(9, account.server_pin)
        .bind(10, std::int64_t{account.next_prekey_id})
        .bind(11, std::int64_t{account.next_signed_prekey_id});
    return q.run();
  });
  SOTTO_TRY(done);
  impl_->identities.set_local(account.identity.clone(), account.registration_id);
  return ok();
}

Status ClientStore::wipe() {
  auto& db = *impl_->db;
  Status done = store::in_savepoint(db, [&]() -> Status {
    // Children before parents (outbox references messages).
    for (const char* sql :
         {"DELETE FROM outbox", "DELETE FROM messages", "DELETE FROM seen_envelopes",
          "DELETE FROM contacts", "DELETE FROM sender_keys", "DELETE FROM sessions",
          "DELETE FROM signed_prekeys", "DELETE FROM prekeys", "DELETE FROM identities",
          "DELETE FROM account"}) {
      SOTTO_TRY(db.exec(sql));
    }
    return ok();
  });
  SOTTO_TRY(done);
  impl_->identities.clear_local();
  // secure_delete zeroed the pages in the database, but the write-ahead log
  // still holds earlier versions of them: copy the log back and truncate it.
  // Inside a Transaction this waits for the caller's commit (and is skipped).
  if (!impl_->in_transaction) SOTTO_TRY(db.exec("PRAGMA wal_checkpoint(TRUNCATE)"));
  return ok();
}

}  // namespace sotto::client
