// SPDX-License-Identifier: Apache-2.0
// sottod as a child process: started on 127.0.0.1 with a data dir, its
// certificate pin and port read from the two lines it prints on stdout
// ("certificate pin: <hex>", "listening on HOST:PORT"), killed or stopped on
// demand, and restarted on the same data dir and port. Each run's stdout and
// stderr are also written to log_dir/sottod.<run>.{stdout,stderr}.
//
// Not thread-safe, except kill9_async(), which a watchdog thread may call
// while another thread talks to the server.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "sotto/core/result.hpp"
#include "sotto/systest/child_process.hpp"
#include "sotto/transport/certificate.hpp"

namespace sotto::systest {

struct SottodOptions {
  std::filesystem::path binary;    // the sottod executable
  std::filesystem::path data_dir;  // --data-dir: database and TLS identity
  // Where the per-run logs go; empty: next to data_dir.
  std::filesystem::path log_dir;
  std::string host = "127.0.0.1";
  unsigned threads = 2;
  std::string log_level = "warn";
  std::vector<std::string> extra_args;
  std::vector<std::string> env;  // KEY=VALUE for the child
  // How long start() waits for the "listening on" line.
  std::chrono::milliseconds start_timeout{30'000};
};

// The sottod binary for tests: $SOTTO_SOTTOD if set, else `fallback`
// (typically a path compiled in from $<TARGET_FILE:sottod>).
std::filesystem::path sottod_binary(const std::filesystem::path& fallback = {});

class Sottod {
 public:
  explicit Sottod(SottodOptions options);
  ~Sottod();  // SIGKILLs a running server
  Sottod(const Sottod&) = delete;
  Sottod& operator=(const Sottod&) = delete;

  // Starts sottod listening on host:port (0: an ephemeral port) and waits for
  // its pin and port. A few attempts are made if binding fails (a port just
  // released by a killed server). Fails (internal) if it is already running,
  // or if it exits or stays silent; the message then carries its stderr.
  Status start(std::uint16_t port = 0);
  // start() on the port of the previous run.
  Status restart() { return start(port_); }

  // SIGKILL and reap; fails unless the process died of that SIGKILL (an
  // earlier crash is reported, not hidden).
  Status kill9();
  // Sends SIGKILL without reaping (thread-safe); call kill9() or stop() later
  // from the owning thread to reap.
  void kill9_async();
  // SIGTERM and wait for a clean exit (code 0); after `timeout` the server is
  // SIGKILLed and an error returned.
  Status stop(std::chrono::milliseconds timeout = std::chrono::seconds(20));

  [[nodiscard]] bool running() const;
  // Of the current (or last) run.
  [[nodiscard]] std::uint16_t port() const { return port_; }
  [[nodiscard]] const std::string& pin() const { return pin_; }
  [[nodiscard]] const transport::CertificatePin& pin_bytes() const { return pin_bytes_; }
  [[nodiscard]] int runs() const { return runs_; }
  // The child of the current (or last) run; null before the first start.
  [[nodiscard]] ChildProcess* process() const { return process_.get(); }
  // stderr of the current (or last) run, for failure messages.
  [[nodiscard]] std::string stderr_text() const;

 private:
  Status start_once(std::uint16_t port);

  SottodOptions options_;
  std::unique_ptr<ChildProcess> process_;
  std::uint16_t port_ = 0;
  std::string pin_;
  transport::CertificatePin pin_bytes_{};
  int runs_ = 0;
};

}  // namespace sotto::systest
