// SPDX-License-Identifier: Apache-2.0
// One-time and signed prekeys, and the counts the client needs to refill them.
#include "impl.hpp"
#include "sotto/protocol/records.hpp"

namespace sotto::client {

namespace store {

Result<protocol::PreKeyRecord> SqlPreKeyStore::load_prekey(std::uint32_t id) {
  STORE_ASSIGN(q, db_.query("SELECT record FROM prekeys WHERE id = ?1"));
  q.bind(1, std::int64_t{id});
  STORE_ASSIGN(row, q.step());
  if (!row) return fail(Errc::invalid_prekey_id, "no one-time prekey with that id");
  auto record = protocol::parse_prekey_record(q.blob_view(0));
  if (!record) return tl::unexpected(corrupt("one-time prekey", record.error()));
  return std::move(*record);
}

Status SqlPreKeyStore::store_prekey(protocol::PreKeyRecord record) {
  auto serialized = protocol::serialize_record(record);
  STORE_ASSIGN(q, db_.query("INSERT OR REPLACE INTO prekeys(id, record) VALUES(?1, ?2)"));
  q.bind(1, std::int64_t{record.id}).bind(2, serialized.expose());
  return q.run();
}

Status SqlPreKeyStore::remove_prekey(std::uint32_t id) {
  STORE_ASSIGN(q, db_.query("DELETE FROM prekeys WHERE id = ?1"));
  q.bind(1, std::int64_t{id});
  return q.run();
}

Result<protocol::SignedPreKeyRecord> SqlSignedPreKeyStore::load_signed_prekey(std::uint32_t id) {
  STORE_ASSIGN(q, db_.query("SELECT record FROM signed_prekeys WHERE id = ?1"));
  q.bind(1, std::int64_t{id});
  STORE_ASSIGN(row, q.step());
  if (!row) return fail(Errc::invalid_prekey_id, "no signed prekey with that id");
  auto record = protocol::parse_signed_prekey_record(q.blob_view(0));
  if (!record) return tl::unexpected(corrupt("signed prekey", record.error()));
  return std::move(*record);
}

Status SqlSignedPreKeyStore::store_signed_prekey(protocol::SignedPreKeyRecord record) {
  auto serialized = protocol::serialize_record(record);
  // REPLACE deletes and reinserts, so a re-stored key also becomes the latest.
  STORE_ASSIGN(q, db_.query("INSERT OR REPLACE INTO signed_prekeys(id, record) VALUES(?1, ?2)"));
  q.bind(1, std::int64_t{record.id}).bind(2, serialized.expose());
  return q.run();
}

}  // namespace store

Result<std::size_t> ClientStore::prekey_count() {
  STORE_ASSIGN(count, impl_->db->query_int("SELECT count(*) FROM prekeys"));
  return static_cast<std::size_t>(count);
}

Result<std::optional<std::uint32_t>> ClientStore::latest_signed_prekey_id() {
  STORE_ASSIGN(q, impl_->db->query("SELECT id FROM signed_prekeys ORDER BY seq DESC LIMIT 1"));
  STORE_ASSIGN(row, q.step());
  if (!row) return std::optional<std::uint32_t>{};
  return std::optional<std::uint32_t>{static_cast<std::uint32_t>(q.int64(0))};
}

}  // namespace sotto::client
