// SPDX-License-Identifier: Apache-2.0
// What the workloads share once the fleet is online: the exactly-once ledger,
// latency samples, error notes, and a per-second sampler that drives a timed
// window from the main thread while the loop thread does the work.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "client_device.hpp"
#include "clock.hpp"
#include "fleet.hpp"
#include "latency.hpp"
#include "ledger.hpp"
#include "payloads.hpp"

namespace sotto::bench {

// A small, fast PRNG for picking senders and recipients (splitmix64).
class FastRandom {
 public:
  explicit FastRandom(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }

 private:
  std::uint64_t state_;
};

class Driver : public DeviceEvents {
 public:
  Driver(Fleet& fleet, const PayloadPool& pool);

  // Routes every device's events here (blocks until done on the loop).
  void attach();

  // Post-setup defaults: anything unexpected is noted as an error.
  void on_connected(Device& device, const std::string& error) override;
  void on_created(Device& device, std::uint32_t status, const std::string& message) override;
  void on_logged_in(Device& device, std::uint32_t status, const std::string& message) override;
  void on_closed(Device& device, const std::string& why) override;
  void on_protocol_error(Device& device, const std::string& what) override;

  // Loop thread.
  void note(const std::string& error);
  [[nodiscard]] nlohmann::json errors_json() const;

 protected:
  Fleet& fleet_;
  const PayloadPool& pool_;
  Ledger ledger_;
  LatencyRecorder latency_;
  std::vector<std::string> errors_;  // the first few
  std::size_t error_count_ = 0;
  std::size_t dropped_ = 0;  // connections lost after setup
};

// One second of a timed window, as the sampler reads it on the loop.
struct Tick {
  std::uint64_t sent = 0;
  std::uint64_t delivered = 0;
  std::uint64_t in_flight = 0;
};

// Sleeps `seconds` on the caller's thread, sampling `read` (run on the loop)
// and the server's CPU once a second; returns the per-second timeline and
// prints it to stderr when `progress`.
nlohmann::json timed_window(Loop& loop, double seconds, const std::function<Tick()>& read,
                            pid_t server_pid, bool progress, const std::string& label);

}  // namespace sotto::bench
