// SPDX-License-Identifier: Apache-2.0
// A callback-driven TLS 1.3 WebSocket client for the load generator.
//
// Why not transport::WebSocketClient: its API is blocking (a receive queue
// per client, waited on with a condition variable, and a cross-thread post for
// every send), so driving 10 000 connections would need a reader thread per
// connection or a poll over all of them. Here everything runs on the one
// thread of one io_context: a received message is handed to its listener
// where it was read, and the listener may send from there without a post or
// a lock. It speaks the same wire as the real client (TLS 1.3 only, the
// server pinned by the SHA-256 of its certificate, binary frames).
//
// Not thread-safe: every call must be made on the io_context's thread.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>

#include "sotto/core/bytes.hpp"
#include "sotto/transport/certificate.hpp"

namespace boost::asio {
class io_context;
}

namespace sotto::bench {

// Receives a connection's events, on the io_context's thread.
class WsListener {
 public:
  virtual ~WsListener() = default;
  // The handshakes finished (error empty) or failed (why).
  virtual void on_connected(const std::string& error) = 0;
  // One binary WebSocket message; the view is valid during the call only.
  virtual void on_message(ByteView message) = 0;
  // The connection is over after having been connected; `why` says how.
  virtual void on_closed(const std::string& why) = 0;
};

// The TLS settings every connection of a process shares.
class TlsClientContext {
 public:
  TlsClientContext();
  ~TlsClientContext();
  TlsClientContext(const TlsClientContext&) = delete;
  TlsClientContext& operator=(const TlsClientContext&) = delete;

  struct Impl;
  Impl& impl() { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

struct WsTarget {
  std::string host = "127.0.0.1";  // an IPv4 literal
  std::uint16_t port = 0;
  transport::CertificatePin pin{};
  std::string bind_address;  // local IPv4 address to connect from; empty: any
};

class WsConnection {
 public:
  // `listener` must outlive every callback, i.e. until the io_context has
  // stopped running this connection's handlers. The handle may go before:
  // the socket work keeps its own state alive and is cut.
  static std::unique_ptr<WsConnection> create(boost::asio::io_context& io, TlsClientContext& tls,
                                              const WsTarget& target, WsListener& listener);
  ~WsConnection();
  WsConnection(const WsConnection&) = delete;
  WsConnection& operator=(const WsConnection&) = delete;

  // TCP connect, TLS handshake with the pin check, WebSocket upgrade; then
  // reads until the connection ends. Reports through the listener.
  void start();
  // Queues one binary message; messages go out in order. Dropped silently
  // once the connection is closing or closed.
  void send(Bytes message);
  // Bytes queued and not yet written (back-pressure for the caller).
  [[nodiscard]] std::size_t queued_bytes() const;
  // Closing handshake after what is queued; on_closed follows.
  void close();
  [[nodiscard]] bool is_open() const;

  struct Impl;

 private:
  explicit WsConnection(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace sotto::bench
