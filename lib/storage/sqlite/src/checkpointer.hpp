// SPDX-License-Identifier: Apache-2.0
// WAL checkpoints off the writer thread. By default SQLite checkpoints inside
// the COMMIT that pushes the log past 1000 pages, so the writer copies pages
// into the database and fsyncs it while every waiting send waits too; that
// halved group-commit throughput (bench/storage_bench.cpp). Here the writer
// connection only reports the log size after each commit (sqlite3_wal_hook)
// and a thread with its own connection runs PASSIVE checkpoints, which never
// block the writer or readers. Only if the log still grows past a hard limit
// does the writer copy the rest itself (see on_commit).
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "sql.hpp"

namespace sotto::storage::sqlite {

class Checkpointer {
 public:
  // `db` is the checkpointer's own connection. A checkpoint starts once the
  // log holds `wal_pages` pages.
  Checkpointer(std::unique_ptr<Database> db, int wal_pages);
  // Stops the thread. REQUIRES: the watched writer connection no longer
  // commits (destroy the Writer first).
  ~Checkpointer();
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // Installs the commit hook on the writer connection (which then no longer
  // checkpoints by itself).
  void watch(Database& writer_db);

  // After a failed fsync of the log: no checkpoint any more, not even when
  // the connection closes. A checkpoint would copy frames the disk may not
  // hold into the database and then let the log start over. Any thread.
  void refuse();

  std::uint64_t checkpoint_count() const noexcept { return done_.load(); }
  // Checkpoints the writer ran itself because the log passed
  // kCatchUpFactor * wal_pages (see on_commit).
  std::uint64_t catch_up_count() const noexcept { return catch_ups_.load(); }

  static constexpr int kCatchUpFactor = 4;
  // Past the threshold, a background checkpoint is requested again each
  // time the log has grown by threshold / kRequestsPerThreshold pages.
  static constexpr int kRequestsPerThreshold = 4;

 private:
  static int on_commit(void* self, sqlite3* db, const char* name, int pages);
  void loop();

  std::unique_ptr<Database> db_;
  const int wal_pages_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool requested_ = false;  // guarded by mu_
  bool stop_ = false;       // guarded by mu_
  std::atomic<std::uint64_t> done_{0};
  std::atomic<std::uint64_t> catch_ups_{0};
  // Log pages at which the next background checkpoint is asked for; the
  // writer thread's own (on_commit runs only there).
  int next_request_at_;
  std::atomic<bool> refused_{false};
  std::thread thread_;  // last: starts after everything above exists
};

}  // namespace sotto::storage::sqlite
