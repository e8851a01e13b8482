// SPDX-License-Identifier: Apache-2.0
// Guids of envelopes already processed, so a redelivered one is ignored.
#include "impl.hpp"

namespace sotto::client {

namespace {

// Longer than the server keeps an undelivered envelope, so a guid is
// remembered for as long as the envelope could come again.
constexpr std::uint64_t kSeenRetentionMs = 45ull * 24 * 60 * 60 * 1000;
// Pruning runs on the first mark after opening and then every this many.
constexpr std::uint32_t kPruneEvery = 256;

}  // namespace

Result<bool> ClientStore::envelope_seen(const Guid& guid) {
  STORE_ASSIGN(q, impl_->db->query("SELECT 1 FROM seen_envelopes WHERE guid = ?1"));
  q.bind(1, guid);
  return q.step();
}

Status ClientStore::mark_envelope_seen(const Guid& guid, std::uint64_t now_ms) {
  auto& db = *impl_->db;
  {
    STORE_ASSIGN(q, db.query("INSERT OR IGNORE INTO seen_envelopes(guid, at_ms) VALUES(?1, ?2)"));
    q.bind(1, guid).bind(2, store::to_sql(now_ms));
    SOTTO_TRY(q.run());
  }
  if (impl_->seen_marks++ % kPruneEvery == 0 && now_ms > kSeenRetentionMs) {
    STORE_ASSIGN(q, db.query("DELETE FROM seen_envelopes WHERE at_ms < ?1"));
    q.bind(1, store::to_sql(now_ms - kSeenRetentionMs));
    SOTTO_TRY(q.run());
  }
  return ok();
}

}  // namespace sotto::client
