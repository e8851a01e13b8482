// SPDX-License-Identifier: Apache-2.0
// The WebSocket-over-TLS-1.3 listener: one event loop (io_context) per I/O
// thread, accepted sockets handed out round-robin, binary Frames only.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "sotto/core/result.hpp"
#include "sotto/transport/certificate.hpp"
#include "sotto/transport/connection.hpp"
#include "sotto/wire/frame.hpp"

namespace sotto::transport {

// Implemented by the server layer. Callbacks run on the connection's I/O
// thread, one at a time per connection (callbacks of different connections
// run concurrently); they must not block, or every connection on that thread
// stalls. An exception thrown by a callback closes that connection with 1011.
class ServerHandler {
 public:
  virtual ~ServerHandler() = default;
  // After the TLS and WebSocket handshakes.
  virtual void on_open(const ConnectionPtr& connection) = 0;
  // A well-formed Frame. Malformed input never arrives here: an undecodable
  // binary message closes the connection with 1007, a text message with
  // 1003, an oversized one with 1009.
  virtual void on_frame(const ConnectionPtr& connection, wire::Frame frame) = 0;
  // Exactly once for every connection that saw on_open, when it is gone.
  virtual void on_close(const ConnectionPtr& connection) = 0;
};

struct ServerOptions {
  std::string address = "127.0.0.1";  // IPv4 or IPv6 literal; "0.0.0.0" / "::" for all
  std::uint16_t port = 0;             // 0: an ephemeral port, see WebSocketServer::port()
  unsigned io_threads = 0;            // 0: std::thread::hardware_concurrency()
  std::size_t max_connections = 100'000;
  // Open connections per source address (IPv4 address, or IPv6 /64, since
  // one host usually holds a whole /64), counted from accept to close,
  // handshakes included. Over it an accepted socket is closed at once, before
  // any TLS work. 0: no cap.
  std::size_t max_connections_per_ip = 512;
  std::size_t max_frame_size = wire::kMaxFrameSize;
  // TLS + WebSocket opening handshake, and the closing handshake.
  std::chrono::milliseconds handshake_timeout{10'000};
  // A connection that sends nothing for this long is pinged at half time and
  // dropped at full time (Beast's keep-alive pings).
  std::chrono::milliseconds idle_timeout{120'000};
  // Write queue bound per connection (frames queued by send() not yet handed
  // to the socket); over either bound the connection is closed with 1008.
  std::size_t max_queued_bytes = std::size_t{4} * 1024 * 1024;
  std::size_t max_queued_frames = 4096;
  // How long stop() lets connections finish their closing handshake before
  // cutting the sockets.
  std::chrono::milliseconds stop_grace{1'000};
};

class WebSocketServer {
 public:
  // Binds, listens and starts the I/O threads. `handler` must outlive the
  // server. Errors: bad_request (options make no sense, e.g. an invalid
  // address), invalid_certificate (identity unusable), network_error (the
  // address cannot be bound).
  static Result<std::unique_ptr<WebSocketServer>> start(const ServerOptions& options,
                                                        const ServerIdentity& identity,
                                                        ServerHandler& handler);
  ~WebSocketServer();  // stop()
  WebSocketServer(const WebSocketServer&) = delete;
  WebSocketServer& operator=(const WebSocketServer&) = delete;

  // The bound port (the ephemeral one when options.port was 0).
  [[nodiscard]] std::uint16_t port() const noexcept;
  // Sockets currently held, including those still in a handshake.
  [[nodiscard]] std::size_t connection_count() const noexcept;

  // Stops accepting, closes every connection with 1001 (cutting those that do
  // not finish within stop_grace), waits for on_close of each, then joins the
  // I/O threads. Idempotent. Must not be called from a handler callback.
  void stop();

 private:
  struct Impl;
  explicit WebSocketServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sotto::transport
