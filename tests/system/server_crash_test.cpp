// SPDX-License-Identifier: Apache-2.0
// kill -9 of a real sottod process in the middle of traffic, then a restart on
// the same data dir and port (issue 3, point 7, server half).
//
// The contract under test (docs/server-design.md "Ops"):
// - message.send is answered 200 only after the durable commit, so every
//   send answered 200 before the crash is delivered after it, exactly once.
//   A send whose answer was lost in the crash was committed or not: it is
//   delivered at most once, and the sender resends it (the recipient's
//   protocol layer drops the duplicate if both copies arrive).
// - message.deliver is deleted only when the client's 200 (the ack) has been
//   committed. An envelope delivered but not acked before the crash is
//   delivered again after it (at least once; the client dedupes by guid), and
//   an ack the server had committed is never undone: acks commit in the order
//   they arrive, so the acks lost in a crash are the last ones sent.
//
// The stream comes from a dozen sender accounts at once (the server limits
// message.send per account; a 429 is retried after its retry_after_ms). Each
// run draws its crash point at random; the seed is printed (and can be
// replayed with SOTTO_CRASH_SEED=<n>). SOTTO_KEEP_TEST_DIRS=1 keeps the data
// dir and the per-run sottod logs.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <deque>
#include <functional>
#include <iostream>
#include <map>
#include <numeric>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "sotto/systest/sottod.hpp"
#include "sotto/systest/temp_dir.hpp"
#include "sotto/systest/wire_client.hpp"

#ifndef SOTTO_SOTTOD_DEFAULT
#define SOTTO_SOTTOD_DEFAULT ""
#endif

namespace sotto::systest {
namespace {

using namespace std::chrono_literals;

// Unanswered message.send per connection: under the server's limit of 64.
constexpr std::size_t kWindow = 32;
constexpr std::uint32_t kStatusTooManyRequests = 429;
constexpr std::uint32_t kStatusNotNow = 500;  // any non-2xx answer leaves an envelope queued
constexpr std::uint32_t kNoAnswer = 0;        // drain(): leave the delivery unanswered
// Longest the server may stay silent while it owes us something.
constexpr auto kStallTimeout = 20s;
constexpr const char* kContentPrefix = "sotto crash test message #";

Bytes content_for(int counter) { return to_bytes(kContentPrefix + std::to_string(counter)); }

std::optional<int> counter_of(const wire::Envelope& envelope) {
  const std::string_view text = as_string(envelope.content);
  const std::string_view prefix = kContentPrefix;
  if (text.substr(0, prefix.size()) != prefix) return std::nullopt;
  int value = -1;
  const char* begin = text.data() + prefix.size();
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(begin, end, value);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

std::vector<int> range(int n) {
  std::vector<int> out(static_cast<std::size_t>(n));
  std::iota(out.begin(), out.end(), 0);
  return out;
}

std::map<int, int> histogram(const std::vector<int>& values) {
  std::map<int, int> out;
  for (int v : values) ++out[v];
  return out;
}

struct SendOutcome {
  std::vector<int> acked;   // answered 200, in answer order
  std::set<int> in_flight;  // sent, unanswered when the connection dropped
  std::vector<int> unsent;  // never sent (or to be retried after a 429)
  bool connection_lost = false;
  std::size_t rate_limited = 0;  // 429 answers (retried)
};

struct DrainOutcome {
  std::vector<int> delivered;  // every message.deliver, in arrival order
  std::vector<int> acked;      // answered 200 (sent to the socket), in order
  bool queue_empty = false;
  bool connection_lost = false;
};

// Streams message.send of `counters` to `to` with at most kWindow unanswered.
// A 429 is retried later; any other non-200 answer fails the test. Returns
// when every counter is acked or the connection drops; `on_ack(acked so far)`
// runs after each 200 (tests crash the server from there).
SendOutcome stream_sends(WireClient& client, const TestAccount& to,
                         const std::vector<int>& counters,
                         const std::function<void(std::size_t)>& on_ack = {}) {
  SendOutcome out;
  std::deque<int> to_send(counters.begin(), counters.end());
  std::map<std::uint64_t, int> outstanding;  // request id -> counter
  std::optional<std::chrono::steady_clock::time_point> retry_at;
  while (!to_send.empty() || !outstanding.empty()) {
    const bool may_send = !retry_at || std::chrono::steady_clock::now() >= *retry_at;
    while (may_send && outstanding.size() < kWindow && !to_send.empty() && !out.connection_lost) {
      const int counter = to_send.front();
      auto id = client.send_message(to, content_for(counter), static_cast<std::uint64_t>(counter));
      if (!id) {
        out.connection_lost = true;
        break;
      }
      to_send.pop_front();
      outstanding.emplace(*id, counter);
    }
    if (outstanding.empty()) {
      if (out.connection_lost) break;
      std::this_thread::sleep_for(5ms);  // waiting out a 429
      continue;
    }
    auto response = client.next_response(outstanding.size() < kWindow && !to_send.empty()
                                             ? std::chrono::milliseconds(20)
                                             : std::chrono::milliseconds(kStallTimeout));
    if (!response) {
      out.connection_lost = true;
      break;
    }
    if (!*response) {
      if (outstanding.size() >= kWindow || to_send.empty()) {
        ADD_FAILURE() << "sottod answered none of " << outstanding.size() << " sends in time";
        break;
      }
      continue;
    }
    auto it = outstanding.find((*response)->id);
    if (it == outstanding.end()) {
      ADD_FAILURE() << "answer to an unknown request " << (*response)->id;
      continue;
    }
    const int counter = it->second;
    outstanding.erase(it);
    if ((*response)->status == kOk) {
      out.acked.push_back(counter);
      if (on_ack) on_ack(out.acked.size());
    } else if ((*response)->status == kStatusTooManyRequests) {
      // Refused before any work: safe to send again, once the server says.
      ++out.rate_limited;
      to_send.push_back(counter);
      auto retry = wire::parse_retry_after((*response)->body);
      if (retry && retry->retry_after_ms > 0) {
        retry_at = std::chrono::steady_clock::now() +
                   std::chrono::milliseconds(std::min<std::uint64_t>(retry->retry_after_ms, 5000));
      }
    } else {
      ADD_FAILURE() << "message.send #" << counter << ": " << (*response)->status << " "
                    << (*response)->message;
    }
  }
  for (const auto& [id, counter] : outstanding) out.in_flight.insert(counter);
  out.unsent.assign(to_send.begin(), to_send.end());
  return out;
}

// Reads message.deliver until queue.empty or until the connection drops,
// answering each with `answer(counter)` (default: 200, the ack; kNoAnswer:
// none); `on_ack(acks so far)` runs after each ack is handed to the socket.
DrainOutcome drain(WireClient& client, const std::function<std::uint32_t(int)>& answer = {},
                   const std::function<void(std::size_t)>& on_ack = {}) {
  DrainOutcome out;
  for (;;) {
    auto request = client.next_request(kStallTimeout);
    if (!request) {
      out.connection_lost = true;
      break;
    }
    if (!*request) {
      ADD_FAILURE() << "sottod went silent during a drain, after " << out.delivered.size()
                    << " deliveries";
      break;
    }
    const wire::Request& r = **request;
    if (r.op == wire::kOpQueueEmpty) {
      out.queue_empty = true;
      break;
    }
    if (r.op != wire::kOpMessageDeliver) {  // e.g. keys.low: not what this test is about
      (void)client.respond(r.id);
      continue;
    }
    auto envelope = WireClient::parse_deliver(r);
    std::optional<int> counter = envelope ? counter_of(*envelope) : std::nullopt;
    if (!counter) {
      ADD_FAILURE() << "undecodable message.deliver";
      continue;
    }
    out.delivered.push_back(*counter);
    const std::uint32_t status = answer ? answer(*counter) : kOk;
    if (status == kNoAnswer) continue;
    if (!client.respond(r.id, status)) {
      out.connection_lost = true;
      break;
    }
    if (status == kOk) {
      out.acked.push_back(*counter);
      if (on_ack) on_ack(out.acked.size());
    }
  }
  return out;
}

class ServerCrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty()) << "no temp dir";
    const char* seed_env = std::getenv("SOTTO_CRASH_SEED");
    seed_ = seed_env != nullptr ? static_cast<std::uint32_t>(std::strtoul(seed_env, nullptr, 10))
                                : std::random_device{}();
    rng_.seed(seed_);
    RecordProperty("seed", std::to_string(seed_));
    std::cout << "[ seed     ] SOTTO_CRASH_SEED=" << seed_ << std::endl;

    SottodOptions options;
    options.binary = sottod_binary(SOTTO_SOTTOD_DEFAULT);
    ASSERT_FALSE(options.binary.empty()) << "set SOTTO_SOTTOD to the sottod binary";
    options.data_dir = dir_.path() / "data";
    options.log_dir = dir_.path();
    server_ = std::make_unique<Sottod>(options);
    auto started = server_->start(0);
    ASSERT_TRUE(started) << started.error().message;
    first_pin_ = server_->pin();
    first_port_ = server_->port();

    auto client = connect();
    ASSERT_TRUE(client);
    for (std::size_t i = 0; i < kSenders; ++i) {
      senders_.push_back(
          TestAccount::generate("sender" + std::to_string(i), static_cast<std::uint32_t>(100 + i)));
      auto created = client->create_account(senders_.back());
      ASSERT_TRUE(created) << created.error().message;
    }
    bob_ = TestAccount::generate("bob", 2222);
    auto created = client->create_account(bob_, 100);
    ASSERT_TRUE(created) << created.error().message;
  }

  void TearDown() override {
    if (HasFailure() && server_ && server_->process() != nullptr) {
      std::cout << "sottod stderr (last run):\n" << server_->stderr_text() << std::endl;
    }
    server_.reset();  // kills a server still running, and reaps it
  }

  std::unique_ptr<WireClient> connect() {
    auto client = WireClient::connect(server_->port(), server_->pin_bytes());
    EXPECT_TRUE(client) << client.error().message;
    return client ? std::move(*client) : nullptr;
  }

  std::unique_ptr<WireClient> connect_as(const TestAccount& account) {
    auto client = connect();
    if (!client) return nullptr;
    auto logged_in = client->login(account);
    EXPECT_TRUE(logged_in) << logged_in.error().message;
    return logged_in ? std::move(client) : nullptr;
  }

  // The crashed server is reaped (it must have died of our SIGKILL), then
  // started again on the same data dir and port; its TLS identity survives.
  void restart_after_kill() {
    auto killed = server_->kill9();
    ASSERT_TRUE(killed) << killed.error().message;
    auto restarted = server_->restart();
    ASSERT_TRUE(restarted) << restarted.error().message;
    EXPECT_EQ(server_->port(), first_port_);
    EXPECT_EQ(server_->pin(), first_pin_) << "the certificate changed across the crash";
  }

  // Every sender streams its share of `counters` (counter % kSenders) to Bob,
  // all at once, each on its own connection and thread. `on_ack(total acks)`
  // runs after each 200, on the sender's thread.
  SendOutcome send_from_all(const std::vector<int>& counters,
                            const std::function<void(std::size_t)>& on_ack = {}) {
    std::vector<std::vector<int>> shares(kSenders);
    for (int counter : counters)
      shares[static_cast<std::size_t>(counter) % kSenders].push_back(counter);
    // Everyone is logged in before the first send, so a crash cannot come
    // between one sender's login and another's.
    std::vector<std::unique_ptr<WireClient>> clients;
    for (std::size_t i = 0; i < kSenders; ++i) {
      clients.push_back(connect_as(senders_[i]));
      if (!clients.back()) return {};
    }
    std::vector<SendOutcome> outcomes(kSenders);
    std::atomic<std::size_t> total{0};
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < kSenders; ++i) {
      threads.emplace_back([&, i] {
        outcomes[i] = stream_sends(*clients[i], bob_, shares[i], [&](std::size_t) {
          const std::size_t n = ++total;
          if (on_ack) on_ack(n);
        });
      });
    }
    for (auto& t : threads) t.join();
    SendOutcome merged;
    merged.connection_lost = true;
    for (const auto& o : outcomes) {
      merged.acked.insert(merged.acked.end(), o.acked.begin(), o.acked.end());
      merged.in_flight.insert(o.in_flight.begin(), o.in_flight.end());
      merged.unsent.insert(merged.unsent.end(), o.unsent.begin(), o.unsent.end());
      merged.connection_lost = merged.connection_lost && o.connection_lost;
      merged.rate_limited += o.rate_limited;
    }
    return merged;
  }

  // Sends every counter to Bob, all answered 200.
  void send_all(const std::vector<int>& counters) {
    SendOutcome sent = send_from_all(counters);
    ASSERT_FALSE(HasFailure());
    ASSERT_EQ(sent.acked.size(), counters.size());
  }

  std::size_t uniform(std::size_t lo, std::size_t hi) {
    return std::uniform_int_distribution<std::size_t>(lo, hi)(rng_);
  }

  // Several senders share the stream: the server limits message.send per
  // account (docs/server-design.md), and this test is about crashes, not
  // about waiting for token buckets.
  static constexpr std::size_t kSenders = 12;

  TempDir dir_{"sotto-crash"};
  std::uint32_t seed_ = 0;
  std::mt19937 rng_;
  std::unique_ptr<Sottod> server_;
  std::string first_pin_;
  std::uint16_t first_port_ = 0;
  std::vector<TestAccount> senders_;
  TestAccount bob_;
};

// The senders stream to offline Bob; sottod is SIGKILLed after a random
// number of 200s, with up to kSenders * kWindow sends in flight.
TEST_F(ServerCrashTest, KillDuringSendStreamDeliversEveryAcknowledgedSendExactlyOnce) {
  constexpr int kMessages = 3000;
  const std::size_t kill_after = uniform(200, 1200);
  const std::vector<int> all = range(kMessages);

  SendOutcome sent = send_from_all(all, [&](std::size_t acked) {
    if (acked == kill_after) server_->kill9_async();
  });
  ASSERT_FALSE(HasFailure());
  ASSERT_TRUE(sent.connection_lost) << "every send finished before the kill";
  ASSERT_GE(sent.acked.size(), kill_after);
  ASSERT_NO_FATAL_FAILURE(restart_after_kill());

  // Bob drains his queue once, acking everything.
  const std::set<int> acked(sent.acked.begin(), sent.acked.end());
  ASSERT_EQ(acked.size(), sent.acked.size()) << "a send was answered 200 twice";
  DrainOutcome first;
  {
    auto bob = connect_as(bob_);
    ASSERT_TRUE(bob);
    first = drain(*bob);
  }
  ASSERT_TRUE(first.queue_empty);
  const auto count1 = histogram(first.delivered);
  std::set<int> lost_answers;  // committed, but the 200 never reached the sender
  for (const auto& [counter, n] : count1) {
    ASSERT_TRUE(counter >= 0 && counter < kMessages) << counter;
    EXPECT_EQ(n, 1) << "message #" << counter << " delivered " << n << " times";
    if (acked.count(counter) == 0) {
      EXPECT_EQ(sent.in_flight.count(counter), 1u)
          << "message #" << counter << " was delivered but never sent";
      lost_answers.insert(counter);
    }
  }
  for (int counter : acked) {
    EXPECT_EQ(count1.count(counter), 1u)
        << "message #" << counter << " was answered 200 but is lost after the crash";
  }
  std::cout << "[ crash    ] kill after " << kill_after << " acks: " << acked.size() << " acked, "
            << sent.in_flight.size() << " in flight (" << lost_answers.size()
            << " of them committed), " << sent.unsent.size() << " unsent, " << sent.rate_limited
            << " answered 429 and retried" << std::endl;

  // The senders resend what they never saw acknowledged, as clients would.
  std::vector<int> resend;
  for (int counter : all) {
    if (acked.count(counter) == 0) resend.push_back(counter);
  }
  ASSERT_NO_FATAL_FAILURE(send_all(resend));
  DrainOutcome second;
  {
    auto bob = connect_as(bob_);
    ASSERT_TRUE(bob);
    second = drain(*bob);
  }
  ASSERT_TRUE(second.queue_empty);
  std::vector<int> second_sorted = second.delivered;
  std::sort(second_sorted.begin(), second_sorted.end());
  EXPECT_EQ(second_sorted, resend) << "the resent messages, each once";

  // Together: every message at least once; twice only those whose answer
  // the crash swallowed (the recipient's protocol drops the copy).
  std::vector<int> total = first.delivered;
  total.insert(total.end(), second.delivered.begin(), second.delivered.end());
  const auto count = histogram(total);
  EXPECT_EQ(count.size(), static_cast<std::size_t>(kMessages));
  for (int counter : all) {
    const auto it = count.find(counter);
    const int expected = lost_answers.count(counter) ? 2 : 1;
    EXPECT_EQ(it == count.end() ? 0 : it->second, expected) << "message #" << counter;
  }
  EXPECT_EQ(total.size(), kMessages + lost_answers.size());

  auto stopped = server_->stop();
  EXPECT_TRUE(stopped) << stopped.error().message;
}

// Bob drains a backlog, acking each envelope; sottod is SIGKILLed after a
// random number of acks, with deliveries and acks in flight.
TEST_F(ServerCrashTest, KillDuringDrainRedeliversOnlyWhatWasNotAcked) {
  constexpr int kMessages = 2000;
  const std::vector<int> all = range(kMessages);
  ASSERT_NO_FATAL_FAILURE(send_all(all));
  // Well past the server's delivery window (64): by then acks have been
  // committed, so the crash must not lose all of them.
  const std::size_t kill_after = uniform(300, 1500);

  // From the kill on, Bob reads what is still on its way but acks nothing:
  // those envelopes were delivered and never acked, so they must come again.
  bool killed = false;
  DrainOutcome first;
  {
    auto bob = connect_as(bob_);
    ASSERT_TRUE(bob);
    first = drain(
        *bob, [&](int) { return killed ? kNoAnswer : kOk; },
        [&](std::size_t acks) {
          if (acks == kill_after) {
            server_->kill9_async();
            killed = true;
          }
        });
  }
  ASSERT_FALSE(HasFailure());
  ASSERT_TRUE(first.connection_lost);
  ASSERT_FALSE(first.queue_empty);
  ASSERT_NO_FATAL_FAILURE(restart_after_kill());

  DrainOutcome second;
  {
    auto bob = connect_as(bob_);
    ASSERT_TRUE(bob);
    second = drain(*bob);
  }
  ASSERT_TRUE(second.queue_empty);

  const auto count1 = histogram(first.delivered);
  const auto count2 = histogram(second.delivered);
  for (const auto& [counter, n] : count1) {
    EXPECT_EQ(n, 1) << "message #" << counter << " delivered twice before the crash";
  }
  for (const auto& [counter, n] : count2) {
    ASSERT_TRUE(counter >= 0 && counter < kMessages) << counter;
    EXPECT_EQ(n, 1) << "message #" << counter << " delivered twice after the crash";
  }
  // At least once: whatever was not acked comes (again) after the crash,
  // including envelopes delivered but not yet acked when the server died.
  const std::set<int> acked(first.acked.begin(), first.acked.end());
  std::size_t redelivered_unacked = 0;
  for (int counter : all) {
    if (acked.count(counter) != 0) continue;
    EXPECT_EQ(count2.count(counter), 1u) << "message #" << counter << " lost in the crash";
    if (count1.count(counter) != 0) ++redelivered_unacked;
  }
  // Acks commit in the order they arrive, so the acks the crash lost are a
  // tail of those Bob sent: an ack followed by a committed ack is never undone.
  std::size_t first_lost = first.acked.size();
  for (std::size_t i = 0; i < first.acked.size(); ++i) {
    if (count2.count(first.acked[i]) != 0) {
      first_lost = i;
      break;
    }
  }
  for (std::size_t i = first_lost; i < first.acked.size(); ++i) {
    EXPECT_EQ(count2.count(first.acked[i]), 1u)
        << "ack #" << i << " (message #" << first.acked[i]
        << ") survived the crash although the earlier ack #" << first_lost << " did not";
  }
  const std::size_t lost_acks = first.acked.size() - first_lost;
  EXPECT_LT(lost_acks, first.acked.size()) << "no ack was committed before the crash";
  EXPECT_EQ(second.delivered.size(), kMessages - first.acked.size() + lost_acks);
  std::cout << "[ crash    ] kill after " << kill_after << " acks: " << first.delivered.size()
            << " delivered, " << first.acked.size() << " acked (last " << lost_acks
            << " not committed); after restart " << second.delivered.size()
            << " delivered, of which " << redelivered_unacked
            << " had been delivered without an ack" << std::endl;

  auto stopped = server_->stop();
  EXPECT_TRUE(stopped) << stopped.error().message;
}

// Deterministic companion of the test above: Bob acks a random half of his
// backlog and refuses the rest; queue.empty says every ack is committed.
// After kill -9 exactly the refused envelopes come back, each once.
TEST_F(ServerCrashTest, AcksCommittedBeforeQueueEmptySurviveKill) {
  constexpr int kMessages = 600;
  const std::vector<int> all = range(kMessages);
  ASSERT_NO_FATAL_FAILURE(send_all(all));

  std::set<int> refused;
  DrainOutcome first;
  {
    auto bob = connect_as(bob_);
    ASSERT_TRUE(bob);
    first = drain(*bob, [&](int counter) {
      if (std::bernoulli_distribution(0.5)(rng_)) return kOk;
      refused.insert(counter);
      return kStatusNotNow;
    });
  }
  ASSERT_TRUE(first.queue_empty);
  ASSERT_EQ(first.delivered.size(), static_cast<std::size_t>(kMessages));
  ASSERT_NO_FATAL_FAILURE(restart_after_kill());

  DrainOutcome second;
  {
    auto bob = connect_as(bob_);
    ASSERT_TRUE(bob);
    second = drain(*bob);
  }
  ASSERT_TRUE(second.queue_empty);
  std::vector<int> second_sorted = second.delivered;
  std::sort(second_sorted.begin(), second_sorted.end());
  EXPECT_EQ(second_sorted, std::vector<int>(refused.begin(), refused.end()));

  auto stopped = server_->stop();
  EXPECT_TRUE(stopped) << stopped.error().message;
}

}  // namespace
}  // namespace sotto::systest
