// SPDX-License-Identifier: Apache-2.0
// W3, offline delivery: one recipient registers and goes offline; S senders
// send it M messages, each sender with a window of unanswered sends. Store
// rate = acknowledged sends per second (each 200 comes after the durable
// commit). Then the recipient logs in again and acks every delivery: drain
// rate = messages per second from its connect to the last delivery, and the
// time to queue.empty (sent once every ack is committed) is reported too.
#include <cstdio>
#include <thread>

#include "driver.hpp"
#include "mqtt_connection.hpp"
#include "proc_stats.hpp"
#include "workloads.hpp"

namespace sotto::bench {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_between(std::uint64_t from_ns, std::uint64_t to_ns) {
  return to_ns > from_ns ? static_cast<double>(to_ns - from_ns) / 1e9 : 0;
}

class W3Driver final : public Driver {
 public:
  W3Driver(Fleet& fleet, const PayloadPool& pool, std::size_t messages, std::size_t window)
      : Driver(fleet, pool),
        messages_(messages),
        window_(window),
        recipient_signals_empty_(recipient().signals_queue_empty()) {}

  Device& recipient() { return *fleet_.devices()[0]; }

  // Loop thread.
  void start_sending() {
    store_start_ns_ = steady_ns();
    for (std::size_t i = 1; i < fleet_.devices().size(); ++i) fill(*fleet_.devices()[i]);
  }

  void start_drain() {
    drain_start_ns_ = steady_ns();
    fleet_.reconnect(recipient());
  }

  [[nodiscard]] Tick tick() const { return {sent_, delivered_, sent_ - ledger_.answered_count()}; }
  [[nodiscard]] bool stored() const { return sent_ == messages_ && answered_ == messages_; }
  [[nodiscard]] bool recipient_closed() const { return !recipient_online_; }
  // Sotto: queue.empty (every ack committed). The peers have no such signal:
  // the last acknowledged message delivered.
  [[nodiscard]] bool drained() const {
    if (recipient_signals_empty_) return queue_empty_ns_ != 0;
    return drain_start_ns_ != 0 && delivered_ >= ledger_.acked();
  }
  [[nodiscard]] std::uint64_t delivered() const { return delivered_; }

  struct Times {
    double store_s = 0;
    double login_s = 0;          // drain start to login answered
    double last_delivery_s = 0;  // drain start to the last delivery
    double queue_empty_s = 0;    // drain start to queue.empty
  };
  [[nodiscard]] Times times() const {
    Times t;
    t.store_s = seconds_between(store_start_ns_, last_answer_ns_);
    t.login_s = seconds_between(drain_start_ns_, login_ns_);
    t.last_delivery_s = seconds_between(drain_start_ns_, last_delivery_ns_);
    t.queue_empty_s = seconds_between(
        drain_start_ns_, recipient_signals_empty_ ? queue_empty_ns_ : last_delivery_ns_);
    return t;
  }
  [[nodiscard]] std::uint64_t acked() const { return ledger_.acked(); }
  Ledger::Summary ledger_summary() const { return ledger_.summary(); }

  void note_recipient_online() { recipient_online_ = true; }

  // DeviceEvents.
  void on_send_answer(Device& device, std::uint64_t seq, std::uint32_t status) override {
    ledger_.answered(seq, status);
    ++answered_;
    last_answer_ns_ = steady_ns();
    fill(device);
  }

  void on_deliver(Device& device, std::uint64_t seq, std::uint64_t) override {
    if (!ledger_.delivered(seq, device.index())) return;
    ++delivered_;
    last_delivery_ns_ = steady_ns();
  }

  void on_challenge(Device& device) override {
    // The recipient coming back logs in as soon as the server asks.
    if (device.index() == 0 && drain_start_ns_ != 0 && login_ns_ == 0) {
      device.login();
    }
  }

  void on_logged_in(Device& device, std::uint32_t status, const std::string& message) override {
    if (device.index() == 0) login_ns_ = steady_ns();
    Driver::on_logged_in(device, status, message);
  }

  void on_queue_empty(Device& device) override {
    if (device.index() == 0 && drain_start_ns_ != 0) queue_empty_ns_ = steady_ns();
  }

  void on_closed(Device& device, const std::string& why) override {
    if (device.index() == 0 && drain_start_ns_ == 0) {
      recipient_online_ = false;  // the recipient going offline on purpose
      return;
    }
    Driver::on_closed(device, why);
  }

 private:
  void fill(Device& sender) {
    Device& to = recipient();
    while (sent_ < messages_ && sender.outstanding_sends() < window_) {
      const std::uint64_t seq = ledger_.issue(to.index());
      ++sent_;
      sender.send_message(to, seq, pool_);
    }
    // No more to send: ask for the answers of what is out (XMPP's barrier).
    if (sent_ == messages_) sender.flush_sends();
  }

  const std::size_t messages_;
  const std::size_t window_;
  const bool recipient_signals_empty_;
  bool recipient_online_ = false;
  std::uint64_t sent_ = 0;
  std::uint64_t answered_ = 0;
  std::uint64_t delivered_ = 0;
  std::uint64_t store_start_ns_ = 0;
  std::uint64_t last_answer_ns_ = 0;
  std::uint64_t drain_start_ns_ = 0;
  std::uint64_t login_ns_ = 0;
  std::uint64_t last_delivery_ns_ = 0;
  std::uint64_t queue_empty_ns_ = 0;
};

// Polls `done` on the loop every 20 ms; false after `timeout_s`, or after
// `stall_s` without progress in `progress_of`.
template <class Done, class Progress>
bool wait_until(Loop& loop, Done done, Progress progress_of, double timeout_s, double stall_s) {
  const auto start = Clock::now();
  auto last_change = start;
  auto last = loop.call(progress_of);
  for (;;) {
    if (loop.call(done)) return true;
    const auto now = Clock::now();
    if (std::chrono::duration<double>(now - start).count() > timeout_s) return false;
    const auto p = loop.call(progress_of);
    if (p != last) {
      last = p;
      last_change = now;
    } else if (std::chrono::duration<double>(now - last_change).count() > stall_s) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace

nlohmann::json run_w3(const BenchOptions& options, ServerUnderTest& server,
                      const PayloadPool& pool) {
  nlohmann::json result = {{"workload", "w3"},
                           {"protocol", protocol_name(options.protocol)},
                           {"messages", options.messages},
                           {"senders", options.senders},
                           {"sender_window", options.sender_window}};
  Loop loop;
  ServerEndpoint endpoint = server.endpoint(options.source_addresses);
  // The peers' acknowledgements: MQTT QoS 1 (PUBACK once the broker queued
  // the message for the offline session); XMPP a ping after every half
  // window, answered once c2s has routed (stored) the messages before it.
  endpoint.mqtt_qos = 1;
  endpoint.xmpp_barrier_every = std::max<std::size_t>(1, options.sender_window / 2);
  Fleet fleet(loop, endpoint);
  fleet.add(1 + options.senders, 0, options.name_tag + "w3u",
            options.seed);  // device 0 is the recipient
  if (auto* mqtt = dynamic_cast<MqttDevice*>(fleet.devices()[0].get())) {
    // A persistent session (clean session 0) keeps the subscription and
    // queues QoS 1 messages while the recipient is away.
    mqtt->set_clean_session(false);
  }
  if (options.progress) {
    std::fprintf(stderr, "w3: recipient + %zu senders online...\n", options.senders);
  }
  const SetupStats setup = fleet.bring_online(options.concurrency);
  result["setup"] = setup.to_json();
  bool ok = setup.failures == 0;
  if (!ok) {
    result["ok"] = false;
    fleet.shutdown(std::chrono::seconds(1));
    return result;
  }

  W3Driver driver(fleet, pool, options.messages, options.sender_window);
  driver.attach();
  const pid_t server_pid = server.pid();
  const std::vector<pid_t> server_pids =
      server_pid > 0 ? std::vector<pid_t>{server_pid} : std::vector<pid_t>{};

  // The recipient goes offline (a clean close: the server unregisters it).
  loop.call([&] {
    driver.note_recipient_online();
    driver.recipient().close();
  });
  if (!wait_until(
          loop, [&] { return driver.recipient_closed(); }, [] { return 0; }, 10, 10)) {
    result["error"] = "the recipient's connection did not close";
    ok = false;
  }
  if (options.protocol != Protocol::sotto) {
    // The peers close the socket as they end the session; give the session
    // manager a moment to finish, so no message races the recipient's exit.
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }

  // Store.
  if (options.progress) std::fprintf(stderr, "w3: storing %zu messages...\n", options.messages);
  CpuWindow store_cpu(server_pids, {::getpid()});
  ThreadCpu store_threads(server_pid);
  store_cpu.start();
  store_threads.start();
  loop.call([&] { driver.start_sending(); });
  const bool stored = wait_until(
      loop, [&] { return driver.stored(); }, [&] { return driver.tick().sent + driver.acked(); },
      3600, 30);
  const auto store_usage = store_cpu.finish();
  const std::uint64_t acked = loop.call([&] { return driver.acked(); });
  auto times = loop.call([&] { return driver.times(); });
  nlohmann::json store = {
      {"complete", stored},
      {"acked", acked},
      {"seconds", times.store_s},
      {"acked_per_s", times.store_s > 0 ? acked / times.store_s : 0},
      {"cpu", store_usage.to_json()},
      {"server_threads", store_threads.finish()},
      {"server_cpu_us_per_message", acked > 0 ? store_usage.server_cpu_seconds * 1e6 / acked : 0},
      {"server_rss_kb", server_pid > 0 ? process_rss_kb(server_pid) : -1}};
  result["store"] = store;
  if (!stored) ok = false;

  // Drain.
  if (options.progress) std::fprintf(stderr, "w3: recipient back online, draining...\n");
  CpuWindow drain_cpu(server_pids, {::getpid()});
  ThreadCpu drain_threads(server_pid);
  drain_cpu.start();
  drain_threads.start();
  loop.call([&] { driver.start_drain(); });
  const bool drained = wait_until(
      loop, [&] { return driver.drained(); }, [&] { return driver.delivered(); }, 3600, 30);
  const auto drain_usage = drain_cpu.finish();
  times = loop.call([&] { return driver.times(); });
  const std::uint64_t delivered = loop.call([&] { return driver.delivered(); });
  result["drain"] = {
      {"complete", drained},
      {"delivered", delivered},
      {"login_s", times.login_s},
      {"last_delivery_s", times.last_delivery_s},
      {"queue_empty_s", times.queue_empty_s},
      {"delivered_per_s", times.last_delivery_s > 0 ? delivered / times.last_delivery_s : 0},
      {"cpu", drain_usage.to_json()},
      {"server_threads", drain_threads.finish()},
      {"server_cpu_us_per_message",
       delivered > 0 ? drain_usage.server_cpu_seconds * 1e6 / delivered : 0},
      {"server_rss_kb", server_pid > 0 ? process_rss_kb(server_pid) : -1}};
  if (!drained) ok = false;

  const auto summary = loop.call([&] { return driver.ledger_summary(); });
  result["ledger"] = summary.to_json();
  result["errors"] = loop.call([&] { return driver.errors_json(); });
  if (!summary.ok()) ok = false;
  if (result["errors"]["count"].get<std::size_t>() > 0) ok = false;
  result["ok"] = ok;
  fleet.shutdown(std::chrono::seconds(5));
  return result;
}

}  // namespace sotto::bench
