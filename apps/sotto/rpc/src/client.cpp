// SPDX-License-Identifier: Apache-2.0
// Plain POSIX sockets and poll(): a blocking client needs no event loop.
#include "sotto/cli/rpc/client.hpp"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstring>
#include <deque>
#include <system_error>
#include <utility>

namespace sotto::cli::rpc {
namespace {

using Clock = std::chrono::steady_clock;

// Bounds what a misbehaving server can make us buffer for one line.
constexpr std::size_t kMaxIncomingLine = std::size_t{64} << 20;

std::string errno_text(int err) { return std::error_code(err, std::generic_category()).message(); }

bool is_notification(const nlohmann::json& m) {
  return m.is_object() && m.contains("method") && !m.contains("id");
}

Result<RpcOutcome> parse_response(const nlohmann::json& m) {
  if (auto result = m.find("result"); result != m.end()) return RpcOutcome(*result);
  auto error = m.find("error");
  if (error == m.end() || !error->is_object()) {
    return fail(Errc::network_error, "malformed JSON-RPC response");
  }
  auto code = error->find("code");
  auto message = error->find("message");
  if (code == error->end() || !code->is_number_integer() || message == error->end() ||
      !message->is_string()) {
    return fail(Errc::network_error, "malformed JSON-RPC error object");
  }
  RpcError rpc_error{code->get<int>(), message->get<std::string>(), nullptr};
  if (auto data = error->find("data"); data != error->end()) rpc_error.data = *data;
  return RpcOutcome(tl::unexpected(std::move(rpc_error)));
}

}  // namespace

struct RpcClient::Impl {
  int fd = -1;
  std::string buffer;  // received bytes not yet split into lines
  std::deque<nlohmann::json> inbox;
  std::int64_t next_id = 1;
  bool closed = false;

  explicit Impl(int f) : fd(f) {}
  ~Impl() {
    if (fd >= 0) ::close(fd);
  }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  Status write_all(std::string_view data) {
    while (!data.empty()) {
      // MSG_NOSIGNAL: a closed daemon is an error value, not a SIGPIPE.
      ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EINTR) continue;
        return fail(Errc::network_error, "send: " + errno_text(errno));
      }
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return ok();
  }

  Status send_message(const nlohmann::json& message) {
    std::string line = message.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    line.push_back('\n');
    return write_all(line);
  }

  // The next message from the socket (not the inbox).
  Result<nlohmann::json> read_message(Clock::time_point deadline) {
    for (;;) {
      auto newline = buffer.find('\n');
      if (newline != std::string::npos) {
        std::string line = buffer.substr(0, newline);
        buffer.erase(0, newline + 1);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.find_first_not_of(" \t") == std::string::npos) continue;
        auto message = nlohmann::json::parse(line, nullptr, false);
        if (message.is_discarded()) return fail(Errc::network_error, "the server sent invalid JSON");
        return message;
      }
      if (closed) return fail(Errc::network_error, "the server closed the connection");
      if (buffer.size() > kMaxIncomingLine) return fail(Errc::network_error, "line too long");
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) return fail(Errc::timed_out, "no message within the timeout");
      pollfd p{fd, POLLIN, 0};
      int ready = ::poll(&p, 1, static_cast<int>(std::min<std::int64_t>(left.count(), INT_MAX)));
      if (ready < 0) {
        if (errno == EINTR) continue;
        return fail(Errc::network_error, "poll: " + errno_text(errno));
      }
      if (ready == 0) continue;  // the deadline check above reports it
      char chunk[65536];
      ssize_t n = ::recv(fd, chunk, sizeof(chunk), 0);
      if (n < 0) {
        if (errno == EINTR || errno == EAGAIN) continue;
        if (errno == ECONNRESET) {
          closed = true;
          continue;
        }
        return fail(Errc::network_error, "recv: " + errno_text(errno));
      }
      if (n == 0) {
        closed = true;
        continue;
      }
      buffer.append(chunk, static_cast<std::size_t>(n));
    }
  }
};

RpcClient::RpcClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RpcClient::RpcClient(RpcClient&&) noexcept = default;
RpcClient& RpcClient::operator=(RpcClient&&) noexcept = default;
RpcClient::~RpcClient() = default;

Result<RpcClient> RpcClient::connect_unix(const std::string& path) {
  sockaddr_un addr{};
  if (path.empty() || path.size() >= sizeof(addr.sun_path)) {
    return fail(Errc::bad_request, "bad unix socket path: " + path);
  }
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.data(), path.size());
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail(Errc::network_error, "socket: " + errno_text(errno));
  auto impl = std::make_unique<Impl>(fd);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
    return fail(Errc::network_error, "cannot connect to " + path + ": " + errno_text(errno));
  }
  return RpcClient(std::move(impl));
}

Result<RpcClient> RpcClient::connect_tcp(const std::string& host, std::uint16_t port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  std::string service = std::to_string(port);
  if (int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found); rc != 0) {
    return fail(Errc::bad_request, "cannot resolve " + host + ": " + ::gai_strerror(rc));
  }
  std::string last_error = "no address";
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    auto impl = std::make_unique<Impl>(fd);
    if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
      ::freeaddrinfo(found);
      return RpcClient(std::move(impl));
    }
    last_error = errno_text(errno);
  }
  ::freeaddrinfo(found);
  return fail(Errc::network_error,
              "cannot connect to " + host + ":" + service + ": " + last_error);
}

Result<RpcOutcome> RpcClient::call(std::string_view method, nlohmann::json params,
                                   std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  std::int64_t id = impl_->next_id++;
  nlohmann::json request = {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}};
  if (!params.is_null()) request["params"] = std::move(params);
  SOTTO_TRY(impl_->send_message(request));
  for (;;) {
    auto message = impl_->read_message(deadline);
    if (!message) return tl::unexpected(message.error());
    if (is_notification(*message)) {
      impl_->inbox.push_back(std::move(*message));
      continue;
    }
    if (message->is_object() && message->value("id", nlohmann::json()) == id) {
      return parse_response(*message);
    }
    // Someone else's response (e.g. to a send_line()): not ours to keep.
  }
}

Status RpcClient::notify(std::string_view method, nlohmann::json params) {
  nlohmann::json message = {{"jsonrpc", "2.0"}, {"method", method}};
  if (!params.is_null()) message["params"] = std::move(params);
  return impl_->send_message(message);
}

Result<RpcNotification> RpcClient::next_notification(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  for (;;) {
    nlohmann::json message;
    auto kept = std::find_if(impl_->inbox.begin(), impl_->inbox.end(), is_notification);
    if (kept != impl_->inbox.end()) {
      message = std::move(*kept);
      impl_->inbox.erase(kept);
    } else {
      auto read = impl_->read_message(deadline);
      if (!read) return tl::unexpected(read.error());
      if (!is_notification(*read)) {
        impl_->inbox.push_back(std::move(*read));
        continue;
      }
      message = std::move(*read);
    }
    if (!message["method"].is_string()) return fail(Errc::network_error, "notification without a method name");
    return RpcNotification{message["method"].get<std::string>(), message.value("params", nlohmann::json())};
  }
}

Status RpcClient::send_line(std::string_view line) {
  std::string data(line);
  data.push_back('\n');
  return impl_->write_all(data);
}

Result<nlohmann::json> RpcClient::next_message(std::chrono::milliseconds timeout) {
  if (!impl_->inbox.empty()) {
    nlohmann::json message = std::move(impl_->inbox.front());
    impl_->inbox.pop_front();
    return message;
  }
  return impl_->read_message(Clock::now() + timeout);
}

bool RpcClient::closed() const { return impl_->closed; }

}  // namespace sotto::cli::rpc
