// SPDX-License-Identifier: Apache-2.0
// The generator's one I/O thread: an io_context run on a thread of its own,
// so the workload code can be written as a plain sequence (start, sleep,
// snapshot, stop) on the main thread while every connection and every
// workload counter lives on the I/O thread, without locks.
#pragma once

#include <functional>
#include <future>
#include <memory>
#include <type_traits>

namespace boost::asio {
class io_context;
}

namespace sotto::bench {

class Loop {
 public:
  Loop();
  ~Loop();  // stops the io_context and joins the thread
  Loop(const Loop&) = delete;
  Loop& operator=(const Loop&) = delete;

  boost::asio::io_context& io();
  // Runs `task` on the I/O thread, later.
  void post(std::function<void()> task);
  // Runs `task` on the I/O thread and waits for its result.
  template <class F>
  auto call(F&& task) -> std::invoke_result_t<F&> {
    using R = std::invoke_result_t<F&>;
    auto done = std::make_shared<std::promise<R>>();
    auto result = done->get_future();
    post([done, t = std::forward<F>(task)]() mutable {
      if constexpr (std::is_void_v<R>) {
        t();
        done->set_value();
      } else {
        done->set_value(t());
      }
    });
    return result.get();
  }
  // Stops running handlers and joins the thread (idempotent). Connections
  // must be destroyed after this.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sotto::bench
