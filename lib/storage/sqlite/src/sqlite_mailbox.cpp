// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <map>
#include <tuple>
#include <utility>

#include "stores.hpp"

namespace sotto::storage::sqlite {

namespace {

constexpr const char* kNoDevice = "no such device";

// Queues one envelope. The outer error is an SQL failure, which fails the
// whole job; the inner result is the envelope's own outcome: its seq, or
// kAlreadyQueued, or why it was not queued.
Result<Result<std::uint64_t>> enqueue_one(Database& db, const MailboxLimits& limits, const NewEnvelope& item) {
  {
    // Inserting first makes the common case two statements. A known guid is a
    // retried send (no change); a missing device fails the foreign key.
    auto q = db.query(
        "INSERT INTO messages(account_id, device_id, guid, sender, envelope, expires) "
        "VALUES(?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(guid) DO NOTHING");
    if (!q) return tl::unexpected(q.error());
    q->bind(1, item.account)
        .bind(2, std::int64_t{item.device})
        .bind(3, item.guid)
        .bind(4, ByteView(item.sender))
        .bind(5, ByteView(item.envelope))
        .bind(6, item.expires_ms);
    if (auto s = q->run(); !s) {
      if (s.error().code == Errc::not_found) {
        return Result<std::uint64_t>(fail(Errc::not_found, kNoDevice));
      }
      return tl::unexpected(s.error());
    }
    if (db.changes() == 0) return Result<std::uint64_t>(kAlreadyQueued);
  }
  const std::int64_t seq = sqlite3_last_insert_rowid(db.handle());
  {
    // Take room under the caps.
    auto q = db.query(
        "UPDATE devices SET queue_count = queue_count + 1, queue_bytes = queue_bytes + ?3 "
        "WHERE account_id = ?1 AND device_id = ?2 AND queue_count + 1 <= ?4 "
        "AND queue_bytes + ?3 <= ?5");
    if (!q) return tl::unexpected(q.error());
    q->bind(1, item.account)
        .bind(2, std::int64_t{item.device})
        .bind(3, to_sql_int(item.envelope.size()))
        .bind(4, to_sql_int(limits.max_messages))
        .bind(5, to_sql_int(limits.max_bytes));
    if (auto s = q->run(); !s) return tl::unexpected(s.error());
    if (db.changes() == 1) return Result<std::uint64_t>(static_cast<std::uint64_t>(seq));
  }
  // Over the cap: take the row back out (its seq stays used: a gap, not a reuse).
  auto q = db.query("DELETE FROM messages WHERE seq = ?1");
  if (!q) return tl::unexpected(q.error());
  q->bind(1, seq);
  if (auto s = q->run(); !s) return tl::unexpected(s.error());
  return Result<std::uint64_t>(fail(Errc::queue_full, "device queue is full"));
}

// Shrinks the device's queue counters after deletes.
Status release_room(Database& db, const AccountId& account, DeviceId device,
                    std::int64_t messages, std::int64_t bytes) {
  auto q = db.query(
      "UPDATE devices SET queue_count = queue_count - ?3, queue_bytes = queue_bytes - ?4 "
      "WHERE account_id = ?1 AND device_id = ?2");
  if (!q) return tl::unexpected(q.error());
  q->bind(1, account).bind(2, std::int64_t{device}).bind(3, messages).bind(4, bytes);
  return q->run();
}

}  // namespace

void Mailbox::enqueue_async(std::vector<NewEnvelope> batch, EnqueueCallback done) {
  // The batch moves into the job, which outlives this call.
  auto items = std::make_shared<std::vector<NewEnvelope>>(std::move(batch));
  c_.writer.submit<EnqueueResults>(
      [items, limits = c_.limits](Database& db) -> Result<EnqueueResults> {
        EnqueueResults results;
        results.reserve(items->size());
        for (const auto& item : *items) {
          auto one = enqueue_one(db, limits, item);
          if (!one) return tl::unexpected(one.error());
          results.push_back(std::move(*one));
        }
        return results;
      },
      std::move(done));
}

void Mailbox::ack_many_async(const AccountId& account, DeviceId device, std::vector<Guid> guids,
                             AckCallback done) {
  c_.writer.submit<AckResults>(
      [account, device, guids = std::move(guids)](Database& db) -> Result<AckResults> {
        AckResults results;
        results.reserve(guids.size());
        std::int64_t count = 0, bytes = 0;
        for (const auto& guid : guids) {
          // Found, then deleted by seq: DELETE ... RETURNING would fill an
          // ephemeral table (a b-tree opened and freed) on every ack.
          std::int64_t seq = 0;
          {
            auto found = db.query(
                "SELECT seq, length(envelope) FROM messages "
                "WHERE guid = ?1 AND account_id = ?2 AND device_id = ?3");
            if (!found) return tl::unexpected(found.error());
            found->bind(1, guid).bind(2, account).bind(3, std::int64_t{device});
            auto row = found->step();
            if (!row) return tl::unexpected(row.error());
            if (!*row) {
              results.push_back(fail(Errc::not_found, "no such queued message"));
              continue;
            }
            seq = found->int64(0);
            bytes += found->int64(1);
            ++count;
          }  // the statement resets here, before the delete
          auto gone = db.query("DELETE FROM messages WHERE seq = ?1");
          if (!gone) return tl::unexpected(gone.error());
          gone->bind(1, seq);
          SOTTO_TRY(gone->run());
          results.push_back(ok());
        }
        if (count > 0) SOTTO_TRY(release_room(db, account, device, count, bytes));
        return results;
      },
      std::move(done));
}

Result<std::vector<StoredEnvelope>> Mailbox::fetch(const AccountId& account, DeviceId device,
                                                   std::uint64_t after_seq, std::size_t limit) {
  return c_.readers.read([&](Database& db) -> Result<std::vector<StoredEnvelope>> {
    auto exists = device_exists(db, account, device);
    if (!exists) return tl::unexpected(exists.error());
    if (!*exists) return fail(Errc::not_found, kNoDevice);
    auto q = db.query(
        "SELECT seq, guid, sender, envelope, expires FROM messages "
        "WHERE account_id = ?1 AND device_id = ?2 AND seq > ?3 ORDER BY seq LIMIT ?4");
    if (!q) return tl::unexpected(q.error());
    q->bind(1, account)
        .bind(2, std::int64_t{device})
        .bind(3, to_sql_int(after_seq))
        .bind(4, to_sql_int(limit));
    std::vector<StoredEnvelope> out;
    for (;;) {
      auto row = q->step();
      if (!row) return tl::unexpected(row.error());
      if (!*row) return out;
      out.push_back({static_cast<std::uint64_t>(q->int64(0)), q->id<16>(1), q->blob(2),
                     q->blob(3), q->int64(4)});
    }
  });
}

Result<std::uint64_t> Mailbox::count(const AccountId& account, DeviceId device) {
  return c_.readers.read([&](Database& db) -> Result<std::uint64_t> {
    auto q = db.query("SELECT queue_count FROM devices WHERE account_id = ?1 AND device_id = ?2");
    if (!q) return tl::unexpected(q.error());
    q->bind(1, account).bind(2, std::int64_t{device});
    auto row = q->step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) return fail(Errc::not_found, kNoDevice);
    return static_cast<std::uint64_t>(q->int64(0));
  });
}

Result<std::vector<ExpiredEnvelope>> Mailbox::expire(std::int64_t now_ms, std::size_t limit,
                                                     const ExpiryNotice& notice) {
  return c_.writer.run<std::vector<ExpiredEnvelope>>(
      [&](Database& db) -> Result<std::vector<ExpiredEnvelope>> {
        std::vector<ExpiredEnvelope> out;
        std::map<std::pair<AccountId, DeviceId>, std::pair<std::int64_t, std::int64_t>> freed;
        {
          // Earliest expiry first, off messages_by_expiry (its entries end in the seq).
          auto q = db.query(
              "SELECT guid, account_id, device_id, sender, length(envelope) FROM messages "
              "WHERE expires <= ?1 ORDER BY expires, seq LIMIT ?2");
          if (!q) return tl::unexpected(q.error());
          q->bind(1, now_ms).bind(2, to_sql_int(limit));
          for (;;) {
            auto row = q->step();
            if (!row) return tl::unexpected(row.error());
            if (!*row) break;
            out.push_back(ExpiredEnvelope{q->id<16>(0), q->id<16>(1),
                                          static_cast<DeviceId>(q->int64(2)), q->blob(3)});
            auto& f = freed[{out.back().account, out.back().device}];
            f.first += 1;
            f.second += q->int64(4);
          }
        }
        for (const auto& env : out) {
          auto q = db.query("DELETE FROM messages WHERE guid = ?1");
          if (!q) return tl::unexpected(q.error());
          q->bind(1, env.guid);  // only the writer deletes: the row is still there
          SOTTO_TRY(q->run());
        }
        for (const auto& [key, f] : freed) {
          SOTTO_TRY(release_room(db, key.first, key.second, f.first, f.second));
        }
        // In the same savepoint as the deletes: a crash loses both or neither.
        if (notice) {
          for (const auto& env : out) {
            auto n = notice(env);
            if (!n) continue;
            // Only an SQL failure fails the job; a gone device or a full
            // queue skips this notice (its own status).
            auto queued = enqueue_one(db, c_.limits, *n);
            if (!queued) return tl::unexpected(queued.error());
          }
        }
        return out;
      });
}

}  // namespace sotto::storage::sqlite
