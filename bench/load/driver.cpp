// SPDX-License-Identifier: Apache-2.0
#include "driver.hpp"

#include <unistd.h>

#include <cstdio>
#include <thread>

#include "proc_stats.hpp"

namespace sotto::bench {

namespace {

constexpr std::size_t kMaxErrorsKept = 20;

}  // namespace

Driver::Driver(Fleet& fleet, const PayloadPool& pool) : fleet_(fleet), pool_(pool) {}

void Driver::attach() {
  fleet_.loop().call([this] {
    for (auto& d : fleet_.devices()) d->set_events(this);
  });
}

void Driver::note(const std::string& error) {
  ++error_count_;
  if (errors_.size() < kMaxErrorsKept) errors_.push_back(error);
}

nlohmann::json Driver::errors_json() const { return {{"count", error_count_}, {"first", errors_}}; }

void Driver::on_connected(Device& device, const std::string& error) {
  if (!error.empty()) note(device.username() + ": connect: " + error);
}

void Driver::on_created(Device& device, std::uint32_t status, const std::string& message) {
  note(device.username() + ": unexpected account.create answer " + std::to_string(status) + " " +
       message);
}

void Driver::on_logged_in(Device& device, std::uint32_t status, const std::string& message) {
  if (status != 200) {
    note(device.username() + ": auth.login " + std::to_string(status) + " " + message);
  }
}

void Driver::on_closed(Device& device, const std::string& why) {
  ++dropped_;
  note(device.username() + ": connection lost: " + why);
}

void Driver::on_protocol_error(Device& device, const std::string& what) {
  note(device.username() + ": " + what);
}

nlohmann::json timed_window(Loop& loop, double seconds, const std::function<Tick()>& read,
                            pid_t server_pid, bool progress, const std::string& label) {
  using Clock = std::chrono::steady_clock;
  nlohmann::json timeline = nlohmann::json::array();
  const double hz = static_cast<double>(::sysconf(_SC_CLK_TCK));
  const auto start = Clock::now();
  const auto end =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  Tick last = loop.call(read);
  long long last_ticks = server_pid > 0 ? process_cpu_ticks(server_pid) : 0;
  auto last_time = start;
  for (int second = 1;; ++second) {
    auto next = start + std::chrono::seconds(second);
    if (next > end) next = end;
    std::this_thread::sleep_until(next);
    const Tick now = loop.call(read);
    const auto t = Clock::now();
    const double dt = std::chrono::duration<double>(t - last_time).count();
    const long long ticks = server_pid > 0 ? process_cpu_ticks(server_pid) : 0;
    const double server_pct =
        dt > 0 ? 100.0 * static_cast<double>(ticks - last_ticks) / hz / dt : 0;
    const double sent_rate = dt > 0 ? static_cast<double>(now.sent - last.sent) / dt : 0;
    const double delivered_rate =
        dt > 0 ? static_cast<double>(now.delivered - last.delivered) / dt : 0;
    const double elapsed = std::chrono::duration<double>(t - start).count();
    timeline.push_back({{"t", elapsed},
                        {"sent_per_s", sent_rate},
                        {"delivered_per_s", delivered_rate},
                        {"in_flight", now.in_flight},
                        {"server_cpu_pct_of_core", server_pct}});
    if (progress) {
      std::fprintf(
          stderr,
          "  [%s] t=%5.1fs sent/s=%8.0f delivered/s=%8.0f in-flight=%6llu server cpu=%4.0f%%\n",
          label.c_str(), elapsed, sent_rate, delivered_rate,
          static_cast<unsigned long long>(now.in_flight), server_pct);
    }
    last = now;
    last_ticks = ticks;
    last_time = t;
    if (next >= end) break;
  }
  return timeline;
}

}  // namespace sotto::bench
