// SPDX-License-Identifier: Apache-2.0
// End-to-end tests of sottod and the `sotto` CLI as real processes on
// 127.0.0.1: a fixture owning one sottod and a temp folder, and users, each a
// data folder that `sotto` commands run against (one process per command,
// like a person at a terminal). JSON output (--json) is parsed line by line.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sotto/systest/child_process.hpp"
#include "sotto/systest/sottod.hpp"
#include "sotto/systest/temp_dir.hpp"

// Asserts a Status / Result succeeded, printing its error otherwise.
#define SOTTO_E2E_ASSERT_OK(expr)                                             \
  do {                                                                        \
    const auto& e2e_status_ = (expr);                                         \
    ASSERT_TRUE(e2e_status_) << #expr << ": " << e2e_status_.error().message; \
  } while (0)

namespace sotto::systest::e2e {

using namespace std::chrono_literals;
using nlohmann::json;

// Exit codes of the CLI (apps/sotto/cli/app_context.hpp).
inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;
inline constexpr int kExitNetwork = 3;
inline constexpr int kExitUntrusted = 4;

// The sotto binary: $SOTTO_CLIENT, else the path of this build.
std::filesystem::path sotto_binary();

// One finished `sotto` command.
struct CliRun {
  std::vector<std::string> args;
  std::optional<ExitStatus> status;  // nullopt: it did not end in time (then killed)
  std::string out;
  std::string err;
  std::vector<json> events;  // the stdout lines that are JSON objects, in order

  // The exit code; -1 for a signal or a timeout.
  [[nodiscard]] int code() const;
  // For failure messages: the command, how it ended, and its output.
  [[nodiscard]] std::string describe() const;
};

// Waits until `child` has exited (up to `timeout`, then SIGKILL) and both of
// its output streams are closed, and collects what it printed.
CliRun finish(ChildProcess& child, std::vector<std::string> args,
              std::chrono::milliseconds timeout);
// The JSON objects among `lines`.
std::vector<json> parse_events(const std::vector<std::string>& lines);

// Events of one type ("message", "receipt", ...), in order.
std::vector<json> of_type(const std::vector<json>& events, std::string_view type);
// Bodies of the "message" events, in order (from `from` only, if given).
std::vector<std::string> bodies(const std::vector<json>& events, std::string_view from = {});

class User {
 public:
  User(std::string name, std::filesystem::path data_dir)
      : name_(std::move(name)), data_dir_(std::move(data_dir)) {}

  [[nodiscard]] const std::string& name() const { return name_; }
  [[nodiscard]] const std::filesystem::path& data_dir() const { return data_dir_; }

  // sotto --data-dir DIR ARGS…, waited for.
  CliRun run(const std::vector<std::string>& args,
             std::chrono::milliseconds timeout = std::chrono::seconds(60)) const;
  // The same, with `input` on stdin.
  CliRun run_with_stdin(const std::vector<std::string>& args, std::string_view input,
                        std::chrono::milliseconds timeout = std::chrono::seconds(60)) const;
  // Started and left running (receive, daemon); the caller stops it.
  std::unique_ptr<ChildProcess> spawn(const std::vector<std::string>& args,
                                      bool pipe_stdin = false) const;

  // Shorthands (JSON output where the command has it).
  CliRun register_at(const Sottod& server) const;
  CliRun send(const std::string& to, const std::string& text) const;
  CliRun receive(double seconds = 0) const;
  CliRun verify(const std::string& other) const;
  CliRun contacts() const;

 private:
  [[nodiscard]] std::vector<std::string> argv(const std::vector<std::string>& args) const;

  std::string name_;
  std::filesystem::path data_dir_;
};

// The "sent" timestamp a `send --json` printed; 0 if none.
std::uint64_t sent_timestamp(const CliRun& run);
// The contact entry for `username` in `contacts --json` output.
std::optional<json> contact_entry(const CliRun& run, const std::string& username);

// Every file under `root` (recursively) whose bytes contain `needle`.
std::vector<std::filesystem::path> files_containing(const std::filesystem::path& root,
                                                    std::string_view needle);

// A fresh temp folder and one sottod per test. Users live in subfolders.
class E2eTest : public ::testing::Test {
 protected:
  void TearDown() override;

  // Starts sottod on an ephemeral port (data in <tmp>/server/data, per-run
  // logs in <tmp>/server/logs). Fails the test (fatally) if it cannot.
  void start_server(const std::string& log_level = "warn",
                    std::vector<std::string> extra_args = {});
  // A user with a data folder of its own; `folder` defaults to the name.
  User make_user(const std::string& name, const std::string& folder = {}) const;
  // make_user + `sotto register`, expecting success.
  User registered_user(const std::string& name, const std::string& folder = {});

  [[nodiscard]] const std::filesystem::path& root() const { return dir_.path(); }
  [[nodiscard]] std::filesystem::path server_data_dir() const { return root() / "server" / "data"; }
  [[nodiscard]] std::filesystem::path server_log_dir() const { return root() / "server" / "logs"; }

  TempDir dir_{"sotto-e2e"};
  std::unique_ptr<Sottod> server_;
};

}  // namespace sotto::systest::e2e
