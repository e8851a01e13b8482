// SPDX-License-Identifier: Apache-2.0
// The embedded default store: one SQLite database file in WAL mode, and no
// write completes before the log holding its commit is fsynced, so every
// completed write survives a crash or power loss. All writes (blocking or
// asynchronous) go through one writer thread that commits everything queued
// in one transaction (group commit); a syncer thread fsyncs the log for all
// commits written so far and completes them, while the writer goes on with the
// next batch. Reads run on a small pool of read connections beside them.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "sotto/core/result.hpp"
#include "sotto/storage/storage.hpp"

namespace sotto::storage::sqlite {

// PRAGMA user_version of the schema this code writes.
inline constexpr int kSchemaVersion = 1;

struct Options {
  std::string path;  // the database file; created if missing
  MailboxLimits limits;
  std::size_t max_readers = 4;  // read connections opened at most
  // A background checkpoint starts once the write-ahead log holds this many
  // pages (4 KiB each). The writer checkpoints only if the log reaches four
  // times as many, which bounds it (about 128 MiB by default). The log's file
  // keeps its size between rounds (up to five times this), so commits do not
  // wait for the file to grow again.
  int wal_checkpoint_pages = 8192;
};

// Thread-safe. Completion callbacks of the asynchronous mailbox methods run on
// the syncer thread once the commit is durable, in commit order (see
// MailboxStore).
class SqliteStorage final : public Storage {
 public:
  // Opens or creates the database and migrates it to kSchemaVersion.
  // Errors: internal (cannot open, not a database), unknown_version (a newer
  // schema than this code knows).
  static Result<std::unique_ptr<SqliteStorage>> open(const Options& options);

  // Finishes every write already submitted (their callbacks run), then closes.
  ~SqliteStorage() override;

  AccountStore& accounts() override;
  DeviceStore& devices() override;
  KeyStore& keys() override;
  MailboxStore& mailbox() override;

  // Transactions committed by the writer since open (tests, metrics).
  std::uint64_t commit_count() const noexcept;
  // fdatasyncs of the log since open; one covers every commit written before
  // it, so under load there are fewer than commits (tests, metrics).
  std::uint64_t log_sync_count() const noexcept;
  // Background WAL checkpoints completed since open, and checkpoints the
  // writer had to run itself (tests, metrics).
  std::uint64_t checkpoint_count() const noexcept;
  std::uint64_t writer_checkpoint_count() const noexcept;

  // Test hook: while a WriterHold lives the writer starts no transaction, so
  // submitted writes pile up and the next transaction takes them all.
  class WriterHold {
   public:
    WriterHold(WriterHold&& other) noexcept : owner_(std::exchange(other.owner_, nullptr)) {}
    WriterHold& operator=(WriterHold&&) = delete;
    ~WriterHold();

   private:
    friend class SqliteStorage;
    explicit WriterHold(SqliteStorage* owner) : owner_(owner) {}
    SqliteStorage* owner_;
  };
  [[nodiscard]] WriterHold hold_writer();

  struct Impl;

 private:
  explicit SqliteStorage(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sotto::storage::sqlite
