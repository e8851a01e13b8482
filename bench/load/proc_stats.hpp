// SPDX-License-Identifier: Apache-2.0
// CPU and memory figures from /proc: a process's utime+stime (all its
// threads), its resident set, its open files, and the whole machine's busy
// share, so foreign load during a run is visible in the result.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace sotto::bench {

// -1 when the process is gone.
long long process_cpu_ticks(pid_t pid);
long process_rss_kb(pid_t pid);
long process_open_files(pid_t pid);

// Per-thread CPU of a process over a window, busiest first: shows which of
// the server's threads (I/O, workers, the database writer) is the limit.
class ThreadCpu {
 public:
  explicit ThreadCpu(pid_t pid) : pid_(pid) {}
  void start();
  [[nodiscard]] nlohmann::json finish() const;  // [{tid, name, cpu_pct_of_core}]

 private:
  struct Sample {
    std::string name;
    long long ticks = 0;
  };
  [[nodiscard]] std::map<pid_t, Sample> sample() const;
  pid_t pid_;
  std::map<pid_t, Sample> start_;
  std::chrono::steady_clock::time_point t0_;
};

struct MachineTicks {
  long long busy = 0;  // everything but idle and iowait, over all CPUs
  long long total = 0;
};
MachineTicks machine_ticks();

// CPU use over a window: each group of processes as a percentage of one core
// (200 % = both cores of this machine), the machine as a share of all its
// cores (100 % = every core busy).
class CpuWindow {
 public:
  CpuWindow(std::vector<pid_t> server, std::vector<pid_t> generator);
  void start();
  struct Result {
    double seconds = 0;
    double server_cpu_pct = 0;
    double generator_cpu_pct = 0;
    double machine_busy_pct = 0;
    double server_cpu_seconds = 0;
    [[nodiscard]] nlohmann::json to_json() const;
  };
  [[nodiscard]] Result finish() const;

 private:
  std::vector<pid_t> server_;
  std::vector<pid_t> generator_;
  long long server0_ = 0;
  long long generator0_ = 0;
  MachineTicks machine0_;
  std::chrono::steady_clock::time_point t0_;
};

}  // namespace sotto::bench
