// SPDX-License-Identifier: Apache-2.0
// Where the service runs work that may block on the store (reads, and writes
// that have no asynchronous form), so transport I/O threads never wait on disk.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace sotto::server {

class Executor {
 public:
  virtual ~Executor() = default;
  // Runs `task` later, on some thread. Thread-safe.
  virtual void post(std::function<void()> task) = 0;
};

// A fixed set of worker threads sharing one FIFO queue.
class ThreadPool final : public Executor {
 public:
  explicit ThreadPool(unsigned threads);
  ~ThreadPool() override;  // shutdown()
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  void post(std::function<void()> task) override;
  // Runs every queued task, then joins the workers; later posts are dropped.
  void shutdown();

 private:
  void run();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

// Queues tasks until run_all() is called; for deterministic tests.
class ManualExecutor final : public Executor {
 public:
  void post(std::function<void()> task) override;
  // Runs tasks (including those they post) until none are left; returns how many ran.
  std::size_t run_all();

 private:
  std::mutex mu_;
  std::deque<std::function<void()>> tasks_;
};

}  // namespace sotto::server
