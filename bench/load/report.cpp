// SPDX-License-Identifier: Apache-2.0
// The human tables, printed from the same JSON that --json-out writes, as
// Markdown tables so they can be pasted into a report.
#include <cstdio>
#include <string>

#include "workloads.hpp"

namespace sotto::bench {

namespace {

using nlohmann::json;

double num(const json& j, const char* key, double fallback = 0) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_number()) return fallback;
  return j[key].get<double>();
}

void print_setup(const json& setup, const std::string& protocol) {
  if (!setup.is_object()) return;
  std::printf("setup: %.0f devices; keys made in %.1f s (client side)", num(setup, "devices"),
              num(setup, "keys_seconds"));
  for (const char* phase : {"connect", "create", "login"}) {
    const json& p = setup.value(phase, json::object());
    if (num(p, "attempted") == 0) continue;
    const bool sotto = protocol == "sotto";
    const std::string name = phase;
    const char* label = name == "create"  ? (sotto ? "account.create" : "registration")
                        : name == "login" ? (sotto ? "auth.login" : "login")
                        : sotto           ? "TLS+WebSocket connect"
                                          : "TCP connect";
    std::printf("; %s %.0f in %.2f s (%.0f/s)", label, num(p, "succeeded"), num(p, "seconds"),
                num(p, "per_second"));
  }
  std::printf("\n");
  if (num(setup, "failures") > 0) {
    std::printf("setup FAILURES: %.0f, e.g.:\n", num(setup, "failures"));
    for (const auto& e : setup.value("errors", json::array())) {
      std::printf("  %s\n", e.get<std::string>().c_str());
    }
  }
}

void print_ledger(const json& ledger) {
  if (!ledger.is_object() || ledger.empty()) return;
  std::printf(
      "exactly-once check: sent %.0f, acked %.0f, delivered once %.0f, lost %.0f, duplicated "
      "%.0f, refused %.0f, unanswered %.0f, delivered-but-not-acked %.0f, unknown %.0f, misrouted "
      "%.0f -> %s\n",
      num(ledger, "sent"), num(ledger, "acked"), num(ledger, "delivered_once"), num(ledger, "lost"),
      num(ledger, "duplicated"), num(ledger, "refused"), num(ledger, "unanswered"),
      num(ledger, "delivered_unacked"), num(ledger, "unknown"), num(ledger, "misrouted"),
      ledger.value("ok", false) ? "OK" : "FAILED");
}

void print_errors(const json& errors) {
  if (!errors.is_object() || num(errors, "count") == 0) return;
  std::printf("errors: %.0f, first ones:\n", num(errors, "count"));
  for (const auto& e : errors.value("first", json::array())) {
    std::printf("  %s\n", e.get<std::string>().c_str());
  }
}

void print_threads(const std::string& label, const json& threads) {
  if (!threads.is_array()) return;
  std::string line;
  for (const auto& t : threads) {
    const double pct = num(t, "cpu_pct_of_core");
    if (pct < 0.5) continue;
    line += " " + t.value("name", "?") + " " + std::to_string(static_cast<int>(pct + 0.5));
  }
  if (!line.empty())
    std::printf("  %s server threads (%% of a core):%s\n", label.c_str(), line.c_str());
}

void print_w1(const json& r, const std::string& server) {
  std::printf("\n== W1 1:1 throughput: %s, %.0f clients ==\n", server.c_str(), num(r, "clients"));
  print_setup(r.value("setup", json::object()), r.value("protocol", "sotto"));
  if (r.value("phases", json::array()).empty()) {
    print_ledger(r.value("ledger", json::object()));
    return;
  }
  std::printf(
      "| phase | load | sent/s | delivered/s | p50 ms | p90 ms | p99 ms | max ms | server CPU %% "
      "| generator CPU %% | machine busy %% | server CPU us/msg | server RSS MB |\n"
      "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  for (const auto& p : r.value("phases", json::array())) {
    const std::string mode = p.value("mode", "");
    char load[64];
    if (mode == "closed") {
      std::snprintf(load, sizeof load, "W=%.0f in flight", num(p, "window"));
    } else {
      std::snprintf(load, sizeof load, "%.0f msg/s", num(p, "rate_target"));
    }
    const json& lat = p.value("latency", json::object());
    const json& cpu = p.value("cpu", json::object());
    std::printf(
        "| %s | %s | %.0f | %.0f | %.2f | %.2f | %.2f | %.2f | %.0f | %.0f | %.0f | %.0f | %.1f "
        "|\n",
        mode.c_str(), load, num(p, "sent_per_s"), num(p, "delivered_per_s"), num(lat, "p50_ms"),
        num(lat, "p90_ms"), num(lat, "p99_ms"), num(lat, "max_ms"),
        num(cpu, "server_cpu_pct_of_core"), num(cpu, "generator_cpu_pct_of_core"),
        num(cpu, "machine_busy_pct"), num(p, "server_cpu_us_per_message"),
        num(p, "server_rss_kb") / 1024.0);
  }
  for (const auto& p : r.value("phases", json::array())) {
    const std::string mode = p.value("mode", "");
    print_threads(mode, p.value("server_threads", json::array()));
    if (!p.value("drained", true)) {
      std::printf("  %s: NOT DRAINED within the timeout\n", mode.c_str());
    }
    if (num(p, "skipped_sends") > 0) {
      std::printf("  %s: %.0f sends skipped (every picked sender had 48 unanswered sends)\n",
                  mode.c_str(), num(p, "skipped_sends"));
    }
  }
  print_ledger(r.value("ledger", json::object()));
  if (num(r, "dropped_connections") > 0) {
    std::printf("dropped connections: %.0f\n", num(r, "dropped_connections"));
  }
}

void print_w2(const json& r, const std::string& server) {
  std::printf("\n== W2 idle authenticated connections: %s ==\n", server.c_str());
  const json& reg = r.value("registration", json::object());
  std::printf("registration: %.0f accounts created at %.0f/s (connections at %.0f/s)\n",
              num(reg.value("create", json::object()), "succeeded"),
              num(reg.value("create", json::object()), "per_second"),
              num(reg.value("connect", json::object()), "per_second"));
  if (r.value("step", "all") == "register") return;  // accounts only, nothing measured
  std::printf("baseline: server RSS %.1f MB, %.0f open files%s\n",
              num(r.value("baseline", json::object()), "server_rss_kb") / 1024.0,
              num(r.value("baseline", json::object()), "server_open_files"),
              r.value("restarted_after_registration", false) ? " (fresh process)" : "");
  std::printf(
      "| connections | still up | server RSS MB | KB/connection | KB/connection (this stage) | "
      "server open files | connect+login/s | idle server CPU %% | generator procs | generator RSS "
      "MB |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  for (const auto& s : r.value("stages", json::array())) {
    double login_rate = 0;
    double online_s = 0;
    double logged = 0;
    for (const auto& w : s.value("workers", json::array())) {
      logged += num(w, "online");
      online_s = std::max(online_s, num(w, "online_s"));
    }
    if (online_s > 0) login_rate = logged / online_s;
    std::printf("| %.0f | %.0f | %.1f | %.2f | %.2f | %.0f | %.0f | %.1f | %.0f | %.0f |\n",
                num(s, "online"), num(s, "still_online"), num(s, "server_rss_kb") / 1024.0,
                num(s, "kb_per_connection"), num(s, "kb_per_connection_this_stage"),
                num(s, "server_open_files"), login_rate,
                num(s.value("idle_cpu", json::object()), "server_cpu_pct_of_core"),
                num(s, "generator_processes"), num(s, "generator_rss_kb") / 1024.0);
    if (s.contains("error")) std::printf("  ERROR: %s\n", s["error"].get<std::string>().c_str());
  }
  if (r.contains("error")) std::printf("ERROR: %s\n", r["error"].get<std::string>().c_str());
}

void print_w3(const json& r, const std::string& server) {
  std::printf("\n== W3 offline delivery: %s, %.0f messages from %.0f senders ==\n", server.c_str(),
              num(r, "messages"), num(r, "senders"));
  print_setup(r.value("setup", json::object()), r.value("protocol", "sotto"));
  if (!r.contains("store")) return;
  const json& store = r.value("store", json::object());
  const json& drain = r.value("drain", json::object());
  std::printf(
      "| step | messages | seconds | msg/s | server CPU %% | generator CPU %% | machine busy %% | "
      "server CPU us/msg | server RSS MB |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  std::printf("| store (acked sends) | %.0f | %.2f | %.0f | %.0f | %.0f | %.0f | %.0f | %.1f |\n",
              num(store, "acked"), num(store, "seconds"), num(store, "acked_per_s"),
              num(store.value("cpu", json::object()), "server_cpu_pct_of_core"),
              num(store.value("cpu", json::object()), "generator_cpu_pct_of_core"),
              num(store.value("cpu", json::object()), "machine_busy_pct"),
              num(store, "server_cpu_us_per_message"), num(store, "server_rss_kb") / 1024.0);
  std::printf(
      "| drain (connect to last delivery) | %.0f | %.2f | %.0f | %.0f | %.0f | %.0f | %.0f | %.1f "
      "|\n",
      num(drain, "delivered"), num(drain, "last_delivery_s"), num(drain, "delivered_per_s"),
      num(drain.value("cpu", json::object()), "server_cpu_pct_of_core"),
      num(drain.value("cpu", json::object()), "generator_cpu_pct_of_core"),
      num(drain.value("cpu", json::object()), "machine_busy_pct"),
      num(drain, "server_cpu_us_per_message"), num(drain, "server_rss_kb") / 1024.0);
  print_threads("store", store.value("server_threads", json::array()));
  print_threads("drain", drain.value("server_threads", json::array()));
  if (r.value("protocol", "sotto") == "sotto") {
    std::printf("drain: logged in after %.3f s, queue.empty (every ack committed) after %.2f s\n",
                num(drain, "login_s"), num(drain, "queue_empty_s"));
  } else {
    std::printf("drain: logged in after %.3f s (no queue-empty signal in this protocol)\n",
                num(drain, "login_s"));
  }
  print_ledger(r.value("ledger", json::object()));
}

}  // namespace

void print_tables(const json& report) {
  const json& r = report.value("result", json::object());
  const json& payload = report.value("payload", json::object());
  if (!payload.empty() && !payload.contains("distinct_ciphertexts")) {
    std::printf(
        "payload: %.0f-byte text bodies with a 32-digit hex stamp (no end-to-end encryption)\n",
        num(payload, "content_bytes"));
  } else if (!payload.empty()) {
    std::printf(
        "payload: %.0f-byte plaintexts, SignalMessage ciphertexts of %.0f bytes on average "
        "+ 16-byte stamp\n",
        num(payload, "plaintext_bytes"), num(payload, "content_bytes") - 16);
  }
  const std::string workload = r.value("workload", "");
  const std::string server = report.value("server", json::object()).value("name", "server");
  if (workload == "w1") print_w1(r, server);
  if (workload == "w2") print_w2(r, server);
  if (workload == "w3") print_w3(r, server);
  print_errors(r.value("errors", json::object()));
  std::printf("result: %s\n", report.value("ok", false) ? "OK" : "FAILED");
  std::fflush(stdout);
}

}  // namespace sotto::bench
