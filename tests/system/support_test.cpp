// SPDX-License-Identifier: Apache-2.0
// The system-test support library itself: ChildProcess spawning, capture,
// stdin, signals and teardown, with /bin/sh as the child.
#include <errno.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <regex>
#include <string>

#include "sotto/systest/child_process.hpp"

namespace sotto::systest {
namespace {

using namespace std::chrono_literals;

std::unique_ptr<ChildProcess> shell(const std::string& script, SpawnOptions options = {}) {
  options.argv = {"sh", "-c", script};
  auto child = ChildProcess::spawn(options);
  EXPECT_TRUE(child) << child.error().message;
  return child ? std::move(*child) : nullptr;
}

TEST(ChildProcessTest, CapturesBothStreamsAndTheExitCode) {
  auto child = shell("echo 'certificate pin: abc123'; echo oops >&2; printf 'no newline'; exit 3");
  ASSERT_TRUE(child);
  auto pin = child->wait_for_line(Stream::out, std::regex("^certificate pin: (\\w+)$"), 10s);
  ASSERT_TRUE(pin);
  EXPECT_EQ(pin->index, 0u);
  EXPECT_EQ(pin->groups.at(1), "abc123");
  EXPECT_TRUE(child->wait_for_line(Stream::err, std::regex("oops"), 10s));
  // A last line without a newline counts once the stream is closed.
  EXPECT_TRUE(child->wait_for_line(Stream::out, std::regex("^no newline$"), 10s));
  auto status = child->wait(10s);
  ASSERT_TRUE(status);
  EXPECT_FALSE(status->signaled);
  EXPECT_EQ(status->code, 3);
  EXPECT_FALSE(child->running());
  EXPECT_EQ(child->text(Stream::err), "oops\n");
}

TEST(ChildProcessTest, WaitForLineGivesUpWhenTheStreamCloses) {
  auto child = shell("echo only");
  ASSERT_TRUE(child);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(child->wait_for_line(Stream::out, std::regex("never"), 30s));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
  EXPECT_EQ(child->lines(Stream::out), std::vector<std::string>{"only"});
  // from_line skips earlier lines.
  EXPECT_FALSE(child->wait_for_line(Stream::out, std::regex("only"), 1s, 1));
}

TEST(ChildProcessTest, StdinAndEnvironment) {
  SpawnOptions options;
  options.pipe_stdin = true;
  options.env = {"SOTTO_SYSTEST_VALUE=42"};
  auto child =
      shell("read line; echo \"got $line $SOTTO_SYSTEST_VALUE\"; read rest; echo eof", options);
  ASSERT_TRUE(child);
  ASSERT_TRUE(child->write_stdin("hello\n"));
  EXPECT_TRUE(child->wait_for_line(Stream::out, std::regex("^got hello 42$"), 10s));
  child->close_stdin();
  EXPECT_TRUE(child->wait_for_line(Stream::out, std::regex("^eof$"), 10s));
  auto status = child->wait(10s);
  ASSERT_TRUE(status);
  EXPECT_TRUE(status->exited_ok());
  // Writing to a child that is gone fails without SIGPIPE.
  EXPECT_FALSE(child->write_stdin("late\n"));
}

TEST(ChildProcessTest, MissingProgramIsNotFound) {
  SpawnOptions options;
  options.argv = {"/nonexistent/sotto-program"};
  auto child = ChildProcess::spawn(options);
  ASSERT_FALSE(child);
  EXPECT_EQ(child.error().code, Errc::not_found);
  options.argv = {"sotto-no-such-program-in-path"};
  child = ChildProcess::spawn(options);
  ASSERT_FALSE(child);
  EXPECT_EQ(child.error().code, Errc::not_found);
}

TEST(ChildProcessTest, SignalsAndTeardownKillAndReap) {
  auto child = shell("exec sleep 60");
  ASSERT_TRUE(child);
  EXPECT_TRUE(child->running());
  EXPECT_FALSE(child->wait(50ms));
  ASSERT_TRUE(child->signal(SIGTERM));
  auto status = child->wait(10s);
  ASSERT_TRUE(status);
  EXPECT_TRUE(status->killed_by(SIGTERM));
  EXPECT_FALSE(child->signal(SIGKILL)) << "no signal to a reaped pid";

  // The destructor kills and reaps a child still running.
  auto other = shell("exec sleep 60");
  ASSERT_TRUE(other);
  const pid_t pid = other->pid();
  other.reset();
  EXPECT_EQ(::kill(pid, 0), -1);
  EXPECT_EQ(errno, ESRCH);
}

TEST(ChildProcessTest, DescriptorsOfTheTestDoNotLeak) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);  // deliberately not close-on-exec
  auto child = shell("ls /proc/$$/fd");
  ASSERT_TRUE(child);
  ASSERT_TRUE(child->wait(10s));
  for (const auto& line : child->lines(Stream::out)) {
    EXPECT_NE(line, std::to_string(fds[0]));
    EXPECT_NE(line, std::to_string(fds[1]));
  }
  ::close(fds[0]);
  ::close(fds[1]);
}

}  // namespace
}  // namespace sotto::systest
