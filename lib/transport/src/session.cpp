// SPDX-License-Identifier: Apache-2.0
// One server-side connection: TLS 1.3 handshake, WebSocket upgrade, a read
// loop that turns binary messages into Frames, and a bounded write queue.
// Everything but send()/close() entry points runs on the connection's strand.
#include "session.hpp"

#include <algorithm>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <exception>
#include <string>
#include <utility>
#include <vector>

#include "sotto/transport/tls_stream.hpp"

namespace sotto::transport::detail {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

namespace {

std::string format_endpoint(const tcp::endpoint& endpoint) {
  const auto address = endpoint.address();
  std::string host = address.to_string();
  if (address.is_v6()) host = "[" + host + "]";
  return host + ":" + std::to_string(endpoint.port());
}

}  // namespace

// The handle given to the server layer: it does not own the session, so a
// handle kept after close holds no socket, TLS state or buffers.
class ConnectionHandle final : public Connection {
 public:
  ConnectionHandle(std::weak_ptr<Session> session, std::uint64_t id, std::string remote)
      : session_(std::move(session)), id_(id), remote_(std::move(remote)) {}

  Status send(const wire::Frame& frame) override;
  void close(CloseCode code, std::string_view reason) override;
  [[nodiscard]] std::uint64_t id() const noexcept override { return id_; }
  [[nodiscard]] const std::string& remote_endpoint() const noexcept override { return remote_; }

 private:
  std::weak_ptr<Session> session_;
  std::uint64_t id_;
  std::string remote_;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, SessionShared& shared, std::uint64_t id, std::string source)
      : shared_(shared),
        id_(id),
        source_(std::move(source)),
        executor_(socket.get_executor()),
        ws_(std::move(socket), shared.tls),
        deadline_(executor_) {}

  ~Session() {
    std::lock_guard lock(shared_.mutex);
    shared_.live.erase(id_);
    if (auto it = shared_.per_source.find(source_); it != shared_.per_source.end()) {
      if (--it->second == 0) shared_.per_source.erase(it);
    }
    shared_.drained.notify_all();
  }

  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void start(std::string remote) {
    handle_ = std::make_shared<ConnectionHandle>(weak_from_this(), id_, std::move(remote));
    beast::error_code ec;
    beast::get_lowest_layer(ws_).set_option(tcp::no_delay(true), ec);
    arm_deadline(shared_.options.handshake_timeout);
    ws_.next_layer().async_handshake(
        TlsStream::server,
        [self = shared_from_this()](beast::error_code e) { self->on_tls_handshake(e); });
  }

  // Any thread.
  Status send(const wire::Frame& frame) {
    Bytes bytes = wire::encode_frame(frame);
    const auto& options = shared_.options;
    if (bytes.size() > options.max_frame_size) {
      return fail(Errc::limit_exceeded, "frame of " + std::to_string(bytes.size()) +
                                            " bytes is over the frame size limit");
    }
    if (closing_.load(std::memory_order_acquire)) {
      return fail(Errc::network_error, "connection closed");
    }
    const std::size_t size = bytes.size();
    const std::size_t queued_bytes = queued_bytes_.fetch_add(size) + size;
    const std::size_t queued_frames = queued_frames_.fetch_add(1) + 1;
    if (queued_bytes > options.max_queued_bytes || queued_frames > options.max_queued_frames) {
      queued_bytes_.fetch_sub(size);
      queued_frames_.fetch_sub(1);
      // Back-pressure: a peer that does not read what we send gets dropped,
      // rather than growing this queue until the server runs out of memory.
      close(CloseCode::policy_violation, "too slow");
      return fail(Errc::limit_exceeded, "write queue full (peer too slow); closing");
    }
    net::dispatch(executor_, [self = shared_from_this(), b = std::move(bytes)]() mutable {
      self->enqueue(std::move(b));
    });
    return ok();
  }

  // Any thread.
  void close(CloseCode code, std::string_view reason) {
    if (closing_.exchange(true)) return;
    net::dispatch(executor_, [self = shared_from_this(), code, r = std::string(reason)] {
      self->start_close(code, r);
    });
  }

  // Any thread.
  void cut_from_anywhere() {
    closing_.store(true);
    net::dispatch(executor_, [self = shared_from_this()] { self->cut(); });
  }

 private:
  void arm_deadline(std::chrono::milliseconds timeout) {
    deadline_.expires_after(timeout);
    deadline_.async_wait(
        [self = shared_from_this(), armed = ++deadline_generation_](beast::error_code ec) {
          // The generation check catches an expiry whose handler was already
          // queued when the deadline was disarmed (cancel() cannot recall it).
          if (!ec && armed == self->deadline_generation_) self->cut();
        });
  }

  void disarm_deadline() {
    ++deadline_generation_;
    deadline_.cancel();
  }

  void on_tls_handshake(beast::error_code ec) {
    if (ec || closing_.load()) return cut();
    const auto& options = shared_.options;
    websocket::stream_base::timeout timeouts{options.handshake_timeout,
                                             websocket::stream_base::none(), true};
    if (options.idle_timeout.count() > 0) timeouts.idle_timeout = options.idle_timeout;
    ws_.set_option(timeouts);
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(beast::http::field::server, "sottod"); }));
    ws_.read_message_max(options.max_frame_size);
    ws_.binary(true);
    // One frame per message: nothing to gain from splitting ours.
    ws_.auto_fragment(false);
    ws_.async_accept([self = shared_from_this()](beast::error_code e) { self->on_accept(e); });
  }

  void on_accept(beast::error_code ec) {
    disarm_deadline();
    if (ec || closing_.load()) return cut();
    opened_ = true;
    guarded([&] { shared_.handler.on_open(handle_); });
    do_read();
  }

  // A message is read in two steps so that an idle connection holds no read
  // buffer: Beast's async_read sizes its buffer (1.5 KB) before waiting,
  // whereas read_some waits for a frame header in Beast's own buffer first.
  // So the wait is a read_some of the message's first byte, and only then
  // does async_read bring in the rest.
  void do_read() {
    ws_.async_read_some(net::buffer(&first_byte_, 1),
                        [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                          self->on_first_byte(ec, n);
                        });
  }

  void on_first_byte(beast::error_code ec, std::size_t n) {
    if (ec) return finish();
    if (n != 0) {
      read_buffer_.commit(net::buffer_copy(read_buffer_.prepare(n), net::buffer(&first_byte_, n)));
    }
    if (ws_.is_message_done()) return on_read({});
    ws_.async_read(read_buffer_, [self = shared_from_this()](beast::error_code e, std::size_t) {
      self->on_read(e);
    });
  }

  void on_read(beast::error_code ec) {
    if (ec) return finish();
    // Once closing, keep reading only so Beast can complete the closing
    // handshake; what arrives meanwhile is dropped.
    if (!closing_.load()) {
      if (!ws_.got_binary()) {
        close(CloseCode::unsupported_data, "binary frames only");
      } else {
        const auto data = read_buffer_.cdata();
        auto frame =
            wire::parse_frame(ByteView(static_cast<const std::uint8_t*>(data.data()), data.size()));
        if (!frame) {
          close(CloseCode::invalid_payload, "undecodable frame");
        } else {
          release_read_buffer();
          guarded([&] { shared_.handler.on_frame(handle_, std::move(*frame)); });
        }
      }
    }
    release_read_buffer();
    do_read();
  }

  // After every message, so an idle connection holds no read buffer: a
  // malloc per message costs far less than the TLS record it came in, while
  // a kept buffer per idle connection adds up over thousands of them.
  void release_read_buffer() {
    read_buffer_.clear();
    read_buffer_.shrink_to_fit();
  }

  void enqueue(Bytes bytes) {
    if (closing_.load()) return forget(bytes.size());
    queue_.push_back(std::move(bytes));
    if (!writing_) write_front();
  }

  void write_front() {
    writing_ = true;
    ws_.async_write(
        net::buffer(queue_.front()),
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_write(ec); });
  }

  void on_write(beast::error_code ec) {
    writing_ = false;
    forget(queue_.front().size());
    queue_.erase(queue_.begin());
    if (ec) {
      drop_queue();
      return cut();  // the read loop notices and finishes
    }
    if (closing_.load()) return drop_queue();
    if (!queue_.empty()) write_front();
  }

  void forget(std::size_t bytes) {
    queued_bytes_.fetch_sub(bytes);
    queued_frames_.fetch_sub(1);
  }

  // Drops queued frames; the one being written (if any) stays until its
  // write completes, since Beast still reads from it.
  void drop_queue() {
    const std::size_t keep = writing_ ? 1 : 0;
    while (queue_.size() > keep) {
      forget(queue_.back().size());
      queue_.pop_back();
    }
    if (queue_.empty()) queue_.shrink_to_fit();
  }

  void start_close(CloseCode code, const std::string& reason) {
    drop_queue();
    if (!opened_ || finished_) return cut();
    // The peer has handshake_timeout to answer our close frame; a peer whose
    // receive window is full never will (our frame waits behind the stuck
    // write), so the deadline cuts the socket.
    arm_deadline(shared_.options.handshake_timeout);
    ws_.async_close(websocket::close_reason(static_cast<websocket::close_code>(code), reason),
                    [self = shared_from_this()](beast::error_code) {});
  }

  void cut() {
    beast::error_code ec;
    disarm_deadline();
    beast::get_lowest_layer(ws_).close(ec);
  }

  // The read loop ended: the connection is over.
  void finish() {
    if (finished_) return;
    finished_ = true;
    closing_.store(true);
    drop_queue();
    cut();
    if (opened_) guarded([&] { shared_.handler.on_close(handle_); });
  }

  // The handler boundary: a throwing callback costs its connection, not the
  // I/O thread (and with it every connection on that thread).
  template <class F>
  void guarded(F&& callback) {
    try {
      callback();
    } catch (...) {
      if (!finished_) close(CloseCode::internal_error, "internal error");
    }
  }

  SessionShared& shared_;
  const std::uint64_t id_;
  const std::string source_;  // source_key() of the peer
  // The strand every operation of this connection runs on; a copy, so other
  // threads can post to it without touching the stream.
  const net::any_io_executor executor_;
  websocket::stream<TlsStream> ws_;
  // Bounds the TLS handshake (Beast's own timer covers only the WebSocket
  // part) and the closing handshake.
  net::steady_timer deadline_;
  std::uint32_t deadline_generation_ = 0;  // strand only
  beast::flat_buffer read_buffer_;         // empty between messages
  std::uint8_t first_byte_ = 0;            // see do_read()
  std::shared_ptr<ConnectionHandle> handle_;

  // Strand only.
  std::vector<Bytes> queue_;  // front() is being written when writing_
  bool writing_ = false;
  bool opened_ = false;
  bool finished_ = false;

  // Any thread.
  std::atomic<bool> closing_{false};
  std::atomic<std::size_t> queued_bytes_{0};
  std::atomic<std::size_t> queued_frames_{0};
};

Status ConnectionHandle::send(const wire::Frame& frame) {
  if (auto session = session_.lock()) return session->send(frame);
  return fail(Errc::network_error, "connection closed");
}

void ConnectionHandle::close(CloseCode code, std::string_view reason) {
  if (auto session = session_.lock()) session->close(code, reason);
}

std::string source_key(const net::ip::address& address) {
  if (address.is_v4()) return address.to_string();
  const auto v6 = address.to_v6();
  if (v6.is_v4_mapped()) return net::ip::make_address_v4(net::ip::v4_mapped, v6).to_string();
  auto bytes = v6.to_bytes();
  std::fill(bytes.begin() + 8, bytes.end(), 0);  // keep the /64
  return net::ip::address_v6(bytes).to_string() + "/64";
}

void start_session(tcp::socket socket, SessionShared& shared) {
  beast::error_code ec;
  const auto remote = socket.remote_endpoint(ec);
  if (ec) return;  // already gone
  std::string source = source_key(remote.address());
  std::shared_ptr<Session> session;
  {
    std::lock_guard lock(shared.mutex);
    const auto& options = shared.options;
    const auto same_source = shared.per_source.find(source);
    const bool source_full = options.max_connections_per_ip != 0 &&
                             same_source != shared.per_source.end() &&
                             same_source->second >= options.max_connections_per_ip;
    if (shared.stopping || shared.live.size() >= options.max_connections || source_full) {
      // Refused before any TLS work: a flood from one address costs an
      // accept and a close each.
      socket.close(ec);
      return;
    }
    ++shared.per_source[source];
    const std::uint64_t id = shared.next_id++;
    session = std::make_shared<Session>(std::move(socket), shared, id, std::move(source));
    shared.live.emplace(id, session);
  }
  session->start(format_endpoint(remote));
}

void close_session(const std::shared_ptr<Session>& session, bool hard) {
  if (hard) {
    session->cut_from_anywhere();
  } else {
    session->close(CloseCode::going_away, "server stopping");
  }
}

}  // namespace sotto::transport::detail
