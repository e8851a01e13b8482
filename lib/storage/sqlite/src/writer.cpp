// SPDX-License-Identifier: Apache-2.0
#include "writer.hpp"

#include <pthread.h>

namespace sotto::storage::sqlite {

Writer::Writer(std::unique_ptr<Database> db) : db_(std::move(db)), thread_([this] { loop(); }) {}

Writer::~Writer() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
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

void Writer::loop() {
  pthread_setname_np(pthread_self(), "sotto-db-write");  // visible in top -H, perf
  std::vector<std::unique_ptr<Job>> batch;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stop_ || (!queue_.empty() && holds_ == 0); });
      if (queue_.empty()) return;  // stopping, and nothing left to write
      batch.swap(queue_);
    }
    run_batch(batch);
    batch.clear();
  }
}

Status Writer::run_in_savepoint(Job& job, bool& job_ok) {
  auto begin = db_->query("SAVEPOINT job");
  if (!begin) return tl::unexpected(begin.error());
  SOTTO_TRY(begin->run());
  job_ok = job.run(*db_);
  // An I/O error or a full disk can make SQLite roll the whole transaction
  // back; then nothing of this batch is left to commit.
  if (sqlite3_get_autocommit(db_->handle()) != 0) {
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
  if (sqlite3_get_autocommit(db_->handle()) == 0) (void)db_->exec("ROLLBACK");
}

bool Writer::run_without_savepoints(std::vector<std::unique_ptr<Job>>& batch) {
  if (!begin()) return false;
  for (auto& job : batch) {
    if (!job->run(*db_) || sqlite3_get_autocommit(db_->handle()) != 0) {
      roll_back();
      return false;
    }
  }
  if (commit()) return true;
  roll_back();
  return false;
}

void Writer::run_batch(std::vector<std::unique_ptr<Job>>& batch) {
  // Jobs almost never fail (a failure is an SQL error; refusals such as a
  // full queue are results), so the batch first runs without a savepoint per
  // job: two statements fewer per job. Only if a job fails (or the commit
  // does) is the whole batch rolled back and run again the careful way, each
  // job in its own savepoint. Jobs are pure functions of the database, so
  // running one twice is the same as running it once.
  if (run_without_savepoints(batch)) {
    commits_.fetch_add(1);
    for (auto& job : batch) job->finish(ok());
    return;
  }
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
  for (auto& job : batch) job->finish(txn);
}

}  // namespace sotto::storage::sqlite
