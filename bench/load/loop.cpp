// SPDX-License-Identifier: Apache-2.0
#include "loop.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <thread>

namespace sotto::bench {

namespace net = boost::asio;

struct Loop::Impl {
  // Run by one thread (a hint; posting from other threads stays safe).
  net::io_context io{1};
  net::executor_work_guard<net::io_context::executor_type> guard{io.get_executor()};
  std::thread thread{[this] { io.run(); }};
};

Loop::Loop() : impl_(std::make_unique<Impl>()) {}

Loop::~Loop() { stop(); }

net::io_context& Loop::io() { return impl_->io; }

void Loop::post(std::function<void()> task) { net::post(impl_->io, std::move(task)); }

void Loop::stop() {
  if (!impl_->thread.joinable()) return;
  impl_->guard.reset();
  impl_->io.stop();
  impl_->thread.join();
}

}  // namespace sotto::bench
