// SPDX-License-Identifier: Apache-2.0
// One connection to sottod as the client sees it: requests with answers,
// and the server's own requests (pushes such as message.deliver) queued for
// the caller. Blocking and single-threaded: the owner calls call() and
// next_push() from one thread; the transport answers pings meanwhile.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>

#include "sotto/client/store.hpp"
#include "sotto/core/bytes.hpp"
#include "sotto/core/result.hpp"
#include "sotto/crypto/ed25519.hpp"
#include "sotto/transport/client.hpp"
#include "sotto/wire/frame.hpp"

namespace sotto::client {

struct ServerEndpoint {
  std::string host;
  std::uint16_t port = 0;
  Pin pin{};
};

// "HOST:PORT" or "[IPV6]:PORT". bad_request with a clear message otherwise.
Result<ServerEndpoint> parse_endpoint(std::string_view host_port, std::string_view pin_hex);

class ServerLink {
 public:
  // TLS 1.3 + WebSocket to `endpoint`, the certificate checked against its
  // pin (tls_pin_mismatch names both pins). Not logged in yet.
  static Result<std::unique_ptr<ServerLink>> connect(const ServerEndpoint& endpoint,
                                                     std::chrono::milliseconds timeout);
  ~ServerLink();
  ServerLink(const ServerLink&) = delete;
  ServerLink& operator=(const ServerLink&) = delete;

  // Answers the server's auth.challenge with a signature by the device key.
  // unauthenticated when the server refuses the login.
  Status login(const AccountId& account, std::uint32_t device_id,
               const crypto::Ed25519Seed& device_key);

  // Sends a request and waits for its answer. Any status is returned as a
  // Response (the caller interprets 4xx/5xx); network_error when the
  // connection ends, timeout when no answer came in time. Server requests
  // arriving meanwhile are kept for next_push().
  Result<wire::Response> call(std::string_view op, Bytes body,
                              std::chrono::milliseconds timeout = std::chrono::seconds(20));

  // The next server request, queued or arriving within `timeout`;
  // std::nullopt when none came.
  Result<std::optional<wire::Request>> next_push(std::chrono::milliseconds timeout);

  // Answers a server request (200 acknowledges a message.deliver).
  Status answer(std::uint64_t request_id, std::uint32_t status);

  void close();
  [[nodiscard]] bool is_open() const;

 private:
  explicit ServerLink(std::unique_ptr<transport::WebSocketClient> socket, Pin pin);
  // Reads one frame: responses are returned, requests queued.
  Result<std::optional<wire::Response>> read_one(std::chrono::milliseconds timeout);

  std::unique_ptr<transport::WebSocketClient> socket_;
  Pin pin_;
  std::uint64_t next_id_ = 1;
  std::deque<wire::Request> pushes_;
};

}  // namespace sotto::client
