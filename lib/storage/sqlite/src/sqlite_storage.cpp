// SPDX-License-Identifier: Apache-2.0
#include "sotto/storage/sqlite/sqlite_storage.hpp"

#include <cstdint>
#include <limits>
#include <string>

#include "schema.hpp"
#include "stores.hpp"

namespace sotto::storage::sqlite {

Result<bool> device_exists(Database& db, const AccountId& account, DeviceId device) {
  auto q = db.query("SELECT 1 FROM devices WHERE account_id = ?1 AND device_id = ?2");
  if (!q) return tl::unexpected(q.error());
  q->bind(1, account).bind(2, std::int64_t{device});
  return q->step();
}

std::int64_t to_sql_int(std::uint64_t value) {
  constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  return static_cast<std::int64_t>(value > kMax ? kMax : value);
}

struct SqliteStorage::Impl {
  Impl(const Options& o, std::unique_ptr<Database> writer_db,
       std::unique_ptr<Database> checkpoint_db)
      : core(o, std::move(writer_db), std::move(checkpoint_db)),
        accounts(core),
        devices(core),
        keys(core),
        mailbox(core) {}

  Core core;
  Accounts accounts;
  Devices devices;
  Keys keys;
  Mailbox mailbox;
};

namespace {

// The log's file, once grown, is kept up to the size the checkpointer lets
// the log reach (kCatchUpFactor + 1 checkpoint thresholds of 4 KiB pages with
// their 24-byte frame headers), not cut back when the log starts over: every
// commit that extends the file again waits for the filesystem's journal, which
// made commits of 30 ms and W1's latency tail (docs/performance.md).
Status keep_log_file(Database& db, int wal_checkpoint_pages) {
  const std::int64_t bound = std::int64_t{Checkpointer::kCatchUpFactor + 1} *
                             wal_checkpoint_pages * (4096 + 24);
  const std::string pragma = "PRAGMA journal_size_limit=" + std::to_string(bound);
  return db.exec(pragma.c_str());
}

}  // namespace

Result<std::unique_ptr<SqliteStorage>> SqliteStorage::open(const Options& options) {
  auto db = Database::open(options.path, Database::Role::writer);
  if (!db) return tl::unexpected(db.error());
  SOTTO_TRY(migrate(**db));
  SOTTO_TRY(keep_log_file(**db, options.wal_checkpoint_pages));
  auto checkpoint_db = Database::open(options.path, Database::Role::checkpointer);
  if (!checkpoint_db) return tl::unexpected(checkpoint_db.error());
  SOTTO_TRY(keep_log_file(**checkpoint_db, options.wal_checkpoint_pages));
  return std::unique_ptr<SqliteStorage>(new SqliteStorage(
      std::make_unique<Impl>(options, std::move(*db), std::move(*checkpoint_db))));
}

SqliteStorage::SqliteStorage(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SqliteStorage::~SqliteStorage() = default;

AccountStore& SqliteStorage::accounts() { return impl_->accounts; }
DeviceStore& SqliteStorage::devices() { return impl_->devices; }
KeyStore& SqliteStorage::keys() { return impl_->keys; }
MailboxStore& SqliteStorage::mailbox() { return impl_->mailbox; }

std::uint64_t SqliteStorage::commit_count() const noexcept {
  return impl_->core.writer.commit_count();
}

std::uint64_t SqliteStorage::log_sync_count() const noexcept {
  return impl_->core.writer.sync_count();
}

std::uint64_t SqliteStorage::checkpoint_count() const noexcept {
  return impl_->core.checkpointer.checkpoint_count();
}

std::uint64_t SqliteStorage::writer_checkpoint_count() const noexcept {
  return impl_->core.checkpointer.catch_up_count();
}

SqliteStorage::WriterHold SqliteStorage::hold_writer() {
  impl_->core.writer.hold();
  return WriterHold(this);
}

SqliteStorage::WriterHold::~WriterHold() {
  if (owner_ != nullptr) owner_->impl_->core.writer.release();
}

}  // namespace sotto::storage::sqlite
