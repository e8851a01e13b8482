// SPDX-License-Identifier: Apache-2.0
#include "proc_stats.hpp"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace sotto::bench {

long long process_cpu_ticks(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (!std::getline(in, text)) return -1;
  // The command name may hold spaces: fields are counted after its ')'.
  const auto close = text.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream fields(text.substr(close + 2));
  std::string field;
  long long utime = 0;
  long long stime = 0;
  // Field 3 (state) comes first; utime is field 14, stime field 15.
  for (int n = 3; n <= 15 && fields >> field; ++n) {
    if (n == 14) utime = std::stoll(field);
    if (n == 15) stime = std::stoll(field);
  }
  return utime + stime;
}

long process_rss_kb(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

long process_open_files(pid_t pid) {
  std::error_code ec;
  long n = 0;
  for (std::filesystem::directory_iterator it("/proc/" + std::to_string(pid) + "/fd", ec), end;
       !ec && it != end; it.increment(ec)) {
    ++n;
  }
  return ec ? -1 : n;
}

MachineTicks machine_ticks() {
  std::ifstream in("/proc/stat");
  std::string cpu;
  long long v[8] = {};
  in >> cpu;
  for (auto& x : v) in >> x;
  // user nice system idle iowait irq softirq steal
  MachineTicks t;
  t.busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
  t.total = t.busy + v[3] + v[4];
  return t;
}

namespace {

long long ticks_of_stat(const std::string& path) {
  std::ifstream in(path);
  std::string text;
  if (!std::getline(in, text)) return -1;
  const auto close = text.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream fields(text.substr(close + 2));
  std::string field;
  long long total = 0;
  for (int n = 3; n <= 15 && fields >> field; ++n) {
    if (n == 14 || n == 15) total += std::stoll(field);
  }
  return total;
}

}  // namespace

std::map<pid_t, ThreadCpu::Sample> ThreadCpu::sample() const {
  std::map<pid_t, Sample> out;
  if (pid_ <= 0) return out;
  const std::string task = "/proc/" + std::to_string(pid_) + "/task";
  std::error_code ec;
  for (std::filesystem::directory_iterator it(task, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string tid = it->path().filename().string();
    Sample s;
    std::ifstream comm(it->path() / "comm");
    std::getline(comm, s.name);
    s.ticks = ticks_of_stat((it->path() / "stat").string());
    if (s.ticks >= 0) out[static_cast<pid_t>(std::stol(tid))] = s;
  }
  return out;
}

void ThreadCpu::start() {
  t0_ = std::chrono::steady_clock::now();
  start_ = sample();
}

nlohmann::json ThreadCpu::finish() const {
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
  const double hz = static_cast<double>(::sysconf(_SC_CLK_TCK));
  std::vector<std::pair<double, nlohmann::json>> rows;
  for (const auto& [tid, s] : sample()) {
    auto before = start_.find(tid);
    const long long base = before == start_.end() ? 0 : before->second.ticks;
    const double pct = seconds > 0 ? 100.0 * static_cast<double>(s.ticks - base) / hz / seconds : 0;
    rows.emplace_back(pct,
                      nlohmann::json{{"tid", tid}, {"name", s.name}, {"cpu_pct_of_core", pct}});
  }
  std::sort(rows.begin(), rows.end(),
            [](const auto& a, const auto& b) { return a.first > b.first; });
  nlohmann::json out = nlohmann::json::array();
  for (auto& r : rows) out.push_back(std::move(r.second));
  return out;
}

namespace {

long long sum_ticks(const std::vector<pid_t>& pids) {
  long long total = 0;
  for (pid_t pid : pids) {
    const long long t = process_cpu_ticks(pid);
    if (t > 0) total += t;
  }
  return total;
}

}  // namespace

CpuWindow::CpuWindow(std::vector<pid_t> server, std::vector<pid_t> generator)
    : server_(std::move(server)), generator_(std::move(generator)) {}

void CpuWindow::start() {
  t0_ = std::chrono::steady_clock::now();
  server0_ = sum_ticks(server_);
  generator0_ = sum_ticks(generator_);
  machine0_ = machine_ticks();
}

CpuWindow::Result CpuWindow::finish() const {
  Result r;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
  const double hz = static_cast<double>(::sysconf(_SC_CLK_TCK));
  const double server_s = static_cast<double>(sum_ticks(server_) - server0_) / hz;
  const double generator_s = static_cast<double>(sum_ticks(generator_) - generator0_) / hz;
  const MachineTicks m = machine_ticks();
  r.server_cpu_seconds = server_s;
  if (r.seconds > 0) {
    r.server_cpu_pct = 100.0 * server_s / r.seconds;
    r.generator_cpu_pct = 100.0 * generator_s / r.seconds;
  }
  if (m.total > machine0_.total) {
    r.machine_busy_pct = 100.0 * static_cast<double>(m.busy - machine0_.busy) /
                         static_cast<double>(m.total - machine0_.total);
  }
  return r;
}

nlohmann::json CpuWindow::Result::to_json() const {
  return {{"seconds", seconds},
          {"server_cpu_pct_of_core", server_cpu_pct},
          {"generator_cpu_pct_of_core", generator_cpu_pct},
          {"machine_busy_pct", machine_busy_pct},
          {"server_cpu_seconds", server_cpu_seconds}};
}

}  // namespace sotto::bench
