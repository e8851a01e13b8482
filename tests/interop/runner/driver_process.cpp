// SPDX-License-Identifier: Apache-2.0
#include "driver_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

extern char** environ;

namespace sotto::interop {
namespace {

using Clock = std::chrono::steady_clock;

int remaining_ms(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

std::string errno_text(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

std::string exit_text(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return std::string("killed by signal ") + ::strsignal(WTERMSIG(status));
  return "stopped";
}

}  // namespace

DriverProcess::~DriverProcess() {
  if (running()) (void)stop();
}

Status DriverProcess::start(const std::vector<std::string>& argv, std::string label) {
  label_ = std::move(label);
  if (running()) return fail(Errc::internal, "driver " + label_ + " already started");
  if (argv.empty()) return fail(Errc::internal, "driver " + label_ + ": empty command");

  int in_pipe[2];
  int out_pipe[2];
  if (::pipe2(in_pipe, O_CLOEXEC) != 0) return fail(Errc::internal, errno_text("pipe2"));
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
    ::close(in_pipe[0]);
    ::close(in_pipe[1]);
    return fail(Errc::internal, errno_text("pipe2"));
  }

  // dup2 clears close-on-exec on the child's copies, so the child keeps exactly
  // stdin, stdout and the inherited stderr.
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_pipe[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);

  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  pid_t pid = -1;
  int rc = ::posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(in_pipe[0]);
  ::close(out_pipe[1]);
  if (rc != 0) {
    ::close(in_pipe[1]);
    ::close(out_pipe[0]);
    return fail(Errc::internal,
                "driver " + label_ + ": cannot start " + argv[0] + ": " + std::strerror(rc));
  }
  pid_ = pid;
  stdin_fd_ = in_pipe[1];
  stdout_fd_ = out_pipe[0];
  // Non-blocking writes let a driver that stopped reading time out instead of
  // hanging the runner on a full pipe.
  ::fcntl(stdin_fd_, F_SETFL, ::fcntl(stdin_fd_, F_GETFL) | O_NONBLOCK);
  pending_.clear();
  return ok();
}

Result<nlohmann::json> DriverProcess::call(const nlohmann::json& request) {
  if (!running()) return fail(Errc::internal, "driver " + label_ + " is not running");
  SOTTO_TRY(write_all(request.dump() + "\n"));
  auto line = read_line();
  if (!line) return tl::unexpected(line.error());
  auto response = nlohmann::json::parse(*line, nullptr, /*allow_exceptions=*/false);
  if (response.is_discarded() || !response.is_object()) {
    kill_and_reap();
    return fail(Errc::internal,
                "driver " + label_ + " wrote a line that is not a JSON object: " + *line);
  }
  return response;
}

Status DriverProcess::write_all(const std::string& data) {
  auto deadline = Clock::now() + timeout_;
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(stdin_fd_, data.data() + done, data.size() - done);
    if (n > 0) {
      done += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN) {
      std::string why = errno_text("write to driver stdin");
      return fail(Errc::internal, "driver " + label_ + ": " + why + " (" + describe_exit() + ")");
    }
    pollfd p{stdin_fd_, POLLOUT, 0};
    int r = ::poll(&p, 1, remaining_ms(deadline));
    if (r == 0) {
      kill_and_reap();
      return fail(Errc::internal, "driver " + label_ + " did not read its input within " +
                                      std::to_string(timeout_.count()) + " ms; killed");
    }
  }
  return ok();
}

Result<std::string> DriverProcess::read_line() {
  auto deadline = Clock::now() + timeout_;
  for (;;) {
    auto nl = pending_.find('\n');
    if (nl != std::string::npos) {
      std::string line = pending_.substr(0, nl);
      pending_.erase(0, nl + 1);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      return line;
    }
    pollfd p{stdout_fd_, POLLIN, 0};
    int r = ::poll(&p, 1, remaining_ms(deadline));
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) {
      kill_and_reap();
      return fail(Errc::internal, "driver " + label_ + " gave no response within " +
                                      std::to_string(timeout_.count()) + " ms; killed");
    }
    char buf[65536];
    ssize_t n = ::read(stdout_fd_, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      std::string why = n == 0 ? "closed its stdout" : errno_text("read");
      return fail(Errc::internal,
                  "driver " + label_ + " " + why + " before answering (" + describe_exit() + ")");
    }
    pending_.append(buf, static_cast<std::size_t>(n));
  }
}

std::string DriverProcess::describe_exit() {
  if (!running()) return "not running";
  // The child usually dies just before or after we notice EOF: give it a moment.
  auto deadline = Clock::now() + std::chrono::seconds(2);
  int status = 0;
  while (Clock::now() < deadline) {
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      pid_ = -1;
      close_fd(stdin_fd_);
      close_fd(stdout_fd_);
      return "driver " + exit_text(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill_and_reap();
  return "driver still running; killed";
}

Status DriverProcess::stop() {
  if (!running()) return ok();
  close_fd(stdin_fd_);
  auto deadline = Clock::now() + timeout_;
  int status = 0;
  for (;;) {
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) break;
    if (r < 0 && errno != EINTR) {
      pid_ = -1;
      close_fd(stdout_fd_);
      return fail(Errc::internal, "driver " + label_ + ": " + errno_text("waitpid"));
    }
    if (Clock::now() >= deadline) {
      kill_and_reap();
      return fail(Errc::internal, "driver " + label_ + " did not exit within " +
                                      std::to_string(timeout_.count()) +
                                      " ms after end of input; killed");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  pid_ = -1;
  close_fd(stdout_fd_);
  pending_.clear();
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return fail(Errc::internal,
                "driver " + label_ + " " + exit_text(status) + " at end of input (expected 0)");
  }
  return ok();
}

void DriverProcess::kill_and_reap() {
  if (!running()) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
  close_fd(stdin_fd_);
  close_fd(stdout_fd_);
  pending_.clear();
}

}  // namespace sotto::interop
