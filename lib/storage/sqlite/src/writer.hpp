// SPDX-License-Identifier: Apache-2.0
// Group commit, pipelined. Every write goes to one writer thread through a
// queue; the writer takes everything queued, runs it in ONE transaction and
// commits once. A failing job does not undo the others: the batch is then run
// again with each job in its own savepoint (jobs must therefore be pure
// functions of the database: run twice, same effect).
//
// The commit writes the log (WAL) without waiting for the disk: a second
// thread, the syncer, makes every commit written so far durable with one
// fdatasync of the log file and only then completes their jobs, in commit
// order. So the writer runs the next jobs while the disk flushes the last
// commit; it keeps them in one open transaction until the syncer has taken
// that commit, so under load a commit carries everything that arrived during
// one fsync. Nothing is acknowledged before it is on disk. (A database without a log file of its
// own to sync, e.g. in memory, keeps synchronous=FULL: the commit syncs.)
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "sql.hpp"

namespace sotto::storage::sqlite {

class Writer {
 public:
  template <class T>
  using Work = std::function<Result<T>(Database&)>;
  template <class T>
  using Done = std::function<void(Result<T>)>;

  // `on_broken` runs once (on the syncer thread) if an fsync of the log
  // fails; from then on every write fails.
  explicit Writer(std::unique_ptr<Database> db, std::function<void()> on_broken = {});
  // Runs every job still queued, completes it (including jobs that
  // completions submit meanwhile), then stops the threads.
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Queues `work` for the next transaction. `work` may run more than once
  // (after a rollback), so it must not change anything but the database. Once
  // the commit is durable, `done` gets the work's result; if the work failed
  // its changes were rolled back, and if the commit (or its fsync) failed
  // `done` gets that error instead. `done` runs on the syncer thread, one at a
  // time in commit order: it must be quick and must not call run().
  template <class T>
  void submit(Work<T> work, Done<T> done) {
    push(std::make_unique<TypedJob<T>>(std::move(work), std::move(done)));
  }

  // Blocking submit. REQUIRES: not called on the writer thread.
  template <class T>
  Result<T> run(Work<T> work) {
    std::promise<Result<T>> promise;
    auto future = promise.get_future();
    submit<T>(std::move(work), [&promise](Result<T> r) { promise.set_value(std::move(r)); });
    return future.get();
  }

  // Transactions committed so far (tests check batching with it).
  std::uint64_t commit_count() const noexcept { return commits_.load(); }
  // fdatasyncs of the log so far (0 while the commit itself syncs).
  std::uint64_t sync_count() const noexcept { return syncs_.load(); }

  // While any hold is in place no new transaction starts and jobs accumulate
  // (a test hook for group commit). The destructor ignores holds.
  void hold();
  void release();

 private:
  class Job {
   public:
    virtual ~Job() = default;
    // Inside the transaction; false if the job failed and must be rolled back.
    virtual bool run(Database& db) = 0;
    // After the transaction ended; `commit` says whether it committed.
    virtual void finish(const Status& commit) = 0;
  };

  template <class T>
  class TypedJob final : public Job {
   public:
    TypedJob(Work<T> work, Done<T> done) : work_(std::move(work)), done_(std::move(done)) {}
    bool run(Database& db) override {
      result_ = work_(db);
      return result_.has_value();
    }
    void finish(const Status& commit) override {
      // Whatever the job did is gone if the transaction did not commit.
      if (!commit) result_ = tl::unexpected(commit.error());
      done_(std::move(result_));
    }

   private:
    Work<T> work_;
    Done<T> done_;
    Result<T> result_ = tl::unexpected(Error{Errc::internal, "not run"});
  };

  // A batch that ended (committed or not), waiting for the syncer.
  struct Ended {
    std::vector<std::unique_ptr<Job>> jobs;
    Status outcome;  // of the transaction
  };

  void push(std::unique_ptr<Job> job);
  void loop();
  // Runs `job` in the open transaction (opening one if needed); false, with
  // everything rolled back, if it (or SQLite) failed.
  bool run_fast(Job& job);
  // Commits the batch (again the careful way if `redo` or the commit failed).
  Status end_transaction(std::vector<std::unique_ptr<Job>>& batch, bool redo);
  void sync_loop();
  // fdatasync of the log file; an error once it fails.
  Status make_durable();
  Status run_in_savepoint(Job& job, bool& job_ok);
  Status begin();
  Status commit();
  void roll_back();  // if a transaction is open

  std::unique_ptr<Database> db_;
  int log_fd_ = -1;  // the WAL file, synced by the syncer; -1: commits sync
  std::mutex mu_;                 // guards the queue, the holds, and ended_
  std::condition_variable cv_;    // the writer waits on it
  std::condition_variable sync_cv_;  // the syncer waits on it
  std::vector<std::unique_ptr<Job>> queue_;  // guarded by mu_
  int holds_ = 0;                            // guarded by mu_
  bool stop_ = false;                        // guarded by mu_
  std::atomic<std::uint64_t> commits_{0};
  std::atomic<std::uint64_t> syncs_{0};
  // After a failed fsync nothing is written any more: the kernel may have
  // dropped the pages it could not write, so later commits prove nothing.
  std::atomic<bool> broken_{false};

  // Committed batches the syncer has not taken yet (a deque: Ended cannot be
  // copied). The writer commits only while it is empty.
  std::deque<Ended> ended_;  // guarded by mu_
  bool syncing_ = false;     // guarded by mu_: the syncer holds batches it took
  bool sync_stop_ = false;   // guarded by mu_
  const std::function<void()> on_broken_;

  std::thread syncer_;  // after what it uses
  std::thread thread_;  // last: starts after everything above exists
};

}  // namespace sotto::storage::sqlite
