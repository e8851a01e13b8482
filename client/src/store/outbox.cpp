// SPDX-License-Identifier: Apache-2.0
// Messages waiting to reach the server, oldest first.
#include "impl.hpp"

namespace sotto::client {

Result<std::int64_t> ClientStore::add_outbox(const AccountId& destination, std::uint64_t timestamp,
                                             std::int64_t message_id, ByteView content) {
  STORE_ASSIGN(q,
               impl_->db->query("INSERT INTO outbox(destination, timestamp, message_id, content) "
                                "VALUES(?1, ?2, NULLIF(?3, 0), ?4)"));
  q.bind(1, destination).bind(2, store::to_sql(timestamp)).bind(3, message_id).bind(4, content);
  // A message_id that names no message fails the foreign key: not_found.
  SOTTO_TRY(q.run());
  return sqlite3_last_insert_rowid(impl_->db->handle());
}

Result<std::vector<OutboxItem>> ClientStore::list_outbox() {
  STORE_ASSIGN(
      q, impl_->db->query("SELECT id, destination, timestamp, coalesce(message_id, 0), content, "
                          "attempts, last_error FROM outbox ORDER BY id"));
  std::vector<OutboxItem> items;
  for (;;) {
    STORE_ASSIGN(row, q.step());
    if (!row) break;
    OutboxItem item;
    item.id = q.int64(0);
    item.destination = q.id<16>(1);
    item.timestamp = store::from_sql(q.int64(2));
    item.message_id = q.int64(3);
    item.content = crypto::SecretBytes::from(q.blob_view(4));  // plaintext: never via Bytes
    item.attempts = static_cast<std::uint32_t>(q.int64(5));
    item.last_error = q.text(6);
    items.push_back(std::move(item));
  }
  return items;
}

Status ClientStore::remove_outbox(std::int64_t id) {
  STORE_ASSIGN(q, impl_->db->query("DELETE FROM outbox WHERE id = ?1"));
  q.bind(1, id);
  return q.run();
}

Status ClientStore::note_outbox_attempt(std::int64_t id, const std::string& error) {
  STORE_ASSIGN(q, impl_->db->query(
                      "UPDATE outbox SET attempts = attempts + 1, last_error = ?2 WHERE id = ?1"));
  q.bind(1, id).bind_text(2, error);
  SOTTO_TRY(q.run());
  if (impl_->db->changes() == 0) return fail(Errc::not_found, "no such outbox item");
  return ok();
}

}  // namespace sotto::client
