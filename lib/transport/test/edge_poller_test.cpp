// SPDX-License-Identifier: Apache-2.0
#include "sotto/transport/edge_poller.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <cstring>
#include <functional>
#include <memory>
#include <stdexcept>
#include <vector>

namespace sotto::transport {
namespace {

using namespace std::chrono_literals;
namespace net = boost::asio;

// A connected pair of non-blocking stream sockets; closes what it still owns.
struct SocketPair {
  SocketPair() {
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds), 0);
  }
  ~SocketPair() {
    for (int fd : fds) {
      if (fd >= 0) ::close(fd);
    }
  }
  int ours() const { return fds[0]; }
  int theirs() const { return fds[1]; }
  void write_theirs(const char* text) const {
    ASSERT_GT(::write(fds[1], text, std::strlen(text)), 0);
  }
  int fds[2] = {-1, -1};
};

struct Recorder final : ReadinessListener {
  void on_ready(std::uint32_t events) override {
    seen.push_back(events);
    if (then) then();
  }
  std::vector<std::uint32_t> seen;
  std::function<void()> then;
};

std::string drain(int fd) {
  std::string out;
  char buffer[256];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n <= 0) return out;
    out.append(buffer, static_cast<std::size_t>(n));
  }
}

TEST(EdgePoller, ReportsInputThatArrivesAfterWatch) {
  net::io_context io;
  auto& poller = EdgePoller::of(io);
  SocketPair pair;
  Recorder listener;
  ASSERT_EQ(poller.watch(pair.ours(), listener), 0);
  io.run_for(20ms);  // writable only: reported once, then quiet
  listener.seen.clear();

  pair.write_theirs("hello");
  io.run_for(50ms);
  ASSERT_EQ(listener.seen.size(), 1u);
  EXPECT_NE(listener.seen[0] & EPOLLIN, 0u);
  EXPECT_EQ(drain(pair.ours()), "hello");

  // Edge-triggered: nothing new, nothing reported; new input, a new edge.
  io.run_for(20ms);
  EXPECT_EQ(listener.seen.size(), 1u);
  pair.write_theirs("again");
  io.run_for(50ms);
  EXPECT_EQ(listener.seen.size(), 2u);
  poller.unwatch(pair.ours(), listener);
}

TEST(EdgePoller, ReportsInputAlreadyWaitingWhenWatched) {
  net::io_context io;
  SocketPair pair;
  pair.write_theirs("early");
  Recorder listener;
  ASSERT_EQ(EdgePoller::of(io).watch(pair.ours(), listener), 0);
  io.run_for(50ms);
  ASSERT_FALSE(listener.seen.empty());
  EXPECT_NE(listener.seen[0] & EPOLLIN, 0u);
  EdgePoller::of(io).unwatch(pair.ours(), listener);
}

TEST(EdgePoller, PeerShutdownComesWithRdhupSoTheLastDataIsReadToTheEnd) {
  net::io_context io;
  SocketPair pair;
  Recorder listener;
  ASSERT_EQ(EdgePoller::of(io).watch(pair.ours(), listener), 0);
  io.run_for(20ms);
  listener.seen.clear();
  // Data and FIN before the loop looks: one edge for both.
  pair.write_theirs("last words");
  ASSERT_EQ(::shutdown(pair.theirs(), SHUT_WR), 0);
  io.run_for(50ms);
  ASSERT_EQ(listener.seen.size(), 1u);
  EXPECT_NE(listener.seen[0] & EPOLLRDHUP, 0u);
  EdgePoller::of(io).unwatch(pair.ours(), listener);
}

TEST(EdgePoller, ListenerUnwatchedDuringAWakeUpHearsNothingMoreOfIt) {
  net::io_context io;
  auto& poller = EdgePoller::of(io);
  SocketPair first_pair, second_pair;
  auto first = std::make_unique<Recorder>();
  auto second = std::make_unique<Recorder>();
  ASSERT_EQ(poller.watch(first_pair.ours(), *first), 0);
  ASSERT_EQ(poller.watch(second_pair.ours(), *second), 0);
  io.run_for(20ms);
  first->seen.clear();
  second->seen.clear();

  // Whichever hears first unwatches and destroys the other: the other's
  // event in the same wake-up must not reach freed memory.
  first_pair.write_theirs("x");
  second_pair.write_theirs("y");
  bool destroyed = false;
  first->then = [&] {
    if (destroyed) return;
    destroyed = true;
    poller.unwatch(second_pair.ours(), *second);
    second.reset();
  };
  second->then = [&] {
    if (destroyed) return;
    destroyed = true;
    poller.unwatch(first_pair.ours(), *first);
    first.reset();
  };
  io.run_for(50ms);
  EXPECT_TRUE(destroyed);
  const Recorder* survivor = first ? first.get() : second.get();
  ASSERT_NE(survivor, nullptr);
  EXPECT_EQ(survivor->seen.size(), 1u);
  poller.unwatch(first ? first_pair.ours() : second_pair.ours(), *(first ? first : second));
}

TEST(EdgePoller, AThrowingListenerDoesNotDeafenTheOthers) {
  net::io_context io;
  auto& poller = EdgePoller::of(io);
  SocketPair throwing_pair, quiet_pair;
  Recorder throwing, quiet;
  ASSERT_EQ(poller.watch(throwing_pair.ours(), throwing), 0);
  ASSERT_EQ(poller.watch(quiet_pair.ours(), quiet), 0);
  io.run_for(20ms);
  throwing.seen.clear();
  quiet.seen.clear();
  throwing.then = [] { throw std::runtime_error("listener failed"); };
  quiet.then = [] { throw std::runtime_error("listener failed"); };
  throwing_pair.write_theirs("a");
  quiet_pair.write_theirs("b");
  // As sottod's I/O threads do: run() again after a handler threw.
  const auto until = std::chrono::steady_clock::now() + 100ms;
  int throws = 0;
  while (std::chrono::steady_clock::now() < until) {
    try {
      io.run_until(until);
    } catch (const std::runtime_error&) {
      ++throws;
    }
  }
  // Both heard of their edge, though the first to hear threw.
  EXPECT_EQ(throws, 2);
  EXPECT_EQ(throwing.seen.size(), 1u);
  EXPECT_EQ(quiet.seen.size(), 1u);
  // And later edges still come.
  throwing.then = nullptr;
  quiet.then = nullptr;
  quiet_pair.write_theirs("c");
  io.restart();
  io.run_for(50ms);
  EXPECT_EQ(quiet.seen.size(), 2u);
  poller.unwatch(throwing_pair.ours(), throwing);
  poller.unwatch(quiet_pair.ours(), quiet);
}

TEST(EdgePoller, RunReturnsOnceNothingIsWatched) {
  net::io_context io;
  SocketPair pair;
  Recorder listener;
  auto& poller = EdgePoller::of(io);
  ASSERT_EQ(poller.watch(pair.ours(), listener), 0);
  EXPECT_EQ(poller.watched(), 1u);
  net::post(io, [&] { poller.unwatch(pair.ours(), listener); });
  // No work guard: run() ends when the poller stops waiting.
  const auto start = std::chrono::steady_clock::now();
  io.run();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_EQ(poller.watched(), 0u);
}

TEST(EdgePollerReadiness, AFinOrAnErrorIsReadToTheEnd) {
  const auto data = readiness(EPOLLIN | EPOLLOUT);
  EXPECT_TRUE(data.read);
  EXPECT_FALSE(data.to_the_end);
  EXPECT_TRUE(data.write);
  const auto fin = readiness(EPOLLIN | EPOLLRDHUP);
  EXPECT_TRUE(fin.read);
  EXPECT_TRUE(fin.to_the_end);
  EXPECT_FALSE(fin.write);
  const auto error = readiness(EPOLLERR);
  EXPECT_TRUE(error.read && error.to_the_end && error.write);
  EXPECT_FALSE(readiness(EPOLLOUT).read);
}

TEST(EdgePoller, WatchingAClosedDescriptorFails) {
  net::io_context io;
  Recorder listener;
  EXPECT_NE(EdgePoller::of(io).watch(-1, listener), 0);
  EXPECT_EQ(EdgePoller::of(io).watched(), 0u);
}

}  // namespace
}  // namespace sotto::transport
