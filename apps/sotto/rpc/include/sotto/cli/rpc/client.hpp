// SPDX-License-Identifier: Apache-2.0
// A small blocking JSON-RPC 2.0 client for the daemon socket (newline-framed),
// for tests, the end-to-end suite and CLI commands that talk to a running
// daemon. Not thread-safe: one thread uses one client.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "sotto/cli/rpc/errors.hpp"
#include "sotto/core/result.hpp"

namespace sotto::cli::rpc {

struct RpcNotification {
  std::string method;
  nlohmann::json params;  // null when the notification had none
};

class RpcClient {
 public:
  // Errors: bad_request (path too long for sockaddr_un, host not resolvable),
  // network_error (connect failed, e.g. no daemon listening).
  [[nodiscard]] static Result<RpcClient> connect_unix(const std::string& path);
  [[nodiscard]] static Result<RpcClient> connect_tcp(const std::string& host, std::uint16_t port);

  // A moved-from client may only be destroyed or assigned to.
  RpcClient(RpcClient&&) noexcept;
  RpcClient& operator=(RpcClient&&) noexcept;
  ~RpcClient();  // closes the connection

  // Sends a request with a fresh numeric id and waits for its response.
  // Notifications arriving meanwhile are kept for next_notification(); other
  // responses are discarded. The outer Result fails with timed_out, or
  // network_error when the connection broke or the answer was not JSON-RPC;
  // the inner one holds the server's answer (rpc::to_result() flattens it).
  [[nodiscard]] Result<RpcOutcome> call(std::string_view method, nlohmann::json params,
                                        std::chrono::milliseconds timeout);

  // Sends a notification (no id: the server answers nothing).
  [[nodiscard]] Status notify(std::string_view method, nlohmann::json params);

  // The oldest notification not yet returned, waiting up to `timeout`.
  // Errors: timed_out, network_error.
  [[nodiscard]] Result<RpcNotification> next_notification(std::chrono::milliseconds timeout);

  // Raw access for tests of the framing: send_line() appends the '\n';
  // next_message() returns the oldest message not yet consumed, of any kind
  // (response, batch array, notification). Errors: timed_out, network_error.
  [[nodiscard]] Status send_line(std::string_view line);
  [[nodiscard]] Result<nlohmann::json> next_message(std::chrono::milliseconds timeout);

  // True once the server closed the connection (seen by a read).
  bool closed() const;

 private:
  struct Impl;
  explicit RpcClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sotto::cli::rpc
