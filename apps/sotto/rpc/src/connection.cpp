// SPDX-License-Identifier: Apache-2.0
#include "connection.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <boost/asio/buffer.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <exception>
#include <utility>

namespace sotto::cli::rpc::detail {
namespace asio = boost::asio;

namespace {

// How long a connection we refuse waits for the client to close its side.
constexpr auto kLinger = std::chrono::seconds(1);

// Shared by every copy of one request's Reply: answers at most once, and
// answers kInternalError when the last copy is dropped unanswered.
class PendingCall {
 public:
  PendingCall(std::shared_ptr<Gate> gate, std::weak_ptr<Connection> connection,
              std::optional<nlohmann::json> id, std::shared_ptr<BatchState> batch)
      : gate_(std::move(gate)),
        connection_(std::move(connection)),
        id_(std::move(id)),
        batch_(std::move(batch)) {}

  ~PendingCall() {
    if (!done_.load()) deliver(tl::unexpected(internal_error("the method dropped the request")));
  }

  PendingCall(const PendingCall&) = delete;
  PendingCall& operator=(const PendingCall&) = delete;

  // Any thread. The connection is only locked on the I/O thread, so its last
  // owner is never a worker thread.
  void deliver(RpcOutcome outcome) {
    if (done_.exchange(true)) return;
    gate_->post([connection = connection_, id = id_, batch = batch_,
                 outcome = std::move(outcome)]() mutable {
      if (auto c = connection.lock()) c->complete(id, batch, std::move(outcome));
    });
  }

 private:
  std::shared_ptr<Gate> gate_;
  std::weak_ptr<Connection> connection_;
  std::optional<nlohmann::json> id_;
  std::shared_ptr<BatchState> batch_;
  std::atomic<bool> done_{false};
};

}  // namespace

Connection::Connection(ServerCore& core, Socket socket, ConnectionId id, bool rejected)
    : core_(core),
      socket_(std::move(socket)),
      id_(id),
      rejected_(rejected),
      linger_timer_(socket_.get_executor()) {}

void Connection::start() {
  if (rejected_) {
    read_done_ = true;
    close_after_flush_ = true;
    send(serialize(error_response(nullptr, RpcError{kTooManyConnections, "too many connections",
                                                    nullptr})),
         false);
    return;
  }
  read_more();
}

bool Connection::reading_paused() const {
  // Backpressure: a client that floods requests, or does not read its
  // answers, waits instead of growing our memory.
  return in_flight_ >= core_.options.max_in_flight ||
         queue_.size() >= std::max<std::size_t>(1, core_.options.max_queued_messages / 2);
}

void Connection::read_more() {
  if (reading_ || read_done_ || closed_ || reading_paused()) return;
  reading_ = true;
  // One byte more than the longest line, for its '\n'; a full buffer without
  // one ends the read with not_found.
  asio::async_read_until(
      socket_, asio::dynamic_buffer(read_buffer_, core_.options.max_line_bytes + 1), '\n',
      [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
        self->on_read(ec, n);
      });
}

void Connection::on_read(const boost::system::error_code& ec, std::size_t n) {
  reading_ = false;
  if (closed_) return;
  if (!ec) {
    // Take every complete line already buffered, then drop them with one
    // erase: erasing line by line would move the rest of a 64 KiB read once
    // per tiny request.
    std::size_t start = 0;
    std::size_t end = n;  // [start, end) is one line with its '\n'
    for (;;) {
      handle_line(std::string_view(read_buffer_).substr(start, end - start - 1));
      start = end;
      if (closed_ || reading_paused()) break;
      auto newline = read_buffer_.find('\n', start);
      if (newline == std::string::npos) break;
      end = newline + 1;
    }
    read_buffer_.erase(0, start);
    read_more();
    return;
  }
  if (ec == asio::error::not_found) {
    // We cannot tell where the next message starts, so the stream is lost.
    read_done_ = true;
    close_after_flush_ = true;
    read_buffer_.clear();
    send(serialize(error_response(
             nullptr, RpcError{kLineTooLong,
                               "line longer than " + std::to_string(core_.options.max_line_bytes) +
                                   " bytes",
                               nullptr})),
         false);
    return;
  }
  if (ec == asio::error::eof) {
    // A last line without '\n' still counts (printf '...' | nc -U works).
    read_done_ = true;
    std::string rest = std::move(read_buffer_);
    read_buffer_.clear();
    handle_line(rest);
    finish_if_done();
    return;
  }
  close();
}

void Connection::handle_line(std::string_view line) {
  Incoming in = classify_line(line, core_.options.max_batch);
  if (in.whole_line_error) {
    send(serialize(*in.whole_line_error), false);
    return;
  }
  if (in.entries.empty()) return;
  std::shared_ptr<BatchState> batch;
  if (in.batch) batch = std::make_shared<BatchState>();
  for (auto& entry : in.entries) {
    if (!entry) {
      if (batch) {
        batch->responses.push_back(std::move(entry.error()));
      } else {
        send(serialize(entry.error()), false);
      }
      continue;
    }
    dispatch(std::move(*entry), batch);
  }
  if (batch) {
    batch->sealed = true;
    flush_batch(*batch);
  }
}

void Connection::dispatch(Request request, const std::shared_ptr<BatchState>& batch) {
  ++in_flight_;
  if (batch && request.id) ++batch->pending;
  auto call = std::make_shared<PendingCall>(core_.gate, weak_from_this(), request.id, batch);
  Reply reply = [call](RpcOutcome outcome) { call->deliver(std::move(outcome)); };
  auto method = core_.methods.find(request.method);
  if (method == core_.methods.end()) {
    reply(tl::unexpected(RpcError{kMethodNotFound, "Method not found", nullptr}));
    return;
  }
  // The handler is the boundary where exceptions stop (they would otherwise
  // unwind through Asio and kill the I/O thread's run loop).
  try {
    method->second(request.params, id_, reply);
  } catch (const nlohmann::json::exception& e) {
    reply(tl::unexpected(invalid_params(std::string("Invalid params: ") + e.what())));
  } catch (const std::exception& e) {
    reply(tl::unexpected(internal_error(std::string("Internal error: ") + e.what())));
  }
}

void Connection::complete(const std::optional<nlohmann::json>& id,
                          const std::shared_ptr<BatchState>& batch, RpcOutcome outcome) {
  if (closed_) return;
  --in_flight_;
  if (id) {
    nlohmann::json response = outcome ? result_response(*id, std::move(*outcome))
                                      : error_response(*id, outcome.error());
    if (batch) {
      batch->responses.push_back(std::move(response));
      --batch->pending;
      flush_batch(*batch);
    } else {
      send(serialize(response), false);
    }
  }
  read_more();
  finish_if_done();
}

void Connection::flush_batch(BatchState& batch) {
  if (!batch.sealed || batch.pending != 0) return;
  // A batch of notifications only gets nothing back (spec §6).
  if (!batch.responses.empty()) {
    send(serialize(nlohmann::json(std::move(batch.responses))), false);
    batch.responses.clear();
  }
}

void Connection::send(std::string line, bool server_initiated) {
  if (closed_) return;
  if (server_initiated && queue_.size() >= core_.options.max_queued_messages) {
    close();
    return;
  }
  queue_.push_back(std::move(line));
  write_more();
}

void Connection::write_more() {
  if (writing_ || queue_.empty() || closed_) return;
  writing_ = true;
  asio::async_write(socket_, asio::buffer(queue_.front()),
                    [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
                      self->on_write(ec);
                    });
}

void Connection::on_write(const boost::system::error_code& ec) {
  writing_ = false;
  if (closed_) return;
  if (ec) {
    close();
    return;
  }
  queue_.pop_front();
  write_more();
  read_more();
  finish_if_done();
}

void Connection::finish_if_done() {
  if (closed_ || lingering_ || writing_ || !queue_.empty()) return;
  if (close_after_flush_) {
    linger_then_close();
  } else if (read_done_ && in_flight_ == 0) {
    close();
  }
}

void Connection::linger_then_close() {
  lingering_ = true;
  boost::system::error_code ignored;
  socket_.shutdown(Socket::shutdown_send, ignored);
  linger_timer_.expires_after(kLinger);
  linger_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (!ec) self->close();
  });
  discard_input();
}

void Connection::discard_input() {
  socket_.async_read_some(asio::buffer(discard_buffer_),
                          [self = shared_from_this()](const boost::system::error_code& ec,
                                                      std::size_t) {
                            if (self->closed_) return;
                            if (ec) {
                              self->close();  // EOF: the client has read our line and gone
                            } else {
                              self->discard_input();
                            }
                          });
}

void Connection::close() {
  if (closed_) return;
  closed_ = true;
  auto self = shared_from_this();  // unregister() drops the core's reference
  boost::system::error_code ignored;
  socket_.shutdown(Socket::shutdown_both, ignored);
  socket_.close(ignored);
  linger_timer_.cancel();
  queue_.clear();
  if (!rejected_) core_.unregister(id_);
}

}  // namespace sotto::cli::rpc::detail
