// SPDX-License-Identifier: Apache-2.0
// A child process for system tests: spawned from an argv and an environment,
// its stdout and stderr read on background threads (kept in memory, split into
// lines, optionally copied to log files), so a test can wait for a line that
// matches a regex, signal the process, and reap it with a timeout.
//
// Teardown is safe by construction: the destructor SIGKILLs a child that is
// still running and reaps it, and by default the child also gets SIGKILL if
// the thread that spawned it dies (PR_SET_PDEATHSIG), so a test killed by a
// ctest timeout does not leave servers behind. Spawn from a thread that lives
// as long as the child (the gtest main thread is right; a short-lived worker
// thread is not), or turn die_with_parent off.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "sotto/core/result.hpp"

namespace sotto::systest {

enum class Stream { out, err };

struct SpawnOptions {
  // argv[0] is the program: a path, or a bare name looked up in PATH.
  std::vector<std::string> argv;
  // KEY=VALUE entries set on top of the inherited environment (a KEY already
  // there is replaced).
  std::vector<std::string> env;
  // Names removed from the inherited environment.
  std::vector<std::string> unset_env;
  // Working directory of the child; empty: the caller's.
  std::filesystem::path working_dir;
  // If set, everything the child writes to stdout / stderr is also appended
  // to these files (as it arrives), for post-mortems of failed tests.
  std::filesystem::path stdout_log;
  std::filesystem::path stderr_log;
  // true: stdin is a pipe the test writes with write_stdin(); false: /dev/null.
  bool pipe_stdin = false;
  // SIGKILL the child when the spawning thread dies (see the file comment).
  bool die_with_parent = true;
};

struct ExitStatus {
  bool signaled = false;  // killed by a signal (then `signal`), else exited (then `code`)
  int code = 0;
  int signal = 0;

  [[nodiscard]] bool exited_ok() const { return !signaled && code == 0; }
  [[nodiscard]] bool killed_by(int sig) const { return signaled && signal == sig; }
  [[nodiscard]] std::string describe() const;  // "exit 0", "signal 9 (Killed)"
};

struct LineMatch {
  std::size_t index = 0;            // line number in the stream, from 0
  std::string line;                 // without the newline
  std::vector<std::string> groups;  // regex sub-matches: groups[0] is the whole match
};

class ChildProcess {
 public:
  // Forks and execs. Fails (bad_request) on an empty argv, (internal) when a
  // pipe or fork fails, or (not_found) when the program cannot be executed;
  // in that case no process is left behind.
  static Result<std::unique_ptr<ChildProcess>> spawn(const SpawnOptions& options);

  // Kills (SIGKILL) and reaps a child that is still running, stops the reader
  // threads.
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  [[nodiscard]] pid_t pid() const { return pid_; }

  // Sends `sig` unless the child has already been reaped (then the pid may
  // belong to someone else, so nothing is sent and not_found is returned).
  // Thread-safe: a test may kill from a watchdog thread while another thread
  // talks to the child.
  Status signal(int sig);

  // Reaps the child if it has exited within `timeout`; nullopt if it is still
  // running. Thread-safe.
  std::optional<ExitStatus> wait(std::chrono::milliseconds timeout);
  // True until the child has exited (and then reaps it).
  bool running();
  // SIGKILL, then reap (bounded: a SIGKILLed process always goes).
  ExitStatus kill_and_wait();
  // The exit status once reaped.
  [[nodiscard]] std::optional<ExitStatus> exit_status() const;

  // Waits until a line of `stream` at index >= from_line matches `pattern`
  // (std::regex_search) and returns the first such line; nullopt on timeout,
  // or as soon as the stream is closed (the child exited) without a match.
  // A final line without a newline counts once the stream is closed.
  std::optional<LineMatch> wait_for_line(Stream stream, const std::regex& pattern,
                                         std::chrono::milliseconds timeout,
                                         std::size_t from_line = 0);

  // Complete lines received so far, and everything received so far.
  [[nodiscard]] std::vector<std::string> lines(Stream stream) const;
  [[nodiscard]] std::string text(Stream stream) const;

  // Writes to the child's stdin (SpawnOptions::pipe_stdin); network_error if
  // the child closed it or exited. No SIGPIPE is raised in the test process.
  Status write_stdin(std::string_view data);
  // Closes the child's stdin (it sees end of file).
  void close_stdin();

  struct Impl;

 private:
  explicit ChildProcess(std::unique_ptr<Impl> impl, pid_t pid);
  std::unique_ptr<Impl> impl_;
  pid_t pid_;
};

}  // namespace sotto::systest
