// SPDX-License-Identifier: Apache-2.0
// The JSON-RPC 2.0 server behind `sotto daemon`: a Unix domain socket and/or a
// loopback TCP port, one JSON value per line in both directions (as
// signal-cli's daemon socket). Methods are plain callbacks; the subscription
// model (subscribeReceive -> "receive" notifications) is built by the daemon
// on top of notify() and on_disconnect (see test/subscription_test.cpp).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "sotto/cli/rpc/errors.hpp"
#include "sotto/core/result.hpp"

namespace sotto::cli::rpc {

// Identifies one accepted connection for the server's lifetime; never reused.
using ConnectionId = std::uint64_t;

// Answers one request. Thread-safe: call it from any thread, now or later,
// exactly once (later calls are ignored). Destroying every copy without calling
// it answers kInternalError, so a client never waits forever on a lost request.
// Calling it after the connection closed or the server stopped does nothing.
// For a notification (no id) the outcome is discarded, but call it anyway: it
// releases the connection's in-flight slot.
using Reply = std::function<void(RpcOutcome)>;

// One method. Runs on the server's I/O thread and must not block: answer
// through `reply` now, or post the work elsewhere and reply from there.
// `params` is the request's "params" (an object or array), or null when it has
// none (or "params": null); it lives only during the call, so copy what a
// deferred answer needs. Validating it is the handler's job (reply
// invalid_params(...)). A
// nlohmann::json exception escaping the handler is answered kInvalidParams,
// any other std::exception kInternalError.
using Handler = std::function<void(const nlohmann::json& params, ConnectionId from, Reply reply)>;

using MethodTable = std::map<std::string, Handler>;

struct TcpListen {
  std::string address = "127.0.0.1";  // an IP literal in 127.0.0.0/8 or ::1
  std::uint16_t port = 0;             // 0 picks a free port; see tcp_port()
};

struct RpcServerOptions {
  // A Unix socket at this path (created with mode 0600; the directory's
  // permissions are the caller's job). Empty: no Unix socket.
  std::string unix_path;
  std::optional<TcpListen> tcp;

  // A line longer than this is answered kLineTooLong and the connection closed.
  std::size_t max_line_bytes = std::size_t{1} << 20;
  // Connections beyond this are answered kTooManyConnections and closed.
  std::size_t max_connections = 64;
  // Messages waiting to be written to one connection. A client that stops
  // reading while notifications pile up past this is disconnected: dropping
  // notifications silently would lose messages without anyone noticing.
  std::size_t max_queued_messages = 1024;
  // Requests of one connection whose Reply is outstanding; the server stops
  // reading that connection until one is answered (backpressure, not an error).
  std::size_t max_in_flight = 64;
  // Entries in one batch array; a larger batch is one kInvalidRequest.
  std::size_t max_batch = 128;
};

class RpcServer {
 public:
  // Binds every configured transport, then serves on one I/O thread. Errors:
  // bad_request (neither transport configured, a Unix path too long for
  // sockaddr_un, a TCP address that is not a loopback IP literal);
  // already_exists (another server is listening on unix_path, or the path
  // exists and is not a socket); network_error (bind/listen failed). A socket
  // file left by a dead server is replaced.
  // `on_disconnect` runs on the I/O thread once per connection that was
  // accepted (also for those closed by stop()); after it, notify() to that id
  // returns false.
  [[nodiscard]] static Result<std::unique_ptr<RpcServer>> start(
      const RpcServerOptions& options, MethodTable methods,
      std::function<void(ConnectionId)> on_disconnect = {});

  ~RpcServer();  // stop()
  RpcServer(const RpcServer&) = delete;
  RpcServer& operator=(const RpcServer&) = delete;

  // Queues {"jsonrpc":"2.0","method":method,"params":params} to a connection.
  // Thread-safe. False when the connection is gone or the server stopped;
  // true does not promise delivery (the client may disconnect first).
  bool notify(ConnectionId to, std::string_view method, nlohmann::json params);

  // The bound TCP port (the ephemeral one when 0 was asked); nullopt without TCP.
  std::optional<std::uint16_t> tcp_port() const;

  // Closes the listeners and every connection (on_disconnect runs for each),
  // joins the I/O thread and removes the socket file if it is still ours.
  // Idempotent. REQUIRES: not called from a handler or on_disconnect (it
  // joins the thread they run on); post it to another thread instead.
  void stop();

 private:
  struct Impl;
  explicit RpcServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sotto::cli::rpc
