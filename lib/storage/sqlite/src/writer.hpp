// SPDX-License-Identifier: Apache-2.0
// Group commit. Every write goes to one writer thread through a queue; the
// writer takes everything queued, runs it in ONE transaction, commits once,
// and only then completes each job. A failing job does not undo the others:
// the batch is then run again with each job in its own savepoint (jobs must
// therefore be pure functions of the database: run twice, same effect). One fsync thus covers a whole batch, which is
// what makes durable writes fast.
#pragma once

#include <atomic>
#include <condition_variable>
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

  explicit Writer(std::unique_ptr<Database> db);
  // Runs every job still queued, then stops the thread.
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Queues `work` for the next transaction. `work` may run more than once
  // (after a rollback), so it must not change anything but the database. After
  // the commit, `done` gets the work's result; if the work failed its changes were rolled back, and if the
  // commit failed `done` gets that error instead. `done` runs on the writer
  // thread: it must be quick and must not call run().
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

  void push(std::unique_ptr<Job> job);
  void loop();
  void run_batch(std::vector<std::unique_ptr<Job>>& batch);
  // The fast path: one transaction, no savepoints; false (and nothing
  // changed) if any job or the commit failed.
  bool run_without_savepoints(std::vector<std::unique_ptr<Job>>& batch);
  Status run_in_savepoint(Job& job, bool& job_ok);
  Status begin();
  Status commit();
  void roll_back();  // if a transaction is open

  std::unique_ptr<Database> db_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Job>> queue_;  // guarded by mu_
  int holds_ = 0;                            // guarded by mu_
  bool stop_ = false;                        // guarded by mu_
  std::atomic<std::uint64_t> commits_{0};
  std::thread thread_;  // last: starts after everything above exists
};

}  // namespace sotto::storage::sqlite
