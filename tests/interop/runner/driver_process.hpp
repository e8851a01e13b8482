// SPDX-License-Identifier: Apache-2.0
// One driver (a `sotto-proto`-contract program) running as a child process: one
// JSON request per line on its stdin, one JSON response per line from its
// stdout. Its stderr is passed through, so a driver's diagnostics land in the
// test log next to the runner's verdict.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sotto/core/result.hpp"

namespace sotto::interop {

class DriverProcess {
 public:
  DriverProcess() = default;
  ~DriverProcess();
  DriverProcess(const DriverProcess&) = delete;
  DriverProcess& operator=(const DriverProcess&) = delete;

  // Spawns argv[0] (a path, not searched in PATH) with pipes on stdin/stdout.
  // `label` names the driver in every error message ("A", "B", ...).
  [[nodiscard]] Status start(const std::vector<std::string>& argv, std::string label);

  // Writes `request` as one line and reads one response line, waiting at most
  // timeout() for each. Fails (Errc::internal) if the driver died, timed out or
  // wrote a line that is not a JSON object; the driver is unusable afterwards.
  // A well-formed `{"ok": false, ...}` response is a success of this call.
  [[nodiscard]] Result<nlohmann::json> call(const nlohmann::json& request);

  // Closes the driver's stdin and waits for it to exit; kills it if it does not
  // exit within timeout(). Fails if the driver exited non-zero or had to be
  // killed (the contract says it exits 0 on end of input). Idempotent.
  [[nodiscard]] Status stop();

  const std::string& label() const { return label_; }
  bool running() const { return pid_ > 0; }
  std::chrono::milliseconds timeout() const { return timeout_; }
  void set_timeout(std::chrono::milliseconds t) { timeout_ = t; }

 private:
  Status write_all(const std::string& data);
  Result<std::string> read_line();
  std::string describe_exit();
  void kill_and_reap();

  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  int stdout_fd_ = -1;
  std::string label_;
  std::string pending_;  // bytes read past the last returned line
  std::chrono::milliseconds timeout_{30'000};
};

}  // namespace sotto::interop
