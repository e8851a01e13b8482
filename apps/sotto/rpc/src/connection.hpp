// SPDX-License-Identifier: Apache-2.0
// One client connection: reads newline-framed JSON-RPC, calls the methods and
// writes their answers and the server's notifications through a bounded queue.
// Every member runs on the I/O thread; other threads reach it through the
// Gate. Private to sotto_rpc.
#pragma once

#include <array>
#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstddef>
#include <deque>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "messages.hpp"
#include "server_core.hpp"

namespace sotto::cli::rpc::detail {

// Responses of one batch, sent as one array once every request with an id in
// it has been answered (spec §6).
struct BatchState {
  std::vector<nlohmann::json> responses;
  std::size_t pending = 0;
  bool sealed = false;  // every entry dispatched
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  using Socket = boost::asio::generic::stream_protocol::socket;

  // A `rejected` connection is answered kTooManyConnections and closed; it is
  // not registered, so on_disconnect never hears of it.
  Connection(ServerCore& core, Socket socket, ConnectionId id, bool rejected);

  void start();

  // Queues one serialized line. A server-initiated line (a notification) to a
  // connection whose queue is full closes it: the client stopped reading.
  void send(std::string line, bool server_initiated);

  // A Reply arrived (posted through the Gate).
  void complete(const std::optional<nlohmann::json>& id, const std::shared_ptr<BatchState>& batch,
                RpcOutcome outcome);

  // Closes the socket now and unregisters; idempotent.
  void close();

 private:
  void read_more();
  void on_read(const boost::system::error_code& ec, std::size_t n);
  void handle_line(std::string_view line);
  void dispatch(Request request, const std::shared_ptr<BatchState>& batch);
  void flush_batch(BatchState& batch);
  void write_more();
  void on_write(const boost::system::error_code& ec);
  // Closes once nothing more will be read or written.
  void finish_if_done();
  // Half-closes, then reads and discards for a moment before closing: closing
  // a TCP socket with unread input sends RST, which can destroy our last
  // (error) line before the client reads it.
  void linger_then_close();
  void discard_input();
  bool reading_paused() const;

  ServerCore& core_;
  Socket socket_;
  const ConnectionId id_;
  const bool rejected_;

  boost::asio::steady_timer linger_timer_;
  std::array<char, 4096> discard_buffer_{};
  std::string read_buffer_;
  std::deque<std::string> queue_;
  std::size_t in_flight_ = 0;
  bool reading_ = false;
  bool writing_ = false;
  bool read_done_ = false;      // EOF, or nothing more will be read
  bool close_after_flush_ = false;  // an oversized line or a refusal: close once written
  bool lingering_ = false;
  bool closed_ = false;
};

}  // namespace sotto::cli::rpc::detail
