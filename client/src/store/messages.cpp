// SPDX-License-Identifier: Apache-2.0
// Message history and its status changes.
#include <algorithm>

#include "impl.hpp"

namespace sotto::client {

namespace {

bool valid_status(MessageDirection direction, MessageStatus status) {
  if (direction == MessageDirection::incoming) {
    return status == MessageStatus::read || status == MessageStatus::unread;
  }
  return status == MessageStatus::queued || status == MessageStatus::sent ||
         status == MessageStatus::delivered || status == MessageStatus::read;
}

constexpr const char* kColumns =
    "SELECT id, direction, peer, peer_device, timestamp, received_ms, body, status FROM messages ";

StoredMessage read_message(const store::Query& q) {
  StoredMessage m;
  m.id = q.int64(0);
  m.direction = static_cast<MessageDirection>(q.int64(1));  // CHECKed 0..1
  m.peer = q.id<16>(2);
  m.peer_device = static_cast<std::uint32_t>(q.int64(3));
  m.timestamp = store::from_sql(q.int64(4));
  m.received_ms = store::from_sql(q.int64(5));
  m.body = q.text(6);
  m.status = static_cast<MessageStatus>(q.int64(7));  // CHECKed 0..4
  return m;
}

Result<std::vector<StoredMessage>> read_all(store::Query& q) {
  std::vector<StoredMessage> out;
  for (;;) {
    STORE_ASSIGN(row, q.step());
    if (!row) break;
    out.push_back(read_message(q));
  }
  return out;
}

}  // namespace

Result<std::int64_t> ClientStore::add_message(const StoredMessage& message) {
  if (!valid_status(message.direction, message.status)) {
    return fail(Errc::bad_request, "message status does not fit its direction");
  }
  auto received = message.received_ms != 0 ? message.received_ms : store::now_ms();
  STORE_ASSIGN(q, impl_->db->query(
                      "INSERT INTO messages(direction, peer, peer_device, timestamp, received_ms, "
                      "body, status) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)"));
  q.bind(1, static_cast<std::int64_t>(message.direction))
      .bind(2, message.peer)
      .bind(3, std::int64_t{message.peer_device})
      .bind(4, store::to_sql(message.timestamp))
      .bind(5, store::to_sql(received))
      .bind_text(6, message.body)
      .bind(7, static_cast<std::int64_t>(message.status));
  SOTTO_TRY(q.run());
  return sqlite3_last_insert_rowid(impl_->db->handle());
}

Result<std::size_t> ClientStore::apply_receipt(const AccountId& peer,
                                               const std::vector<std::uint64_t>& timestamps,
                                               MessageStatus status) {
  if (status != MessageStatus::sent && status != MessageStatus::delivered &&
      status != MessageStatus::read) {
    return fail(Errc::bad_request, "a receipt moves a message to sent, delivered or read");
  }
  auto& db = *impl_->db;
  std::size_t changed = 0;
  Status done = store::in_savepoint(db, [&]() -> Status {
    // Outgoing statuses are numbered in their order, so "status < ?" is
    // "earlier than": a late delivery receipt never undoes read.
    for (auto timestamp : timestamps) {
      STORE_ASSIGN(q, db.query("UPDATE messages SET status = ?3 WHERE peer = ?1 AND timestamp = ?2 "
                               "AND direction = 1 AND status < ?3"));
      q.bind(1, peer).bind(2, store::to_sql(timestamp)).bind(3, static_cast<std::int64_t>(status));
      SOTTO_TRY(q.run());
      changed += static_cast<std::size_t>(db.changes());
    }
    return ok();
  });
  SOTTO_TRY(done);
  return changed;
}

Status ClientStore::set_status(std::int64_t message_id, MessageStatus status) {
  auto& db = *impl_->db;
  MessageDirection direction{};
  std::int64_t current = 0;
  {
    STORE_ASSIGN(q, db.query("SELECT direction, status FROM messages WHERE id = ?1"));
    q.bind(1, message_id);
    STORE_ASSIGN(row, q.step());
    if (!row) return fail(Errc::not_found, "no such message");
    direction = static_cast<MessageDirection>(q.int64(0));
    current = q.int64(1);
  }
  if (!valid_status(direction, status)) {
    return fail(Errc::bad_request, "message status does not fit its direction");
  }
  // Outgoing messages only move forward, like apply_receipt: a receipt that
  // overtook the server's answer to the send must not be undone by it.
  if (direction == MessageDirection::outgoing && static_cast<std::int64_t>(status) <= current) {
    return ok();
  }
  STORE_ASSIGN(update, db.query("UPDATE messages SET status = ?2 WHERE id = ?1"));
  update.bind(1, message_id).bind(2, static_cast<std::int64_t>(status));
  return update.run();
}

Result<std::vector<StoredMessage>> ClientStore::list_messages(std::optional<AccountId> peer,
                                                              std::size_t limit) {
  // The newest `limit` (SQLite: -1 is no limit), returned oldest first.
  auto sql_limit = limit == 0 ? std::int64_t{-1} : static_cast<std::int64_t>(limit);
  std::vector<StoredMessage> out;
  if (peer) {
    STORE_ASSIGN(
        q, impl_->db->query(std::string(kColumns) + "WHERE peer = ?1 ORDER BY id DESC LIMIT ?2"));
    q.bind(1, *peer).bind(2, sql_limit);
    STORE_ASSIGN(rows, read_all(q));
    out = std::move(rows);
  } else {
    STORE_ASSIGN(q, impl_->db->query(std::string(kColumns) + "ORDER BY id DESC LIMIT ?1"));
    q.bind(1, sql_limit);
    STORE_ASSIGN(rows, read_all(q));
    out = std::move(rows);
  }
  std::reverse(out.begin(), out.end());
  return out;
}

Result<std::vector<StoredMessage>> ClientStore::unread_messages() {
  STORE_ASSIGN(q, impl_->db->query(std::string(kColumns) + "WHERE status = 4 ORDER BY id"));
  return read_all(q);
}

Result<std::vector<StoredMessage>> ClientStore::unshown_messages() {
  STORE_ASSIGN(q, impl_->db->query(std::string(kColumns) +
                                   "WHERE direction = 0 AND shown = 0 ORDER BY id"));
  return read_all(q);
}

Status ClientStore::mark_shown(const std::vector<std::int64_t>& message_ids) {
  for (auto id : message_ids) {
    STORE_ASSIGN(q, impl_->db->query("UPDATE messages SET shown = 1 WHERE id = ?1"));
    q.bind(1, id);
    SOTTO_TRY(q.run());
  }
  return ok();
}

}  // namespace sotto::client
