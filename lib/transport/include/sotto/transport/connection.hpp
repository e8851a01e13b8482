// SPDX-License-Identifier: Apache-2.0
// One accepted client: the server layer's handle on a WebSocket connection.
#pragma once

#include <any>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "sotto/core/result.hpp"
#include "sotto/transport/close_code.hpp"
#include "sotto/wire/frame.hpp"

namespace sotto::transport {

// A handle, not the socket: holding one after the connection closed keeps no
// socket or TLS state alive, and send() then fails. Handles stay safe to use
// after WebSocketServer::stop() (every call then fails or does nothing).
class Connection {
 public:
  virtual ~Connection() = default;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Queues `frame` for sending and returns at once; writes happen in order on
  // the connection's strand. Thread-safe. Errors:
  // - limit_exceeded: the encoded frame is over the frame size limit (nothing
  //   is sent), or the write queue is over its bound, in which case the
  //   connection is closed with 1008 "too slow": a peer that does not read
  //   must not make the server buffer without limit;
  // - network_error: the connection is closed or closing.
  virtual Status send(const wire::Frame& frame) = 0;

  // Starts the closing handshake; frames still queued are dropped. If the
  // peer does not complete it within the handshake timeout, the socket is
  // closed anyway. Thread-safe, idempotent.
  virtual void close(CloseCode code, std::string_view reason) = 0;

  // Unique for the server's lifetime; starts at 1.
  [[nodiscard]] virtual std::uint64_t id() const noexcept = 0;
  // "address:port" of the peer, e.g. "127.0.0.1:50312" or "[::1]:50312".
  [[nodiscard]] virtual const std::string& remote_endpoint() const noexcept = 0;

  // The server layer's per-connection state (e.g. the session after login).
  // Not synchronized: the transport calls a connection's handler callbacks
  // one at a time, so using it only from those callbacks is safe; any other
  // thread must bring its own synchronization.
  std::any& user_data() noexcept { return user_data_; }

 protected:
  Connection() = default;

 private:
  std::any user_data_;
};

using ConnectionPtr = std::shared_ptr<Connection>;

}  // namespace sotto::transport
