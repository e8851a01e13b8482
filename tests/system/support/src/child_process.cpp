// SPDX-License-Identifier: Apache-2.0
// fork + execve rather than posix_spawn, for PR_SET_PDEATHSIG and for marking
// every inherited descriptor close-on-exec (the test process holds sockets
// that a child must not keep alive). Between fork and exec the child only
// makes async-signal-safe calls: everything it needs is prepared beforehand.
#include "sotto/systest/child_process.hpp"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <thread>

extern char** environ;

namespace sotto::systest {

namespace {

using Clock = std::chrono::steady_clock;

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// The program to exec: argv[0] if it names a path, else the first executable
// match in PATH (resolved here, since execvp is not async-signal-safe).
std::optional<std::string> resolve_program(const std::string& name) {
  if (name.find('/') != std::string::npos) return name;
  const char* path = std::getenv("PATH");
  std::string dirs = path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    const std::size_t end = std::min(dirs.find(':', start), dirs.size());
    std::string dir = dirs.substr(start, end - start);
    if (dir.empty()) dir = ".";
    const std::string candidate = dir + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return std::nullopt;
}

std::string env_key(const std::string& entry) { return entry.substr(0, entry.find('=')); }

std::vector<std::string> build_environment(const SpawnOptions& options) {
  std::vector<std::string> drop = options.unset_env;
  for (const auto& e : options.env) drop.push_back(env_key(e));
  std::vector<std::string> out;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string entry(*e);
    if (std::find(drop.begin(), drop.end(), env_key(entry)) == drop.end()) out.push_back(entry);
  }
  out.insert(out.end(), options.env.begin(), options.env.end());
  return out;
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

ExitStatus decode_wait_status(int status) {
  ExitStatus out;
  if (WIFSIGNALED(status)) {
    out.signaled = true;
    out.signal = WTERMSIG(status);
  } else {
    out.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  return out;
}

// In the child: tells the parent why the exec did not happen.
[[noreturn]] void die_in_child(int error_fd, int err) {
  ssize_t ignored = ::write(error_fd, &err, sizeof err);
  (void)ignored;
  ::_exit(127);
}

// In the child, before exec: only async-signal-safe calls from here on.
[[noreturn]] void exec_child(const char* program, char* const* argv, char* const* envp,
                             const char* working_dir, int stdin_fd, int stdout_fd, int stderr_fd,
                             int error_fd, bool die_with_parent, pid_t parent, int max_fd) {
  if (die_with_parent) {
    if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) die_in_child(error_fd, errno);
    if (::getppid() != parent) ::_exit(127);  // the parent is already gone
  }
  // Ignored signals and the signal mask survive exec: start from defaults.
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig != SIGKILL && sig != SIGSTOP) ::signal(sig, SIG_DFL);
  }
  sigset_t none;
  ::sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);

  if (::dup2(stdin_fd, STDIN_FILENO) < 0 || ::dup2(stdout_fd, STDOUT_FILENO) < 0 ||
      ::dup2(stderr_fd, STDERR_FILENO) < 0) {
    die_in_child(error_fd, errno);
  }
  if (working_dir != nullptr && ::chdir(working_dir) != 0) die_in_child(error_fd, errno);
  // Nothing of the test process (sockets, databases) leaks into the child;
  // the error pipe itself closes at exec, which tells the parent it worked.
  if (::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {
    for (int fd = 3; fd < max_fd; ++fd) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
  }
  ::execve(program, argv, envp);
  die_in_child(error_fd, errno);
}

}  // namespace

std::string ExitStatus::describe() const {
  if (signaled) return "signal " + std::to_string(signal);
  return "exit " + std::to_string(code);
}

struct Capture {
  int fd = -1;
  std::string partial;  // bytes after the last newline
  std::vector<std::string> lines;
  std::string all;
  bool closed = false;
  std::ofstream log;
  std::thread reader;
};

struct ChildProcess::Impl {
  pid_t pid = -1;

  // Output, guarded by mu; cv wakes wait_for_line.
  mutable std::mutex mu;
  std::condition_variable cv;
  Capture out;
  Capture err;
  std::atomic<bool> stopping{false};

  // Process state, guarded by proc_mu (signal and reap never race).
  mutable std::mutex proc_mu;
  std::optional<ExitStatus> status;

  std::mutex stdin_mu;
  int stdin_fd = -1;

  Capture& capture(Stream s) { return s == Stream::out ? out : err; }
  const Capture& capture(Stream s) const { return s == Stream::out ? out : err; }

  void append(Capture& c, const char* data, std::size_t n) {
    std::lock_guard lock(mu);
    c.all.append(data, n);
    c.partial.append(data, n);
    std::size_t pos;
    while ((pos = c.partial.find('\n')) != std::string::npos) {
      c.lines.push_back(c.partial.substr(0, pos));
      c.partial.erase(0, pos + 1);
    }
    if (c.log.is_open()) {
      c.log.write(data, static_cast<std::streamsize>(n));
      c.log.flush();
    }
    cv.notify_all();
  }

  void mark_closed(Capture& c) {
    std::lock_guard lock(mu);
    if (!c.partial.empty()) {
      c.lines.push_back(c.partial);
      c.partial.clear();
    }
    c.closed = true;
    cv.notify_all();
  }

  // Reads until end of file; once the owner is stopping, also gives up after
  // a quiet poll (a grandchild may hold the pipe open forever).
  void read_loop(Capture& c) {
    std::array<char, 8192> buffer{};
    for (;;) {
      pollfd p{c.fd, POLLIN, 0};
      const int ready = ::poll(&p, 1, 100);
      if (ready < 0 && errno == EINTR) continue;
      if (ready == 0) {
        if (stopping.load()) break;
        continue;
      }
      const ssize_t n = ::read(c.fd, buffer.data(), buffer.size());
      if (n > 0) {
        append(c, buffer.data(), static_cast<std::size_t>(n));
        continue;
      }
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      break;  // end of file or a read error
    }
    mark_closed(c);
  }

  // Under proc_mu.
  bool reap_locked(bool block) {
    if (status) return true;
    int raw = 0;
    pid_t r;
    do {
      r = ::waitpid(pid, &raw, block ? 0 : WNOHANG);
    } while (r < 0 && errno == EINTR);
    if (r == pid) {
      status = decode_wait_status(raw);
      return true;
    }
    if (r < 0 && errno == ECHILD) {  // reaped elsewhere: nothing more to learn
      status = ExitStatus{false, -1, 0};
      return true;
    }
    return false;
  }
};

Result<std::unique_ptr<ChildProcess>> ChildProcess::spawn(const SpawnOptions& options) {
  if (options.argv.empty()) return fail(Errc::bad_request, "spawn: empty argv");
  auto program = resolve_program(options.argv[0]);
  if (!program) return fail(Errc::not_found, "spawn: " + options.argv[0] + " not found in PATH");

  std::vector<std::string> argv_strings = options.argv;
  std::vector<std::string> env_strings = build_environment(options);
  std::vector<char*> argv = c_strings(argv_strings);
  std::vector<char*> envp = c_strings(env_strings);
  const std::string working_dir = options.working_dir.string();
  rlimit limit{};
  const int max_fd = ::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < 65536
                         ? static_cast<int>(limit.rlim_cur)
                         : 65536;

  auto impl = std::make_unique<Impl>();
  int out_pipe[2] = {-1, -1};
  int err_pipe[2] = {-1, -1};
  int error_pipe[2] = {-1, -1};
  int stdin_pair[2] = {-1, -1};
  int dev_null = -1;
  auto close_all = [&] {
    for (int* fds : {out_pipe, err_pipe, error_pipe, stdin_pair}) {
      close_fd(fds[0]);
      close_fd(fds[1]);
    }
    close_fd(dev_null);
  };
  bool made = ::pipe2(out_pipe, O_CLOEXEC) == 0 && ::pipe2(err_pipe, O_CLOEXEC) == 0 &&
              ::pipe2(error_pipe, O_CLOEXEC) == 0;
  if (made && options.pipe_stdin) {
    // A socket rather than a pipe: send(MSG_NOSIGNAL) never raises SIGPIPE.
    made = ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, stdin_pair) == 0;
  } else if (made) {
    dev_null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    made = dev_null >= 0;
  }
  if (!made) {
    const std::string why = std::strerror(errno);
    close_all();
    return fail(Errc::internal, "spawn: pipe: " + why);
  }
  const int child_stdin = options.pipe_stdin ? stdin_pair[1] : dev_null;

  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    const std::string why = std::strerror(errno);
    close_all();
    return fail(Errc::internal, "spawn: fork: " + why);
  }
  if (pid == 0) {
    exec_child(program->c_str(), argv.data(), envp.data(),
               working_dir.empty() ? nullptr : working_dir.c_str(), child_stdin, out_pipe[1],
               err_pipe[1], error_pipe[1], options.die_with_parent, parent, max_fd);
  }

  // Parent: keep our ends only.
  close_fd(out_pipe[1]);
  close_fd(err_pipe[1]);
  close_fd(error_pipe[1]);
  close_fd(stdin_pair[1]);
  close_fd(dev_null);
  impl->pid = pid;

  int child_errno = 0;
  ssize_t n;
  do {
    n = ::read(error_pipe[0], &child_errno, sizeof child_errno);
  } while (n < 0 && errno == EINTR);
  close_fd(error_pipe[0]);
  if (n > 0) {  // exec (or the setup before it) failed; the child has exited
    close_fd(out_pipe[0]);
    close_fd(err_pipe[0]);
    close_fd(stdin_pair[0]);
    int raw = 0;
    while (::waitpid(pid, &raw, 0) < 0 && errno == EINTR) {
    }
    return fail(Errc::not_found,
                "spawn: cannot execute " + *program + ": " + std::strerror(child_errno));
  }

  impl->stdin_fd = stdin_pair[0];
  impl->out.fd = out_pipe[0];
  impl->err.fd = err_pipe[0];
  if (!options.stdout_log.empty()) impl->out.log.open(options.stdout_log, std::ios::app);
  if (!options.stderr_log.empty()) impl->err.log.open(options.stderr_log, std::ios::app);
  Impl* raw_impl = impl.get();
  impl->out.reader = std::thread([raw_impl] { raw_impl->read_loop(raw_impl->out); });
  impl->err.reader = std::thread([raw_impl] { raw_impl->read_loop(raw_impl->err); });
  return std::unique_ptr<ChildProcess>(new ChildProcess(std::move(impl), pid));
}

ChildProcess::ChildProcess(std::unique_ptr<Impl> impl, pid_t pid)
    : impl_(std::move(impl)), pid_(pid) {}

ChildProcess::~ChildProcess() {
  (void)kill_and_wait();
  close_stdin();
  impl_->stopping.store(true);
  for (Capture* c : {&impl_->out, &impl_->err}) {
    if (c->reader.joinable()) c->reader.join();
    close_fd(c->fd);
  }
}

Status ChildProcess::signal(int sig) {
  std::lock_guard lock(impl_->proc_mu);
  if (impl_->reap_locked(false)) return fail(Errc::not_found, "the child has exited");
  if (::kill(pid_, sig) != 0) return fail(Errc::internal, std::strerror(errno));
  return ok();
}

std::optional<ExitStatus> ChildProcess::wait(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    {
      std::lock_guard lock(impl_->proc_mu);
      if (impl_->reap_locked(false)) return impl_->status;
    }
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

bool ChildProcess::running() {
  std::lock_guard lock(impl_->proc_mu);
  return !impl_->reap_locked(false);
}

ExitStatus ChildProcess::kill_and_wait() {
  std::lock_guard lock(impl_->proc_mu);
  if (!impl_->reap_locked(false)) {
    ::kill(pid_, SIGKILL);
    impl_->reap_locked(true);
  }
  return *impl_->status;
}

std::optional<ExitStatus> ChildProcess::exit_status() const {
  std::lock_guard lock(impl_->proc_mu);
  return impl_->status;
}

std::optional<LineMatch> ChildProcess::wait_for_line(Stream stream, const std::regex& pattern,
                                                     std::chrono::milliseconds timeout,
                                                     std::size_t from_line) {
  const auto deadline = Clock::now() + timeout;
  std::unique_lock lock(impl_->mu);
  const Capture& c = impl_->capture(stream);
  std::size_t next = from_line;
  for (;;) {
    for (; next < c.lines.size(); ++next) {
      std::smatch m;
      if (std::regex_search(c.lines[next], m, pattern)) {
        LineMatch out;
        out.index = next;
        out.line = c.lines[next];
        for (const auto& g : m) out.groups.push_back(g.str());
        return out;
      }
    }
    if (c.closed) return std::nullopt;
    if (impl_->cv.wait_until(lock, deadline) == std::cv_status::timeout && next == c.lines.size()) {
      return std::nullopt;
    }
  }
}

std::vector<std::string> ChildProcess::lines(Stream stream) const {
  std::lock_guard lock(impl_->mu);
  return impl_->capture(stream).lines;
}

std::string ChildProcess::text(Stream stream) const {
  std::lock_guard lock(impl_->mu);
  return impl_->capture(stream).all;
}

Status ChildProcess::write_stdin(std::string_view data) {
  std::lock_guard lock(impl_->stdin_mu);
  if (impl_->stdin_fd < 0) return fail(Errc::network_error, "stdin is not a pipe or is closed");
  while (!data.empty()) {
    const ssize_t n = ::send(impl_->stdin_fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(Errc::network_error, std::string("stdin: ") + std::strerror(errno));
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return ok();
}

void ChildProcess::close_stdin() {
  std::lock_guard lock(impl_->stdin_mu);
  if (impl_->stdin_fd >= 0) ::shutdown(impl_->stdin_fd, SHUT_WR);
  close_fd(impl_->stdin_fd);
}

}  // namespace sotto::systest
