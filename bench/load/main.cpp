// SPDX-License-Identifier: Apache-2.0
// sotto-bench: a load generator for sottod over real TLS 1.3 WebSockets and
// the real client–server protocol, and for the peer servers over XMPP or
// MQTT (see bench/load/README.md).
//   sotto-bench --sottod PATH --workload w1|w2|w3 [options] [--json-out FILE]
//   sotto-bench --protocol xmpp|mqtt --connect HOST:PORT --server-pid PID ...
// Exit status: 0 when every check passed, 1 when a message was lost,
// duplicated or refused, a connection dropped, or setup failed; 2 on bad
// usage or when the server cannot be started.
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "options.hpp"
#include "payloads.hpp"
#include "proc_stats.hpp"
#include "server_under_test.hpp"
#include "sotto/core/encoding.hpp"
#include "sotto/crypto/rng.hpp"
#include "workloads.hpp"

namespace {

using namespace sotto::bench;
using nlohmann::json;

// Sockets are files: take every file the hard limit allows (sottod, started
// from here, inherits it too).
rlim_t raise_open_file_limit() {
  struct rlimit limit {};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  limit.rlim_cur = limit.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &limit);
  return limit.rlim_cur;
}

json machine_json(rlim_t open_files) {
  struct utsname u {};
  ::uname(&u);
  double load[3] = {};
  if (FILE* f = std::fopen("/proc/loadavg", "r")) {
    if (std::fscanf(f, "%lf %lf %lf", &load[0], &load[1], &load[2]) != 3) load[0] = -1;
    std::fclose(f);
  }
  return {{"cpus", std::thread::hardware_concurrency()},
          {"kernel", std::string(u.release)},
          {"load_average_at_start", {load[0], load[1], load[2]}},
          {"open_file_limit", open_files}};
}

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

json options_json(const BenchOptions& o) {
  return {{"workload", o.workload},
          {"protocol", protocol_name(o.protocol)},
          {"clients", o.clients},
          {"source_addresses", o.source_addresses},
          {"concurrency", o.concurrency},
          {"phases", o.phases},
          {"in_flight", o.in_flight},
          {"warmup_s", o.warmup_s},
          {"duration_s", o.duration_s},
          {"rate", o.rate},
          {"rate_fraction", o.rate_fraction},
          {"stages", o.stages},
          {"per_process", o.per_process},
          {"w2_step", o.w2_step},
          {"settle_s", o.settle_s},
          {"idle_sample_s", o.idle_sample_s},
          {"messages", o.messages},
          {"senders", o.senders},
          {"sender_window", o.sender_window},
          {"plaintext_size", o.plaintext_size},
          {"payload_count", o.payload_count},
          {"seed", o.seed}};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "sotto-bench: drives sottod with many clients over real TLS 1.3 WebSockets and the real "
      "client-server protocol, checks that every acknowledged message is delivered exactly once, "
      "and reports rates, latency percentiles, CPU and memory. Workloads: w1 (1:1 throughput, "
      "closed then open loop), w2 (idle authenticated connections in stages), w3 (offline "
      "delivery: store, then drain). See bench/load/README.md."};
  BenchOptions o;
  ServerSettings server_settings;
  std::string json_out;
  bool quiet = false;

  std::string protocol = "sotto";
  app.add_option("--protocol", protocol,
                 "sotto (TLS WebSockets to sottod), or a peer over plain TCP: xmpp (ejabberd), "
                 "mqtt (mosquitto); peers are given with --connect [--server-pid]")
      ->check(CLI::IsMember({"sotto", "xmpp", "mqtt"}))
      ->capture_default_str();
  app.add_option("--server-name", server_settings.name,
                 "how the reports call the server (default: sottod, or the protocol)");
  app.add_option("--sottod", server_settings.sottod,
                 "sottod binary to start (fresh data dir, relaxed per-client limits)");
  app.add_option("--connect", server_settings.connect,
                 "HOST:PORT of a running sottod instead of --sottod");
  app.add_option("--pin", server_settings.pin, "certificate pin (hex) of the --connect server");
  app.add_option("--server-pid", server_settings.pid,
                 "pid of the --connect server, for its CPU and memory");
  app.add_option("--sottod-threads", server_settings.threads, "sottod --threads")
      ->capture_default_str();
  app.add_option("--sottod-arg", server_settings.extra_args,
                 "extra sottod flag, e.g. --sottod-arg=--delivery-window=128 (repeatable; wins "
                 "over the bench's own limit flags)");
  app.add_flag("--keep-data", server_settings.keep_data, "keep sottod's data dir and logs");
  app.add_option("--workload", o.workload, "w1, w2 or w3")
      ->check(CLI::IsMember({"w1", "w2", "w3"}));
  app.add_option("--clients", o.clients, "W1: clients online")->capture_default_str();
  app.add_option("--in-flight", o.in_flight, "W1 closed loop: messages sent and not yet delivered")
      ->capture_default_str();
  app.add_option("--duration", o.duration_s, "W1: measured seconds per phase")
      ->capture_default_str();
  app.add_option("--warmup", o.warmup_s, "W1: warm-up seconds per phase")->capture_default_str();
  app.add_option("--rate", o.rate,
                 "W1 open loop: messages/s (default: --rate-fraction of the closed-loop rate)");
  app.add_option("--rate-fraction", o.rate_fraction, "W1 open loop: share of the closed-loop max")
      ->capture_default_str();
  app.add_option("--phases", o.phases, "W1 phases in order: closed,open")
      ->delimiter(',')
      ->check(CLI::IsMember({"closed", "open"}))
      ->capture_default_str();
  app.add_option("--drain-timeout", o.drain_timeout_s,
                 "W1: seconds to wait for what is in flight after a phase")
      ->capture_default_str();
  app.add_option("--stages", o.stages, "W2: connection counts, e.g. 5000,10000,19900")
      ->delimiter(',')
      ->capture_default_str();
  app.add_option("--per-process", o.per_process, "W2: connections per generator process")
      ->capture_default_str();
  app.add_option("--w2-step", o.w2_step,
                 "W2 against a peer the bench cannot restart: register (make the accounts, "
                 "exit), then measure (after the caller restarted the server); all: both")
      ->check(CLI::IsMember({"all", "register", "measure"}))
      ->capture_default_str();
  app.add_option("--settle", o.settle_s, "W2: seconds after a stage is online before measuring")
      ->capture_default_str();
  app.add_option("--idle-sample", o.idle_sample_s, "W2: seconds of idle CPU measured per stage")
      ->capture_default_str();
  app.add_option("--messages", o.messages, "W3: messages to the offline recipient")
      ->capture_default_str();
  app.add_option("--senders", o.senders, "W3: sending clients")->capture_default_str();
  app.add_option("--sender-window", o.sender_window,
                 "W3: unanswered sends per sender (sottod allows 64 unanswered requests)")
      ->capture_default_str();
  app.add_option("--plaintext-size", o.plaintext_size, "bytes of plaintext per message")
      ->capture_default_str();
  app.add_option("--payloads", o.payload_count, "distinct precomputed ciphertexts")
      ->capture_default_str();
  app.add_option("--seed", o.seed, "seed for keys, payloads and the choice of peers")
      ->capture_default_str();
  app.add_option("--source-addresses", o.source_addresses,
                 "connect from 127.0.0.2 .. 127.0.0.(1+N); 0: the kernel's choice")
      ->capture_default_str();
  app.add_option("--concurrency", o.concurrency, "setup operations in flight")
      ->capture_default_str();
  app.add_option("--name-tag", o.name_tag,
                 "prefix of every username (default with --connect: a random one)");
  app.add_option("--json-out", json_out, "write the full result as JSON to this file");
  app.add_flag("--quiet", quiet, "no progress lines on stderr");
  // Internal: W2's worker processes.
  app.add_option("--worker", o.worker)->group("")->check(CLI::IsMember({"idle"}));
  app.add_option("--first-name", o.first_name)->group("");
  app.add_option("--accounts", o.accounts_file)->group("");
  // A single-valued option given twice takes the last value, so wrapper
  // scripts can pass defaults and a user's flags after them win
  // (scripts/bench-server.sh w1 -- --duration 10).
  for (CLI::Option* option : app.get_options()) {
    if (option->get_items_expected_max() == 1) {
      option->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    }
  }
  CLI11_PARSE(app, argc, argv);
  o.progress = !quiet;
  o.protocol = protocol == "xmpp"   ? Protocol::xmpp
               : protocol == "mqtt" ? Protocol::mqtt
                                    : Protocol::sotto;
  server_settings.protocol = o.protocol;

  if (o.worker.empty() && o.workload.empty()) {
    std::cerr << "--workload is required (w1, w2 or w3)\n";
    return 2;
  }
  if (server_settings.sottod.empty() && server_settings.connect.empty()) {
    std::cerr << "--sottod PATH or --connect HOST:PORT --pin HEX is required (a peer: "
                 "--protocol xmpp|mqtt --connect HOST:PORT)\n";
    return 2;
  }
  if (o.clients < 2 || o.senders < 1 || o.messages < 1 || o.per_process < 1 ||
      o.sender_window < 1 || o.sender_window > 64 || o.in_flight < 1 || o.duration_s <= 0) {
    std::cerr << "need --clients >= 2, --senders >= 1, --messages >= 1, --per-process >= 1, "
                 "--sender-window 1..64, --in-flight >= 1, --duration > 0\n";
    return 2;
  }

  const rlim_t open_files = raise_open_file_limit();
  std::error_code ec;
  o.self_exe = std::filesystem::read_symlink("/proc/self/exe", ec).string();
  if (o.name_tag.empty() && server_settings.sottod.empty() && o.worker.empty()) {
    // Usernames are unique on a server: a reused one needs new names.
    std::array<std::uint8_t, 3> tag{};
    sotto::crypto::os_rng().fill(tag);
    o.name_tag = sotto::hex_encode(tag);
  }

  auto server = ServerUnderTest::start(server_settings);
  if (!server) {
    std::cerr << "server: " << server.error().message << "\n";
    return 2;
  }
  if (!o.worker.empty()) return run_w2_worker(o, **server);

  json report = {{"tool", "sotto-bench"},           {"protocol", protocol_name(o.protocol)},
                 {"started_at", utc_now()},         {"machine", machine_json(open_files)},
                 {"server", (*server)->describe()}, {"options", options_json(o)}};
  if (o.progress) {
    std::fprintf(stderr, "%s pid %d on %s:%u\n",
                 (*server)->describe()["name"].get<std::string>().c_str(),
                 static_cast<int>((*server)->pid()), (*server)->host().c_str(), (*server)->port());
  }

  json result;
  if (o.workload == "w2") {
    result = run_w2(o, **server);
  } else if (o.protocol != Protocol::sotto) {
    // The peers carry no end-to-end encryption: a text body of the plaintext
    // size, stamped.
    const auto pool = PayloadPool::make_text(o.plaintext_size);
    report["payload"] = {{"plaintext_bytes", o.plaintext_size},
                         {"content_bytes", pool.content_size()},
                         {"stamp", "32 hex digits [seq][send ns] at the start of the text body"}};
    result = o.workload == "w1" ? run_w1(o, **server, pool) : run_w3(o, **server, pool);
  } else {
    auto pool = PayloadPool::make(o.plaintext_size, o.payload_count, o.seed);
    if (!pool) {
      std::cerr << "payloads: " << pool.error().message << "\n";
      return 2;
    }
    report["payload"] = {{"plaintext_bytes", o.plaintext_size},
                         {"distinct_ciphertexts", o.payload_count},
                         {"content_bytes", pool->content_size()},
                         {"stamp", "16-byte [seq u64 BE][send ns u64 BE] before the ciphertext"}};
    result = o.workload == "w1" ? run_w1(o, **server, *pool) : run_w3(o, **server, *pool);
  }
  bool ok = result.value("ok", false);
  report["server_final"] = {
      {"rss_kb", (*server)->pid() > 0 ? process_rss_kb((*server)->pid()) : -1}};
  if ((*server)->started_here()) {
    if (auto stopped = (*server)->stop(); !stopped) {
      report["server_stop_error"] = stopped.error().message;
      ok = false;
    }
  }
  report["result"] = result;
  report["ok"] = ok;
  print_tables(report);
  if (!json_out.empty()) {
    std::ofstream out(json_out);
    out << report.dump(2) << "\n";
    if (!out) {
      std::cerr << "cannot write " << json_out << "\n";
      return 2;
    }
  }
  return ok ? 0 : 1;
}
