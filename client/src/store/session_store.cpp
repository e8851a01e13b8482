// SPDX-License-Identifier: Apache-2.0
// 1:1 session records, and the per-account housekeeping for device changes.
#include "impl.hpp"
#include "sotto/protocol/records.hpp"

namespace sotto::client {

namespace store {

Result<std::optional<protocol::SessionRecord>> SqlSessionStore::load_session(
    const protocol::ProtocolAddress& address) {
  STORE_ASSIGN(q, db_.query("SELECT record FROM sessions WHERE name = ?1 AND device = ?2"));
  q.bind_text(1, address.name).bind(2, std::int64_t{address.device_id});
  STORE_ASSIGN(row, q.step());
  if (!row) return std::optional<protocol::SessionRecord>{};
  // Parsed from SQLite's buffer: every load is a fresh copy, as the
  // interface requires.
  auto record = protocol::parse_session_record(q.blob_view(0));
  if (!record) return tl::unexpected(corrupt("session", record.error()));
  return std::optional<protocol::SessionRecord>{std::move(*record)};
}

Status SqlSessionStore::store_session(const protocol::ProtocolAddress& address,
                                      protocol::SessionRecord record) {
  auto serialized = protocol::serialize_record(record);
  STORE_ASSIGN(
      q, db_.query("INSERT OR REPLACE INTO sessions(name, device, record) VALUES(?1, ?2, ?3)"));
  q.bind_text(1, address.name)
      .bind(2, std::int64_t{address.device_id})
      .bind(3, serialized.expose());
  return q.run();
}

}  // namespace store

Result<std::vector<std::uint32_t>> ClientStore::session_devices(const AccountId& account) {
  auto name = address_name(account);
  STORE_ASSIGN(q, impl_->db->query("SELECT device FROM sessions WHERE name = ?1 ORDER BY device"));
  q.bind_text(1, name);
  std::vector<std::uint32_t> devices;
  for (;;) {
    STORE_ASSIGN(row, q.step());
    if (!row) break;
    devices.push_back(static_cast<std::uint32_t>(q.int64(0)));
  }
  return devices;
}

Status ClientStore::delete_session(const AccountId& account, std::uint32_t device_id) {
  auto name = address_name(account);
  STORE_ASSIGN(q, impl_->db->query("DELETE FROM sessions WHERE name = ?1 AND device = ?2"));
  q.bind_text(1, name).bind(2, std::int64_t{device_id});
  return q.run();
}

Status ClientStore::delete_sessions(const AccountId& account) {
  auto name = address_name(account);
  STORE_ASSIGN(q, impl_->db->query("DELETE FROM sessions WHERE name = ?1"));
  q.bind_text(1, name);
  return q.run();
}

}  // namespace sotto::client
