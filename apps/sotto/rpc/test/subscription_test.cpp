// SPDX-License-Identifier: Apache-2.0
// How `sotto daemon` builds signal-cli's receive subscriptions on the server:
// subscribeReceive answers a subscription id, then incoming messages are
// pushed as "receive" notifications to that connection until it
// unsubscribes or disconnects. The daemon's state lives on its own thread
// here, as it will in the real daemon.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <future>
#include <map>
#include <mutex>
#include <thread>

#include "test_support.hpp"

namespace sotto::cli::rpc {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::connect_or_die;
using testing::kWait;
using testing::TempDir;
using testing::unix_options;
using testing::wait_until;

// A single thread owning the daemon's state; handlers post to it.
class StateThread {
 public:
  StateThread() : thread_([this] { run(); }) {}
  ~StateThread() {
    post({});
    thread_.join();
  }
  void post(std::function<void()> task) {
    std::lock_guard lock(mutex_);
    tasks_.push_back(std::move(task));
    wake_.notify_one();
  }

 private:
  void run() {
    for (;;) {
      std::function<void()> task;
      {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [this] { return !tasks_.empty(); });
        task = std::move(tasks_.front());
        tasks_.pop_front();
      }
      if (!task) return;
      task();
    }
  }
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> tasks_;
  std::thread thread_;
};

class FakeDaemon {
 public:
  explicit FakeDaemon(const RpcServerOptions& options) {
    MethodTable methods;
    methods["subscribeReceive"] = [this](const json&, ConnectionId from, Reply reply) {
      state_.post([this, from, reply] {
        std::int64_t id = next_subscription_++;
        subscriptions_[id] = from;
        reply(id);
      });
    };
    methods["unsubscribeReceive"] = [this](const json& params, ConnectionId from, Reply reply) {
      auto id = params.at("subscription").get<std::int64_t>();  // wrong shape: invalid params
      state_.post([this, id, from, reply] {
        auto it = subscriptions_.find(id);
        if (it == subscriptions_.end() || it->second != from) {
          return reply(tl::unexpected(invalid_params("no such subscription")));
        }
        subscriptions_.erase(it);
        reply(true);
      });
    };
    auto started = RpcServer::start(options, std::move(methods), [this](ConnectionId gone) {
      state_.post([this, gone] {
        std::erase_if(subscriptions_, [gone](const auto& s) { return s.second == gone; });
      });
    });
    if (!started) throw std::runtime_error(started.error().message);
    server_ = std::move(*started);
  }
  ~FakeDaemon() { server_->stop(); }  // before the state it calls into

  // A message arrived from the relay: fan it out on the state thread.
  void deliver(const json& envelope) {
    state_.post([this, envelope] {
      for (const auto& [id, connection] : subscriptions_) {
        server_->notify(connection, "receive", {{"subscription", id}, {"result", envelope}});
      }
    });
  }

  std::size_t subscription_count() {
    std::promise<std::size_t> count;
    state_.post([&] { count.set_value(subscriptions_.size()); });
    return count.get_future().get();
  }

 private:
  std::map<std::int64_t, ConnectionId> subscriptions_;  // state thread only
  std::int64_t next_subscription_ = 0;
  std::unique_ptr<RpcServer> server_;
  StateThread state_;  // last: joined first, while the rest still exists
};

TEST(RpcSubscription, ReceiveNotificationsReachOnlySubscribers) {
  TempDir dir;
  auto options = unix_options(dir);
  FakeDaemon daemon(options);
  auto subscriber = connect_or_die(options.unix_path);
  auto bystander = connect_or_die(options.unix_path);

  auto sub = subscriber.call("subscribeReceive", nullptr, kWait);
  ASSERT_TRUE(sub && *sub);
  auto subscription = (**sub).get<std::int64_t>();

  daemon.deliver({{"source", "+15550001"}, {"body", "hi"}});
  auto n = subscriber.next_notification(kWait);
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_EQ(n->method, "receive");
  EXPECT_EQ(n->params.at("subscription"), subscription);
  EXPECT_EQ(n->params.at("result").at("body"), "hi");
  auto nothing = bystander.next_notification(150ms);
  ASSERT_FALSE(nothing);
  EXPECT_EQ(nothing.error().code, Errc::timed_out);

  // A notification arriving while a call waits is kept for later.
  daemon.deliver({{"body", "second"}});
  std::this_thread::sleep_for(50ms);
  auto bad = subscriber.call("unsubscribeReceive", {{"subscription", "x"}}, kWait);
  ASSERT_TRUE(bad && !*bad);
  EXPECT_EQ(bad->error().code, kInvalidParams);
  auto second = subscriber.next_notification(kWait);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->params.at("result").at("body"), "second");

  // Someone else cannot cancel it.
  auto foreign = bystander.call("unsubscribeReceive", {{"subscription", subscription}}, kWait);
  ASSERT_TRUE(foreign && !*foreign);

  auto off = subscriber.call("unsubscribeReceive", {{"subscription", subscription}}, kWait);
  ASSERT_TRUE(off && *off);
  daemon.deliver({{"body", "after"}});
  auto none = subscriber.next_notification(150ms);
  EXPECT_FALSE(none);
}

TEST(RpcSubscription, DisconnectEndsSubscriptions) {
  TempDir dir;
  auto options = unix_options(dir);
  FakeDaemon daemon(options);
  {
    auto client = connect_or_die(options.unix_path);
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(client.call("subscribeReceive", nullptr, kWait));
    EXPECT_EQ(daemon.subscription_count(), 3u);
  }
  EXPECT_TRUE(wait_until([&] { return daemon.subscription_count() == 0; }));
  daemon.deliver({{"body", "to nobody"}});  // notify() to a gone id is simply false
}

TEST(RpcSubscription, NotifyToAGoneConnectionIsFalse) {
  TempDir dir;
  auto options = unix_options(dir);
  std::atomic<ConnectionId> gone{0};
  auto server = testing::start_or_die(options, testing::basic_methods(),
                                      [&](ConnectionId id) { gone = id; });
  ConnectionId id = 0;
  {
    auto client = connect_or_die(options.unix_path);
    auto who = client.call("whoami", nullptr, kWait);
    ASSERT_TRUE(who && *who);
    id = (**who).get<ConnectionId>();
    EXPECT_TRUE(server->notify(id, "receive", {{"n", 1}}));
    auto n = client.next_notification(kWait);
    ASSERT_TRUE(n);
    EXPECT_EQ(n->params, json({{"n", 1}}));
  }
  ASSERT_TRUE(wait_until([&] { return gone.load() == id; }));
  EXPECT_FALSE(server->notify(id, "receive", nullptr));
  EXPECT_FALSE(server->notify(id + 1000, "receive", nullptr));
}

}  // namespace
}  // namespace sotto::cli::rpc
