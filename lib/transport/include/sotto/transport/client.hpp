// SPDX-License-Identifier: Apache-2.0
// The client side: one WebSocket over TLS 1.3 to sottod, the server
// certificate trusted by its SHA-256 pin. A blocking API (connect, send,
// receive with a timeout) for the CLI; the socket work happens on an I/O
// thread, so pings are answered while the caller is busy elsewhere.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "sotto/core/bytes.hpp"
#include "sotto/core/result.hpp"
#include "sotto/transport/certificate.hpp"
#include "sotto/transport/close_code.hpp"
#include "sotto/wire/frame.hpp"

namespace sotto::transport {

// An I/O thread and a TLS context that many clients can share (a load
// generator opens thousands of connections from one process). Thread-safe.
class ClientLoop {
 public:
  // Starts the thread. Clients keep their loop alive; the thread is joined
  // when the last reference goes. internal if the TLS context cannot be made.
  static Result<std::shared_ptr<ClientLoop>> create();
  ~ClientLoop();
  ClientLoop(const ClientLoop&) = delete;
  ClientLoop& operator=(const ClientLoop&) = delete;

  struct Impl;

 private:
  friend class WebSocketClient;
  explicit ClientLoop(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

struct ClientOptions {
  std::string host = "127.0.0.1";  // name or address literal
  std::uint16_t port = 0;
  CertificatePin pin{};  // the server certificate's SHA-256 (see parse_pin)
  // Local address to bind before connecting (e.g. 127.0.0.7, so a load
  // generator is not limited to one address's ephemeral ports); empty: any.
  std::string bind_address;
  std::string target = "/";  // HTTP request target of the upgrade
  std::size_t max_frame_size = wire::kMaxFrameSize;
  // DNS, TCP, TLS and WebSocket handshakes together.
  std::chrono::milliseconds connect_timeout{10'000};
  // Received frames held for receive(); when full the client stops reading,
  // which pushes back on the server through TCP (and stops answering its
  // pings: a client that does not call receive() for longer than the
  // server's idle timeout is dropped).
  std::size_t inbox_limit = 1024;
  // Frames queued by send() and not yet written; over it send() fails.
  std::size_t max_queued_bytes = std::size_t{4} * 1024 * 1024;
};

class WebSocketClient {
 public:
  // Connects, checks the pin during the TLS handshake and upgrades to a
  // WebSocket. `loop` defaults to a new loop of its own. Errors:
  // tls_pin_mismatch (the server presented another certificate: the message
  // names both pins), network_error (resolve, connect, TLS 1.3 or WebSocket
  // handshake failed, or connect_timeout passed), bad_request (bad options).
  static Result<std::unique_ptr<WebSocketClient>> connect(
      const ClientOptions& options, std::shared_ptr<ClientLoop> loop = nullptr);
  ~WebSocketClient();  // closes with 1000 if still open (bounded wait)
  WebSocketClient(const WebSocketClient&) = delete;
  WebSocketClient& operator=(const WebSocketClient&) = delete;

  // Queues `frame` and returns at once; frames go out in order. Thread-safe.
  // limit_exceeded when the frame is too large or the queue is full,
  // network_error when the connection is closed.
  Status send(const wire::Frame& frame);

  // The next received Frame; std::nullopt when none arrived within
  // `timeout`. network_error once the connection is closed and every frame
  // received before has been returned (close_info() then says why).
  // Thread-safe, but meant for one reader.
  Result<std::optional<wire::Frame>> receive(std::chrono::milliseconds timeout);

  // Sends what is queued, then the closing handshake, and waits (at most
  // connect_timeout) for the socket to close. Idempotent.
  void close(CloseCode code = CloseCode::normal, std::string_view reason = {});

  [[nodiscard]] bool is_open() const;
  // The server's close code and reason, once it closed the connection.
  [[nodiscard]] std::optional<CloseInfo> close_info() const;

  // Test and diagnostics hook: sends `payload` as one WebSocket message as
  // is, binary or text, bypassing Frame encoding and the size check, so tests
  // can present the server with what a broken or hostile client would.
  Status send_raw_for_testing(ByteView payload, bool text);

  struct Impl;

 private:
  WebSocketClient(std::shared_ptr<ClientLoop> loop, std::shared_ptr<Impl> impl);
  std::shared_ptr<ClientLoop> loop_;  // outlives impl_'s use of its thread
  std::shared_ptr<Impl> impl_;
};

}  // namespace sotto::transport
