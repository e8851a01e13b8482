// SPDX-License-Identifier: Apache-2.0
// Group sender-key records, per sender device and distribution id.
#include "protocol_stores.hpp"
#include "sotto/protocol/records.hpp"

namespace sotto::client::store {

Result<std::optional<protocol::SenderKeyRecord>> SqlSenderKeyStore::load_sender_key(
    const protocol::ProtocolAddress& sender, const protocol::DistributionId& id) {
  STORE_ASSIGN(q, db_.query("SELECT record FROM sender_keys "
                            "WHERE name = ?1 AND device = ?2 AND distribution_id = ?3"));
  q.bind_text(1, sender.name).bind(2, std::int64_t{sender.device_id}).bind(3, id);
  STORE_ASSIGN(row, q.step());
  if (!row) return std::optional<protocol::SenderKeyRecord>{};
  auto record = protocol::parse_sender_key_record(q.blob_view(0));
  if (!record) return tl::unexpected(corrupt("sender key", record.error()));
  return std::optional<protocol::SenderKeyRecord>{std::move(*record)};
}

Status SqlSenderKeyStore::store_sender_key(const protocol::ProtocolAddress& sender,
                                           const protocol::DistributionId& id,
                                           protocol::SenderKeyRecord record) {
  auto serialized = protocol::serialize_record(record);
  STORE_ASSIGN(
      q, db_.query("INSERT OR REPLACE INTO sender_keys(name, device, distribution_id, record) "
                   "VALUES(?1, ?2, ?3, ?4)"));
  q.bind_text(1, sender.name)
      .bind(2, std::int64_t{sender.device_id})
      .bind(3, id)
      .bind(4, serialized.expose());
  return q.run();
}

}  // namespace sotto::client::store
