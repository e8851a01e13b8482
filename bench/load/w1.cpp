// SPDX-License-Identifier: Apache-2.0
// W1, 1:1 throughput: C clients online; each message goes from a random
// client to a random other one. Closed loop first (W messages sent and not
// yet delivered at any time: the delivered rate is the server's maximum),
// then open loop at a fraction of that maximum for the latency percentiles.
// Each phase: warm-up, measured window, then a drain of what is in flight.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdio>
#include <thread>

#include "driver.hpp"
#include "proc_stats.hpp"
#include "workloads.hpp"

namespace sotto::bench {

namespace {

namespace net = boost::asio;

// The server answers 429 past 64 unanswered requests on a connection; a
// sender that has this many unanswered sends is skipped for now.
constexpr std::size_t kMaxSendsPerConnection = 48;
// And one whose socket is backed up (the server is not reading it).
constexpr std::size_t kMaxQueuedBytes = 256 * 1024;
// Sends per loop turn at most, so deliveries are not starved.
constexpr std::size_t kSendBudget = 2000;
constexpr auto kOpenLoopTick = std::chrono::milliseconds(1);

enum class Mode { idle, closed, open };

class W1Driver final : public Driver {
 public:
  W1Driver(Fleet& fleet, const PayloadPool& pool, std::uint64_t seed)
      : Driver(fleet, pool), random_(seed), timer_(fleet.loop().io()) {}

  // Loop thread.
  void start_closed(std::size_t window) {
    collect_online();
    mode_ = Mode::closed;
    window_ = window;
    top_up();
  }

  void start_open(double rate) {
    collect_online();
    mode_ = Mode::open;
    rate_ = rate;
    open_start_ns_ = steady_ns();
    open_sent_ = 0;
    schedule_tick();
  }

  void stop_sending() {
    mode_ = Mode::idle;
    timer_.cancel();
  }

  void begin_record() {
    recording_ = true;
    latency_.clear();
    record_sent_ = sent_;
    record_delivered_ = delivered_;
    record_start_ns_ = steady_ns();
  }

  struct Record {
    double seconds = 0;
    std::uint64_t sent = 0;
    std::uint64_t delivered = 0;
  };
  Record end_record() {
    recording_ = false;
    return {static_cast<double>(steady_ns() - record_start_ns_) / 1e9, sent_ - record_sent_,
            delivered_ - record_delivered_};
  }

  [[nodiscard]] Tick tick() const { return {sent_, delivered_, in_flight()}; }
  [[nodiscard]] bool drained() const {
    return in_flight() == 0 && ledger_.answered_count() == ledger_.issued();
  }
  [[nodiscard]] std::uint64_t in_flight() const { return sent_ - delivered_ - refused_; }
  [[nodiscard]] std::uint64_t skipped() const { return skipped_; }
  [[nodiscard]] std::size_t dropped() const { return dropped_; }
  Percentiles take_percentiles() { return latency_.percentiles(); }
  Ledger::Summary ledger_summary() const { return ledger_.summary(); }

  // DeviceEvents.
  void on_send_answer(Device&, std::uint64_t seq, std::uint32_t status) override {
    ledger_.answered(seq, status);
    if (status != 200) {
      ++refused_;
      if (mode_ == Mode::closed) top_up();
    }
  }

  void on_deliver(Device& device, std::uint64_t seq, std::uint64_t send_ns) override {
    const std::uint64_t now = steady_ns();
    if (!ledger_.delivered(seq, device.index())) return;
    ++delivered_;
    if (recording_ && now > send_ns) latency_.add_ns(now - send_ns);
    if (mode_ == Mode::closed) top_up();
  }

 private:
  void collect_online() {
    online_.clear();
    for (auto& d : fleet_.devices()) {
      if (d->online()) online_.push_back(d.get());
    }
  }

  void top_up() {
    std::size_t budget = kSendBudget;
    while (in_flight() < window_ && budget-- > 0) {
      if (!send_one()) break;
    }
  }

  void schedule_tick() {
    timer_.expires_after(kOpenLoopTick);
    timer_.async_wait([this](boost::system::error_code ec) {
      if (ec || mode_ != Mode::open) return;
      const double elapsed = static_cast<double>(steady_ns() - open_start_ns_) / 1e9;
      const auto due = static_cast<std::uint64_t>(elapsed * rate_);
      std::size_t budget = kSendBudget * 4;
      while (open_sent_ < due && budget-- > 0) {
        // A message that finds no free sender is not sent; counted in skipped.
        if (send_one()) {
          ++open_sent_;
        } else {
          ++open_sent_;
          ++skipped_;
        }
      }
      schedule_tick();
    });
  }

  bool send_one() {
    const std::size_t n = online_.size();
    if (n < 2) return false;
    for (int attempt = 0; attempt < 16; ++attempt) {
      Device* from = online_[random_.below(n)];
      if (!from->online() || from->outstanding_sends() >= kMaxSendsPerConnection ||
          from->queued_bytes() > kMaxQueuedBytes) {
        continue;
      }
      std::size_t r = random_.below(n - 1);
      Device* to = online_[r];
      if (to == from) to = online_[n - 1];
      const std::uint64_t seq = ledger_.issue(to->index());
      ++sent_;  // before the send: a peer's answer may come from inside it
      from->send_message(*to, seq, pool_);
      return true;
    }
    return false;
  }

  FastRandom random_;
  net::steady_timer timer_;
  std::vector<Device*> online_;
  Mode mode_ = Mode::idle;
  std::size_t window_ = 0;
  double rate_ = 0;
  std::uint64_t open_start_ns_ = 0;
  std::uint64_t open_sent_ = 0;
  std::uint64_t sent_ = 0;
  std::uint64_t delivered_ = 0;
  std::uint64_t refused_ = 0;
  std::uint64_t skipped_ = 0;
  bool recording_ = false;
  std::uint64_t record_sent_ = 0;
  std::uint64_t record_delivered_ = 0;
  std::uint64_t record_start_ns_ = 0;
};

}  // namespace

nlohmann::json run_w1(const BenchOptions& options, ServerUnderTest& server,
                      const PayloadPool& pool) {
  nlohmann::json result = {{"workload", "w1"},
                           {"protocol", protocol_name(options.protocol)},
                           {"clients", options.clients}};
  Loop loop;
  Fleet fleet(loop, server.endpoint(options.source_addresses));
  const auto keys_start = std::chrono::steady_clock::now();
  fleet.add(options.clients, 0, options.name_tag + "w1u", options.seed);
  const double keys_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - keys_start).count();
  if (options.progress) {
    std::fprintf(stderr, "w1: %zu clients: connect, account.create, auth.login...\n",
                 options.clients);
  }
  SetupStats setup = fleet.bring_online(options.concurrency);
  setup.keys_seconds = keys_s;
  result["setup"] = setup.to_json();
  bool ok = setup.failures == 0;
  if (!ok) {
    result["ok"] = false;
    fleet.shutdown(std::chrono::seconds(1));
    return result;
  }

  W1Driver driver(fleet, pool, options.seed);
  driver.attach();
  const pid_t server_pid = server.pid();
  const std::vector<pid_t> server_pids =
      server_pid > 0 ? std::vector<pid_t>{server_pid} : std::vector<pid_t>{};
  const auto read = [&driver] { return driver.tick(); };

  double closed_max = 0;
  nlohmann::json phases = nlohmann::json::array();
  for (const std::string& phase : options.phases) {
    const bool closed = phase == "closed";
    double rate = options.rate;
    if (!closed && rate <= 0) {
      rate = closed_max * options.rate_fraction;
      if (rate <= 0) {
        result["errors_setup"] = "open loop needs --rate or a closed-loop phase before it";
        ok = false;
        break;
      }
    }
    nlohmann::json p = {{"mode", phase}};
    if (closed) {
      p["window"] = options.in_flight;
      loop.call([&] { driver.start_closed(options.in_flight); });
    } else {
      p["rate_target"] = rate;
      loop.call([&] { driver.start_open(rate); });
    }
    p["warmup_s"] = options.warmup_s;
    if (options.warmup_s > 0) {
      timed_window(loop, options.warmup_s, read, server_pid, options.progress, phase + " warm-up");
    }
    CpuWindow cpu(server_pids, {::getpid()});
    ThreadCpu threads(server_pid);
    loop.call([&] { driver.begin_record(); });
    cpu.start();
    threads.start();
    p["timeline"] =
        timed_window(loop, options.duration_s, read, server_pid, options.progress, phase);
    const auto record = loop.call([&] { return driver.end_record(); });
    const auto usage = cpu.finish();
    p["server_threads"] = threads.finish();
    loop.call([&] { driver.stop_sending(); });
    p["duration_s"] = record.seconds;
    p["sent_per_s"] = record.sent / record.seconds;
    p["delivered_per_s"] = record.delivered / record.seconds;
    p["latency"] = loop.call([&] { return driver.take_percentiles(); }).to_json();
    p["cpu"] = usage.to_json();
    // CPU per delivered message: steadier than rates when foreign load
    // takes part of the machine.
    if (record.delivered > 0) {
      p["server_cpu_us_per_message"] =
          usage.server_cpu_pct / 100.0 * record.seconds * 1e6 / record.delivered;
      p["generator_cpu_us_per_message"] =
          usage.generator_cpu_pct / 100.0 * record.seconds * 1e6 / record.delivered;
    }
    p["server_rss_kb"] = server_pid > 0 ? process_rss_kb(server_pid) : -1;
    p["generator_rss_kb"] = process_rss_kb(::getpid());
    if (closed) closed_max = record.delivered / record.seconds;

    // Everything in flight must arrive before the next phase (or the check).
    const auto drain_start = std::chrono::steady_clock::now();
    bool drained = false;
    while (std::chrono::duration<double>(std::chrono::steady_clock::now() - drain_start).count() <
           options.drain_timeout_s) {
      if (loop.call([&] { return driver.drained(); })) {
        drained = true;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    p["drain_s"] =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - drain_start).count();
    p["drained"] = drained;
    p["skipped_sends"] = loop.call([&] { return driver.skipped(); });
    if (!drained) ok = false;
    phases.push_back(p);
  }
  result["phases"] = phases;

  const auto summary = loop.call([&] { return driver.ledger_summary(); });
  result["ledger"] = summary.to_json();
  result["dropped_connections"] = loop.call([&] { return driver.dropped(); });
  result["errors"] = loop.call([&] { return driver.errors_json(); });
  if (!summary.ok()) ok = false;
  if (result["errors"]["count"].get<std::size_t>() > 0) ok = false;
  result["ok"] = ok;
  fleet.shutdown(std::chrono::seconds(5));
  return result;
}

}  // namespace sotto::bench
