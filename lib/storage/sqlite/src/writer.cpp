// SPDX-License-Identifier: Apache-2.0
#include "writer.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace sotto::storage::sqlite {

namespace {

// The WAL file of `db`'s main database, opened for fdatasync, after which
// its commits need not sync themselves (synchronous=NORMAL). -1 if there is
// no such file (an in-memory database, another journal mode): then the
// connection keeps synchronous=FULL.
constexpr const char* kBroken = "the store stopped after a failed fsync";

bool in_transaction(Database& db) { return sqlite3_get_autocommit(db.handle()) == 0; }

int open_log_for_sync(Database& db) {
  {
    auto mode = db.query("PRAGMA journal_mode");
    if (!mode) return -1;
    const auto row = mode->step();
    if (!row || !*row || mode->text(0) != "wal") return -1;
  }
  const char* main = sqlite3_db_filename(db.handle(), "main");
  if (main == nullptr || *main == '\0') return -1;
  const char* log = sqlite3_filename_wal(main);
  if (log == nullptr || *log == '\0') return -1;
  const int fd = ::open(log, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  if (!db.exec("PRAGMA synchronous=NORMAL")) {
    ::close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

Writer::Writer(std::unique_ptr<Database> db, std::function<void()> on_broken)
    : db_(std::move(db)),
      log_fd_(open_log_for_sync(*db_)),
      on_broken_(std::move(on_broken)),
      syncer_([this] { sync_loop(); }),
      thread_([this] { loop(); }) {}

Writer::~Writer() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();  // every queued job has run and ended
  {
    std::lock_guard lock(mu_);
    sync_stop_ = true;
  }
  sync_cv_.notify_all();
  syncer_.join();  // ... and is complete
  if (log_fd_ >= 0) ::close(log_fd_);
  // No checkpoint of frames the disk may not hold (Checkpointer::refuse).
  if (broken_.load()) sqlite3_db_config(db_->handle(), SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
}

void Writer::push(std::unique_ptr<Job> job) {
  {
    std::lock_guard lock(mu_);
    queue_.push_back(std::move(job));
  }
  cv_.notify_one();
}

void Writer::hold() {
  std::lock_guard lock(mu_);
  ++holds_;
}

void Writer::release() {
  {
    std::lock_guard lock(mu_);
    --holds_;
  }
  cv_.notify_all();
}

// The writer keeps one transaction open while the syncer is busy: jobs that
// arrive during an fsync join it, and it commits once the syncer has taken
// the previous commit. So a commit waits for at most one fsync before its own
// (as it would anyway: fsyncs run one at a time), and under load each commit
// carries more jobs, which writes each hot page (a table's last page, a
// device's row) to the log once per commit instead of once per small commit.
void Writer::loop() {
  pthread_setname_np(pthread_self(), "sotto-db-write");  // visible in top -H, perf
  std::vector<std::unique_ptr<Job>> batch;  // run in the open transaction, or to redo
  bool redo = false;  // a job failed: run the batch again, a savepoint per job
  for (;;) {
    std::vector<std::unique_ptr<Job>> incoming;
    bool stopping = false;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] {
        if (!queue_.empty() && (holds_ == 0 || stop_)) return true;  // jobs to run
        if (!batch.empty()) return ended_.empty() || stop_;          // time to commit
        // Stopping: only once the syncer is done too, since a completion may
        // submit another job (an ack write after a delivery, say).
        return stop_ && ended_.empty() && !syncing_;
      });
      stopping = stop_;
      if (stopping && queue_.empty() && batch.empty()) return;  // all written and complete
      if (stopping || holds_ == 0) incoming.swap(queue_);
    }
    for (auto& job : incoming) {
      if (!redo && !broken_.load()) redo = !run_fast(*job);
      batch.push_back(std::move(job));
    }
    bool syncer_free = false;
    {
      std::lock_guard lock(mu_);
      syncer_free = ended_.empty();
    }
    if (batch.empty() || !(syncer_free || stopping || redo)) continue;
    Status outcome = end_transaction(batch, redo);
    redo = false;
    {
      std::lock_guard lock(mu_);
      ended_.push_back(Ended{std::move(batch), std::move(outcome)});
    }
    sync_cv_.notify_one();
    batch.clear();  // moved-from: valid, made empty for the next round
  }
}

bool Writer::run_fast(Job& job) {
  // Jobs almost never fail (a failure is an SQL error; refusals such as a
  // full queue are results), so they run without a savepoint each: two
  // statements fewer per job. If one fails (or SQLite rolled back on its
  // own), everything is undone and end_transaction() runs the batch again the
  // careful way. Jobs are pure functions of the database, so running one
  // twice is the same as running it once.
  if (!in_transaction(*db_) && !begin()) return false;
  if (job.run(*db_) && in_transaction(*db_)) return true;
  roll_back();
  return false;
}

Status Writer::end_transaction(std::vector<std::unique_ptr<Job>>& batch, bool redo) {
  if (broken_.load()) {
    roll_back();
    return fail(Errc::internal, kBroken);
  }
  if (in_transaction(*db_) && !redo) {
    if (commit()) {
      commits_.fetch_add(1);
      return ok();
    }
    roll_back();
  }
  // The careful way: each job in its own savepoint, so a failing one is
  // undone alone and the others still commit.
  Status txn = begin();
  for (std::size_t i = 0; txn && i < batch.size(); ++i) {
    bool job_ok = false;
    txn = run_in_savepoint(*batch[i], job_ok);
  }
  if (txn) txn = commit();
  if (txn) {
    commits_.fetch_add(1);
  } else {
    roll_back();
  }
  return txn;
}

void Writer::sync_loop() {
  pthread_setname_np(pthread_self(), "sotto-db-sync");
  std::deque<Ended> ended;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      sync_cv_.wait(lock, [this] { return sync_stop_ || !ended_.empty(); });
      if (ended_.empty()) return;  // stopping, and every batch is complete
      ended.swap(ended_);
      syncing_ = true;
    }
    cv_.notify_one();  // the writer may commit its open transaction now
    // One fsync for every commit written so far (the log is appended in
    // commit order, so it covers them all).
    bool committed = false;
    for (const auto& batch : ended) committed = committed || batch.outcome.has_value();
    const Status durable = committed ? make_durable() : ok();
    for (auto& batch : ended) {
      const Status& outcome = batch.outcome ? durable : batch.outcome;
      for (auto& job : batch.jobs) job->finish(outcome);
    }
    ended.clear();
    {
      std::lock_guard lock(mu_);
      syncing_ = false;
    }
    cv_.notify_one();  // a stopping writer waits for this
  }
}

Status Writer::make_durable() {
  if (log_fd_ < 0) return ok();  // the commit synced (synchronous=FULL)
  if (broken_.load()) return fail(Errc::internal, kBroken);
  struct stat st {};
  // SQLite never removes the log while its connections are open; if it is
  // gone anyway, syncing this file would prove nothing.
  const bool gone = ::fstat(log_fd_, &st) != 0 || st.st_nlink == 0;
  if (gone || ::fdatasync(log_fd_) != 0) {
    const int error = errno;
    if (!broken_.exchange(true) && on_broken_) on_broken_();
    errno = error;
    return fail(Errc::internal, gone ? std::string("the database's log file was removed")
                                     : std::string("fsync of the database log failed: ") +
                                           std::strerror(errno));
  }
  syncs_.fetch_add(1);
  return ok();
}

Status Writer::run_in_savepoint(Job& job, bool& job_ok) {
  auto begin = db_->query("SAVEPOINT job");
  if (!begin) return tl::unexpected(begin.error());
  SOTTO_TRY(begin->run());
  job_ok = job.run(*db_);
  // An I/O error or a full disk can make SQLite roll the whole transaction
  // back; then nothing of this batch is left to commit.
  if (!in_transaction(*db_)) {
    return fail(Errc::internal, "transaction rolled back by SQLite");
  }
  if (!job_ok) {
    auto undo = db_->query("ROLLBACK TO job");
    if (!undo) return tl::unexpected(undo.error());
    SOTTO_TRY(undo->run());
  }
  auto end = db_->query("RELEASE job");
  if (!end) return tl::unexpected(end.error());
  return end->run();
}

Status Writer::begin() {
  auto begin = db_->query("BEGIN IMMEDIATE");
  if (!begin) return tl::unexpected(begin.error());
  return begin->run();
}

Status Writer::commit() {
  auto commit = db_->query("COMMIT");
  return commit ? commit->run() : Status(tl::unexpected(commit.error()));
}

void Writer::roll_back() {
  if (in_transaction(*db_)) (void)db_->exec("ROLLBACK");
}

}  // namespace sotto::storage::sqlite
