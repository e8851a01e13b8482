// SPDX-License-Identifier: Apache-2.0
// A callback-driven plain TCP client for the peer protocols (XMPP, MQTT),
// on the same io_context as the WebSocket clients (ws_connection.hpp says
// why callbacks and one thread).
//
// Reads wait for readability and then drain the socket into one buffer
// shared by every connection of the thread, so 10 000 idle connections hold
// no read buffer each; the listener keeps whatever part of a frame it needs.
// Writes made in one loop turn are coalesced into one send.
//
// Not thread-safe: every call must be made on the io_context's thread.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "sotto/core/bytes.hpp"

namespace boost::asio {
class io_context;
}

namespace sotto::bench {

struct WsTarget;

class TcpListener {
 public:
  virtual ~TcpListener() = default;
  // TCP connected (error empty) or not (why).
  virtual void on_connected(const std::string& error) = 0;
  // Bytes read; the view is valid during the call only.
  virtual void on_data(ByteView data) = 0;
  // The connection is over after having been connected.
  virtual void on_closed(const std::string& why) = 0;
};

class TcpConnection {
 public:
  // `target.pin` is ignored. `listener` must outlive every callback (see
  // WsConnection::create).
  static std::unique_ptr<TcpConnection> create(boost::asio::io_context& io, const WsTarget& target,
                                               TcpListener& listener);
  ~TcpConnection();
  TcpConnection(const TcpConnection&) = delete;
  TcpConnection& operator=(const TcpConnection&) = delete;

  void start();
  // Queues bytes; dropped once the connection is closing or closed.
  void send(std::string_view bytes);
  [[nodiscard]] std::size_t queued_bytes() const;
  // Shuts down the sending side after what is queued and reads on until the
  // server closes; on_closed follows.
  void close();
  [[nodiscard]] bool is_open() const;

  struct Impl;

 private:
  explicit TcpConnection(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace sotto::bench
