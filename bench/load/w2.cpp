// SPDX-License-Identifier: Apache-2.0
// W2, idle connections: authenticated connections held in stages (5 000,
// 10 000, 19 900 by default) and the server's resident memory growth per
// connection at each stage, plus its idle CPU.
//
// 1. Registration: every account is created first, in this process, in
//    batches of --per-process connections that are closed afterwards.
// 2. sottod is restarted (bench-started servers only), so the baseline holds
//    no heap left over from registration that later connections would reuse.
// 3. Each stage starts worker processes (this binary, --worker idle), each
//    holding at most --per-process connections: one process could not hold
//    19 900 sockets under the 20 000 open-file limit. Workers make the same
//    keys again from the seed and log in with the account ids of step 1.
// 4. After --settle seconds the server's VmRSS and open files are read, its
//    CPU is sampled over --idle-sample seconds, and every worker confirms its
//    connections are all still up.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>
#include <thread>

#include "device.hpp"
#include "driver.hpp"
#include "proc_stats.hpp"
#include "sotto/core/encoding.hpp"
#include "sotto/systest/child_process.hpp"
#include "workloads.hpp"
#include "xmpp_connection.hpp"

namespace sotto::bench {

namespace {

using Clock = std::chrono::steady_clock;
using systest::ChildProcess;
using systest::Stream;

constexpr auto kWorkerReadyTimeout = std::chrono::minutes(10);
constexpr auto kWorkerStatusTimeout = std::chrono::seconds(30);

std::string prefix_of(const BenchOptions& options) { return options.name_tag + "w2u"; }

struct Worker {
  std::unique_ptr<ChildProcess> process;
  std::size_t clients = 0;
  std::size_t online = 0;
};

std::string field(const std::string& line, const std::string& name) {
  const std::regex pattern("(^| )" + name + "=([^ ]+)");
  std::smatch m;
  return std::regex_search(line, m, pattern) ? m[2].str() : std::string();
}

double number(const std::string& line, const std::string& name) {
  const std::string v = field(line, name);
  return v.empty() ? 0 : std::stod(v);
}

std::filesystem::path accounts_path() {
  return std::filesystem::temp_directory_path() /
         ("sotto-bench-w2-" + std::to_string(::getpid()) + ".accounts");
}

}  // namespace

nlohmann::json run_w2(const BenchOptions& options, ServerUnderTest& server) {
  nlohmann::json result = {{"workload", "w2"},
                           {"protocol", protocol_name(options.protocol)},
                           {"step", options.w2_step},
                           {"stages_requested", options.stages}};
  std::size_t total = 0;
  for (auto s : options.stages) total = std::max(total, s);
  bool ok = true;

  // 1. Registration, in batches. MQTT accounts are the broker's password
  // file; with --w2-step measure the accounts were made by an earlier
  // --w2-step register run (a peer the bench cannot restart is restarted
  // by the caller in between).
  const auto accounts_file = accounts_path();
  const bool peer = options.protocol != Protocol::sotto;
  if (!peer && options.w2_step != "all") {
    // sottod is restarted here; the workers need the account ids of step 1.
    result["error"] = "--w2-step register|measure is for peer servers";
    result["ok"] = false;
    return result;
  }
  if (options.w2_step != "measure" && options.protocol != Protocol::mqtt) {
    std::ofstream out(accounts_file);
    PhaseStats connect;
    PhaseStats create;
    std::size_t failures = 0;
    nlohmann::json errors = nlohmann::json::array();
    for (std::size_t first = 0; first < total; first += options.per_process) {
      const std::size_t n = std::min(options.per_process, total - first);
      if (options.progress) {
        std::fprintf(stderr, "w2: registering accounts %zu..%zu\n", first, first + n - 1);
      }
      Loop loop;
      Fleet fleet(loop, server.endpoint(options.source_addresses));
      fleet.add(n, first, prefix_of(options), options.seed);
      const SetupStats s = fleet.bring_online(options.concurrency, /*login=*/false);
      connect.attempted += s.connect.attempted;
      connect.succeeded += s.connect.succeeded;
      connect.seconds += s.connect.seconds;
      create.attempted += s.create.attempted;
      create.succeeded += s.create.succeeded;
      create.seconds += s.create.seconds;
      failures += s.failures;
      for (const auto& e : s.errors) errors.push_back(e);
      loop.call([&] {
        for (std::size_t i = 0; i < n; ++i) {
          const Device& d = *fleet.devices()[i];
          if (!d.has_account()) continue;
          if (const auto* sotto = dynamic_cast<const SottoDevice*>(&d)) {
            out << (first + i) << " " << hex_encode(sotto->account_id()) << "\n";
          }
        }
      });
      fleet.shutdown(std::chrono::seconds(10));
    }
    result["registration"] = {{"connect",
                               {{"succeeded", connect.succeeded},
                                {"seconds", connect.seconds},
                                {"per_second", connect.rate()}}},
                              {"create",
                               {{"succeeded", create.succeeded},
                                {"seconds", create.seconds},
                                {"per_second", create.rate()}}},
                              {"failures", failures},
                              {"errors", errors}};
    if (failures > 0) {
      result["ok"] = false;
      std::filesystem::remove(accounts_file);
      return result;
    }
  }

  if (options.w2_step == "register") {
    std::filesystem::remove(accounts_file);
    result["ok"] = true;
    return result;
  }

  // 2. A fresh server process for the baseline.
  if (server.started_here()) {
    if (auto restarted = server.restart(); !restarted) {
      result["error"] = "restart: " + restarted.error().message;
      result["ok"] = false;
      std::filesystem::remove(accounts_file);
      return result;
    }
    result["restarted_after_registration"] = true;
  } else {
    result["restarted_after_registration"] = false;
  }
  const pid_t server_pid = server.pid();
  std::this_thread::sleep_for(std::chrono::duration<double>(options.settle_s));
  const long rss0 = server_pid > 0 ? process_rss_kb(server_pid) : -1;
  result["baseline"] = {
      {"server_rss_kb", rss0},
      {"server_open_files", server_pid > 0 ? process_open_files(server_pid) : -1}};

  // 3./4. Stages.
  std::vector<Worker> workers;
  std::size_t online = 0;
  long previous_rss = rss0;
  std::size_t previous_online = 0;
  nlohmann::json stages = nlohmann::json::array();
  for (std::size_t target : options.stages) {
    if (target <= online) continue;
    nlohmann::json stage = {{"target", target}};
    nlohmann::json logins = nlohmann::json::array();
    const auto stage_start = Clock::now();
    std::size_t next_name = online;
    // Start this stage's workers together; each logs in its share.
    std::vector<std::size_t> fresh;
    while (next_name < target) {
      const std::size_t n = std::min(options.per_process, target - next_name);
      systest::SpawnOptions spawn;
      spawn.argv = {options.self_exe,
                    "--worker",
                    "idle",
                    "--connect",
                    server.host() + ":" + std::to_string(server.port()),
                    "--protocol",
                    protocol_name(options.protocol),
                    "--clients",
                    std::to_string(n),
                    "--first-name",
                    std::to_string(next_name),
                    "--accounts",
                    accounts_file.string(),
                    "--seed",
                    std::to_string(options.seed),
                    "--source-addresses",
                    std::to_string(options.source_addresses),
                    "--concurrency",
                    std::to_string(options.concurrency),
                    "--quiet"};
      if (!server.pin().empty()) {
        spawn.argv.push_back("--pin");
        spawn.argv.push_back(server.pin());
      }
      if (!options.name_tag.empty()) {
        spawn.argv.push_back("--name-tag");
        spawn.argv.push_back(options.name_tag);
      }
      spawn.pipe_stdin = true;
      auto child = ChildProcess::spawn(spawn);
      if (!child) {
        stage["error"] = "worker: " + child.error().message;
        ok = false;
        break;
      }
      fresh.push_back(workers.size());
      workers.push_back({std::move(*child), n, 0});
      next_name += n;
    }
    static const std::regex kReady("^READY ");
    for (std::size_t w : fresh) {
      auto line = workers[w].process->wait_for_line(Stream::out, kReady, kWorkerReadyTimeout);
      if (!line) {
        stage["error"] = "a worker did not come online: " + workers[w].process->text(Stream::err);
        ok = false;
        continue;
      }
      workers[w].online = static_cast<std::size_t>(number(line->line, "online"));
      online += workers[w].online;
      logins.push_back({{"clients", workers[w].clients},
                        {"online", workers[w].online},
                        {"failed", number(line->line, "failed")},
                        {"connect_per_s", number(line->line, "connect_per_s")},
                        {"login_per_s", number(line->line, "login_per_s")},
                        {"online_s", number(line->line, "online_s")}});
      if (workers[w].online != workers[w].clients) ok = false;
    }
    stage["online_after_s"] = std::chrono::duration<double>(Clock::now() - stage_start).count();
    stage["workers"] = logins;
    if (options.progress) {
      std::fprintf(stderr, "w2: %zu connections online, settling %.0f s...\n", online,
                   options.settle_s);
    }
    std::this_thread::sleep_for(std::chrono::duration<double>(options.settle_s));

    const long rss = server_pid > 0 ? process_rss_kb(server_pid) : -1;
    std::vector<pid_t> worker_pids;
    for (auto& w : workers) worker_pids.push_back(w.process->pid());
    CpuWindow idle(server_pid > 0 ? std::vector<pid_t>{server_pid} : std::vector<pid_t>{},
                   worker_pids);
    idle.start();
    std::this_thread::sleep_for(std::chrono::duration<double>(options.idle_sample_s));
    const auto idle_usage = idle.finish();

    // Every connection still up?
    std::size_t confirmed = 0;
    static const std::regex kStatus("^STATUS ");
    for (auto& w : workers) {
      const std::size_t from = w.process->lines(Stream::out).size();
      if (!w.process->write_stdin("status\n")) {
        ok = false;
        continue;
      }
      auto line = w.process->wait_for_line(Stream::out, kStatus, kWorkerStatusTimeout, from);
      if (!line) {
        ok = false;
        continue;
      }
      confirmed += static_cast<std::size_t>(number(line->line, "online"));
    }
    stage["online"] = online;
    stage["still_online"] = confirmed;
    if (confirmed != target || online != target) ok = false;
    stage["server_rss_kb"] = rss;
    stage["server_open_files"] = server_pid > 0 ? process_open_files(server_pid) : -1;
    if (rss0 > 0 && online > 0) {
      stage["rss_growth_kb"] = rss - rss0;
      stage["kb_per_connection"] = static_cast<double>(rss - rss0) / static_cast<double>(online);
      stage["kb_per_connection_this_stage"] =
          online > previous_online ? static_cast<double>(rss - previous_rss) /
                                         static_cast<double>(online - previous_online)
                                   : 0.0;
    }
    stage["idle_cpu"] = idle_usage.to_json();
    long generator_rss = 0;
    for (pid_t pid : worker_pids) generator_rss += std::max(0L, process_rss_kb(pid));
    stage["generator_rss_kb"] = generator_rss;
    stage["generator_processes"] = workers.size();
    stages.push_back(stage);
    previous_rss = rss;
    previous_online = online;
    if (!ok) break;
  }
  result["stages"] = stages;

  for (auto& w : workers) w.process->close_stdin();
  for (auto& w : workers) {
    if (!w.process->wait(std::chrono::seconds(30))) w.process->kill_and_wait();
  }
  std::filesystem::remove(accounts_file);
  result["ok"] = ok;
  return result;
}

int run_w2_worker(const BenchOptions& options, ServerUnderTest& server) {
  // Account ids of the names this worker logs in (Sotto; a peer's accounts
  // are known by name).
  std::vector<std::pair<std::size_t, wire::AccountIdBytes>> accounts;
  const bool peer = options.protocol != Protocol::sotto;
  if (!peer) {
    std::ifstream in(options.accounts_file);
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::size_t name = 0;
      std::string hex;
      if (!(fields >> name >> hex)) continue;
      if (name < options.first_name || name >= options.first_name + options.clients) continue;
      auto bytes = hex_decode(hex);
      if (!bytes || bytes->size() != 16) continue;
      wire::AccountIdBytes id{};
      std::copy(bytes->begin(), bytes->end(), id.begin());
      accounts.emplace_back(name, id);
    }
  }
  if (!peer && accounts.size() != options.clients) {
    std::cerr << "worker: " << accounts.size() << " of " << options.clients << " accounts found in "
              << options.accounts_file << "\n";
    return 1;
  }
  std::sort(accounts.begin(), accounts.end());

  Loop loop;
  Fleet fleet(loop, server.endpoint(options.source_addresses));
  fleet.add(options.clients, options.first_name, prefix_of(options), options.seed);
  for (std::size_t i = 0; i < accounts.size(); ++i) {
    static_cast<SottoDevice&>(*fleet.devices()[i]).set_account(accounts[i].second, 1);
  }
  if (peer) {
    for (auto& d : fleet.devices()) {
      if (auto* xmpp = dynamic_cast<XmppDevice*>(d.get())) xmpp->set_registered();
    }
  }
  const auto start = Clock::now();
  const SetupStats s = fleet.bring_online(options.concurrency);
  const double online_s = std::chrono::duration<double>(Clock::now() - start).count();
  const std::size_t online = loop.call([&] { return fleet.online_count(); });
  for (const auto& e : s.errors) std::cout << "ERROR " << e << "\n";
  // Connect + login is what a returning client costs the server.
  std::printf("READY online=%zu failed=%zu connect_per_s=%.1f login_per_s=%.1f online_s=%.3f\n",
              online, s.failures, s.connect.rate(), s.login.rate(), online_s);
  std::fflush(stdout);

  std::string command;
  while (std::getline(std::cin, command)) {
    if (command == "status") {
      const auto [up, failures] = loop.call([&] {
        return std::pair{fleet.online_count(), fleet.failures()};
      });
      std::printf("STATUS online=%zu failures=%zu\n", up, failures);
      std::fflush(stdout);
    }
  }
  fleet.shutdown(std::chrono::seconds(2));
  return 0;
}

}  // namespace sotto::bench
