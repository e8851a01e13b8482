// SPDX-License-Identifier: Apache-2.0
// One server-side connection. OpenSSL runs the TLS 1.3 handshake and is then
// freed: from there on our record layer (tls13_record) and WebSocket codec
// (ws_codec) carry the connection, on the socket directly. So an idle
// connection holds its keys, its socket and a timer, and no buffers; and
// every frame queued for a connection since its last write leaves in one
// TLS record and one send(). docs/transport.md tells the whole story.
//
// Everything but the send()/close() entry points runs on the connection's
// I/O thread (its io_context is run by that one thread only).
#include "session.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <exception>
#include <string>
#include <utility>
#include <vector>

#include "sotto/transport/edge_poller.hpp"
#include "sotto/transport/socket_io.hpp"
#include "sotto/transport/tls13_handover.hpp"
#include "sotto/transport/tls13_record.hpp"
#include "sotto/transport/tls_stream.hpp"
#include "sotto/transport/ws_codec.hpp"

namespace sotto::transport::detail {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;
using Clock = std::chrono::steady_clock;

namespace {

std::string format_endpoint(const tcp::endpoint& endpoint) {
  const auto address = endpoint.address();
  std::string host = address.to_string();
  if (address.is_v6()) host = "[" + host + "]";
  return host + ":" + std::to_string(endpoint.port());
}

// What one read takes from the socket at most; a connection that keeps
// sending is served kReadRounds reads at a time, then the others get a turn.
constexpr std::size_t kReadChunk = 64 * 1024;
constexpr int kReadRounds = 8;

// Buffers of the I/O thread, lent to one connection at a time for one read
// or one write: a connection keeps only the leftovers of an incomplete
// record or frame.
struct ThreadBuffers {
  // Records as received: the previous read's unfinished record, then what
  // recv() brings. Not a vector: resizing one would zero 64 KiB per read.
  std::unique_ptr<std::uint8_t[]> cipher_in{new std::uint8_t[tls13::kMaxRecord + kReadChunk]};
  Bytes plain_in;   // their plaintext, after the previous read's leftover
  Bytes plain_out;  // frames to send, before sealing
  Bytes cipher_out;
};

ThreadBuffers& thread_buffers() {
  thread_local ThreadBuffers buffers;
  return buffers;
}

// Frees the buffer's memory, not just its contents.
void release(Bytes& bytes) { Bytes().swap(bytes); }

}  // namespace

// The handle given to the server layer: it does not own the session, so a
// handle kept after close holds no socket, keys or buffers.
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

class Session : public std::enable_shared_from_this<Session>,
                private WsEvents,
                private ReadinessListener {
 public:
  Session(tcp::socket&& socket, SessionShared& shared, std::uint64_t id, std::string source)
      : shared_(shared),
        id_(id),
        source_(std::move(source)),
        executor_(socket.get_executor()),
        handshake_(std::make_unique<Handshake>(std::move(socket), shared.tls)),
        timer_(executor_),
        reader_(shared.options.max_frame_size) {}

  ~Session() override {
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
    error_code ec;
    handshake_->tls.next_layer().set_option(tcp::no_delay(true), ec);
    SSL* ssl = handshake_->tls.native_handle();
    if (ssl == nullptr || !attach_capture(ssl, &handshake_->secrets)) return cut();
    // OpenSSL must read nothing past the client's Finished: those bytes are
    // records for our layer (tls13_handover.hpp).
    SSL_set_read_ahead(ssl, 0);
    arm_timer(shared_.options.handshake_timeout);
    handshake_->tls.async_handshake(TlsStream::server, [self = shared_from_this()](error_code e) {
      self->on_tls_handshake(e);
    });
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
    if (queued_bytes + unsent_bytes_.load(std::memory_order_relaxed) > options.max_queued_bytes ||
        queued_frames > options.max_queued_frames) {
      queued_bytes_.fetch_sub(size);
      queued_frames_.fetch_sub(1);
      // Back-pressure: a peer that does not read what we send gets dropped,
      // rather than growing this queue until the server runs out of memory.
      close(CloseCode::policy_violation, "too slow");
      return fail(Errc::limit_exceeded, "write queue full (peer too slow); closing");
    }
    bool post_flush = false;
    {
      std::lock_guard lock(outbox_mutex_);
      outbox_.push_back(std::move(bytes));
      post_flush = !flush_posted_;
      flush_posted_ = true;
    }
    // One flush for everything queued until it runs: the frames of one
    // commit, or all the answers to one read, leave in one record.
    if (post_flush) net::post(executor_, [self = shared_from_this()] { self->on_flush_posted(); });
    return ok();
  }

  // Any thread.
  void close(CloseCode code, std::string_view reason) {
    if (closing_.exchange(true)) return;
    // Posted, never run inline: a handler closing its own connection must
    // not find the reader re-entered.
    net::post(executor_, [self = shared_from_this(), code, r = std::string(reason)] {
      self->start_close(static_cast<std::uint16_t>(code), r, true);
    });
  }

  // Any thread.
  void cut_from_anywhere() {
    closing_.store(true);
    net::dispatch(executor_, [self = shared_from_this()] { self->finish(); });
  }

 private:
  // OpenSSL's part, gone once the handshake is done.
  struct Handshake {
    Handshake(tcp::socket&& socket, SSL_CTX* ctx) : tls(std::move(socket), ctx) {}
    TlsStream tls;
    SecretCapture secrets;
  };

  enum class State {
    tls_handshake,
    upgrade,   // waiting for the HTTP upgrade request
    open,      // frames both ways
    closing,   // our close frame is out; waiting for the peer's
    draining,  // WebSocket closed, close_notify out (or owed): reading to EOF
  };

  // ---- Timer: handshake and close deadlines, idle pings --------------------

  void arm_timer(std::chrono::milliseconds after) { arm_timer_at(Clock::now() + after); }

  void arm_timer_at(Clock::time_point when) {
    if (finished_) return;  // a timer would keep a dead session alive
    timer_.expires_at(when);
    timer_.async_wait(
        [self = shared_from_this(), armed = ++timer_generation_](const error_code& ec) {
          // The generation check catches an expiry whose handler was already
          // queued when the timer was re-armed (cancel() cannot recall it).
          if (!ec && armed == self->timer_generation_) self->on_timer();
        });
  }

  void on_timer() {
    if (state_ != State::open) return finish();  // a handshake or close took too long
    // Idle: a ping at half the timeout of silence, the socket cut at the
    // full timeout (what a peer gone without a FIN looks like).
    const auto idle = shared_.options.idle_timeout;
    const auto silent = Clock::now() - last_read_;
    if (silent >= idle) return finish();
    if (silent >= idle / 2 && !pinged_) {
      pinged_ = true;
      append_ws_frame(control_, WsOpcode::ping, {});
      flush();
    }
    arm_timer_at(last_read_ + (pinged_ ? idle : idle / 2));
  }

  void arm_idle_timer() {
    if (shared_.options.idle_timeout.count() <= 0) {
      ++timer_generation_;
      timer_.cancel();
      return;
    }
    arm_timer_at(last_read_ + shared_.options.idle_timeout / 2);
  }

  // ---- Handshakes ---------------------------------------------------------

  void on_tls_handshake(const error_code& ec) {
    if (ec || closing_.load()) return cut();
    auto handed = take_over(handshake_->tls.native_handle(), handshake_->secrets, TlsSide::server);
    if (!handed) return cut();
    read_keys_ = std::move(handed->read);
    write_keys_ = std::move(handed->write);
    // From here the socket is ours alone, watched by the thread's poller
    // (edge_poller.hpp), not by Asio: no system call per wait.
    const int taken = socket_.take(handshake_->tls.next_layer(), *this, shared_from_this());
    handshake_.reset();  // OpenSSL's state for this connection goes here
    if (taken != 0) return finish();
    state_ = State::upgrade;
    arm_timer(shared_.options.handshake_timeout);
  }

  void take_upgrade(Bytes& plain) {
    const auto outcome = parse_upgrade(
        std::string_view(reinterpret_cast<const char*>(plain.data()), plain.size()), "sottod");
    switch (outcome.kind) {
      case UpgradeOutcome::Kind::need_more:  // bounded by kMaxUpgradeRequest
        if (&plain != &ws_in_) ws_in_.assign(plain.begin(), plain.end());
        return;
      case UpgradeOutcome::Kind::refused:
        release(ws_in_);
        closing_.store(true);
        control_.insert(control_.end(), outcome.response.begin(), outcome.response.end());
        begin_drain();
        return flush();
      case UpgradeOutcome::Kind::accepted:
        break;
    }
    control_.insert(control_.end(), outcome.response.begin(), outcome.response.end());
    state_ = State::open;
    last_read_ = Clock::now();
    flush();
    if (finished_ || !socket_.is_open()) return;  // the 101 could not be sent
    arm_idle_timer();
    opened_ = true;
    guarded([&] { shared_.handler.on_open(handle_); });
    // Frames the client sent right behind its request.
    plain.erase(plain.begin(), plain.begin() + static_cast<std::ptrdiff_t>(outcome.consumed));
    if (&plain == &ws_in_ && plain.empty()) release(ws_in_);
    if (!plain.empty() && state_ == State::open) take_frames(plain);
  }

  // ---- Reading ------------------------------------------------------------

  // ReadinessListener. Edge-triggered: input is read until the socket is
  // empty; output matters only while a send waits for room.
  void on_ready(std::uint32_t events) override {
    if (finished_) return;
    const auto ready = readiness(events);
    if (ready.read) read_available(ready.to_the_end);
    if (ready.write && waiting_writable_ && !finished_) on_writable();
  }

  void read_available(bool to_the_end) {
    for (int round = 0; round < kReadRounds; ++round) {
      if (!socket_.is_open()) return finish();
      std::uint8_t* in = thread_buffers().cipher_in.get();
      const std::size_t kept = tls_in_.size();  // < kMaxRecord (take_records)
      std::copy(tls_in_.begin(), tls_in_.end(), in);
      release(tls_in_);
      const auto got = receive_now(socket_.fd(), in + kept, kReadChunk);
      if (got.eof || got.error != 0) return finish();  // an unfinished record dies with it
      if (got.bytes == 0) {
        tls_in_.assign(in, in + kept);
        return;  // empty: the next arrival is a new edge
      }
      const std::size_t received = got.bytes;
      if (state_ != State::draining) {  // what comes after close_notify is dropped
        if (!take_records(std::span<std::uint8_t>(in, kept + received))) return finish();
        if (peer_close_notify_) {
          // Ours too before we go (RFC 8446 §6.1).
          close_notify_owed_ = true;
          flush();
          return finish();
        }
      }
      // A short read emptied the socket's queue, and any later arrival is a
      // new edge (as nginx reasons for EPOLLET): no recv() just to see EAGAIN.
      if (received < kReadChunk && !to_the_end) return;
    }
    // Fair share used up: go round the event loop, then read on (no edge
    // will come for what is already waiting).
    net::post(executor_, [self = shared_from_this(), to_the_end] {
      if (!self->finished_) self->read_available(to_the_end);
    });
  }

  // Opens every whole record of `in`, keeps the last unfinished one, and
  // passes the plaintext on. False once the connection is being torn down.
  bool take_records(std::span<std::uint8_t> in) {
    // New plaintext goes after an unfinished frame's bytes, where they
    // already are: a frame sent in many small records costs its size in
    // copies once, not once per record.
    Bytes& plain = ws_in_.empty() ? thread_buffers().plain_in : ws_in_;
    if (&plain != &ws_in_) plain.clear();
    bool authenticated = false;
    std::size_t at = 0;
    while (at < in.size()) {
      const auto size = complete_record_size(ByteView(in).subspan(at));
      if (!size) return fatal_alert(size.error().alert);
      if (*size == 0) break;
      const auto opened = read_keys_.open(std::span<std::uint8_t>(in).subspan(at, *size));
      if (!opened) return fatal_alert(opened.error().alert);
      at += *size;
      authenticated = true;
      const auto content = opened->plaintext;
      switch (opened->content_type) {
        case tls13::kApplicationData:
          plain.insert(plain.end(), content.begin(), content.end());
          break;
        case tls13::kAlert:
          // close_notify ends the peer's side; any other alert from it
          // ends the connection (§6).
          if (content.size() != 2) return fatal_alert(tls13::kDecodeError);
          if (content[1] != tls13::kCloseNotify) return finish(), false;
          peer_close_notify_ = true;
          break;
        case tls13::kHandshake:
          // After the handshake a client may send only KeyUpdate (§4.6.3).
          if (const auto requested = read_keys_.take_key_update(content); !requested) {
            return fatal_alert(requested.error().alert);
          } else if (*requested) {
            key_update_owed_ = true;  // ours goes before our next data
          }
          break;
        default:
          return fatal_alert(tls13::kUnexpectedMessage);
      }
      if (peer_close_notify_) break;
    }
    tls_in_.assign(in.begin() + static_cast<std::ptrdiff_t>(at), in.end());  // < kMaxRecord
    if (authenticated) {
      // Only records that opened count as activity: a trickle of bytes
      // that never makes a record does not keep the connection.
      last_read_ = Clock::now();
      pinged_ = false;
    }
    if (key_update_owed_) flush();  // one KeyUpdate of ours for all asked in this read
    if (plain.empty()) return socket_.is_open();
    if (state_ == State::upgrade) {
      take_upgrade(plain);
    } else if (state_ == State::open || state_ == State::closing) {
      take_frames(plain);
    }
    return socket_.is_open();
  }

  // `plain` is ws_in_ or the thread's buffer; what stays unread ends up in
  // ws_in_ (bounded: the reader refuses a frame over the limit from its
  // header).
  void take_frames(Bytes& plain) {
    const auto result = reader_.read(std::span<std::uint8_t>(plain), *this);
    if (result.error) {
      release(ws_in_);
      closing_.store(true);
      return start_close(result.error->close_code, result.error->reason, false);
    }
    if (state_ != State::open && state_ != State::closing) return release(ws_in_);
    const auto unread = plain.begin() + static_cast<std::ptrdiff_t>(result.consumed);
    if (&plain == &ws_in_) {
      ws_in_.erase(ws_in_.begin(), unread);
      if (ws_in_.empty()) release(ws_in_);
    } else {
      ws_in_.assign(unread, plain.end());
    }
  }

  // WsEvents.
  void on_message(bool binary, ByteView payload) override {
    // Once closing, what arrives is dropped.
    if (closing_.load() || state_ != State::open) return;
    if (!binary) {
      closing_.store(true);
      return start_close(static_cast<std::uint16_t>(CloseCode::unsupported_data),
                         "binary frames only", true);
    }
    auto frame = wire::parse_frame(payload);
    if (!frame) {
      closing_.store(true);
      return start_close(static_cast<std::uint16_t>(CloseCode::invalid_payload),
                         "undecodable frame", true);
    }
    guarded([&] { shared_.handler.on_frame(handle_, std::move(*frame)); });
  }

  void on_ping(ByteView payload) override {
    if (state_ != State::open) return;
    // Only the latest ping is answered if several wait (RFC 6455 §5.5.3):
    // a peer that pings and never reads cannot grow what we hold.
    pong_.clear();
    append_ws_frame(pong_, WsOpcode::pong, payload);
    flush();
  }

  void on_pong() override {}

  void on_close(std::uint16_t code, std::string_view) override {
    closing_.store(true);
    drop_outbox();
    if (state_ == State::open) {
      // The peer's close: ours echoes its code (none if it sent none).
      if (code == 1005) {
        append_ws_frame(control_, WsOpcode::close, {});
      } else {
        append_ws_close(control_, code, {});
      }
    }
    begin_drain();
    flush();
  }

  // ---- Closing ------------------------------------------------------------

  // Our close frame; with `wait_for_peer` the closing handshake follows (the
  // peer answers within handshake_timeout), without it (the peer broke the
  // protocol) the connection goes right after.
  void start_close(std::uint16_t code, const std::string& reason, bool wait_for_peer) {
    drop_outbox();
    if (state_ == State::tls_handshake || state_ == State::upgrade || finished_) return finish();
    if (state_ == State::closing && !wait_for_peer) {
      // Our close frame is already out; a broken frame ends the wait.
      begin_drain();
      return flush();
    }
    if (state_ != State::open) return;
    append_ws_close(control_, code, reason);
    if (wait_for_peer) {
      // A peer whose receive window is full never answers (our frame waits
      // behind the stuck write), so the deadline cuts the socket.
      state_ = State::closing;
      arm_timer(shared_.options.handshake_timeout);
    } else {
      begin_drain();
    }
    flush();
  }

  // Our close_notify goes out with the next flush, then our FIN; the peer's
  // FIN (or the deadline) ends the connection.
  void begin_drain() {
    state_ = State::draining;
    close_notify_owed_ = true;
    arm_timer(shared_.options.handshake_timeout);
  }

  // Answers a broken record with an alert (best effort) and cuts.
  bool fatal_alert(std::uint8_t alert) {
    closing_.store(true);
    if (!waiting_writable_) {
      Bytes& out = thread_buffers().cipher_out;
      out.clear();
      const std::uint8_t body[2] = {2, alert};  // fatal
      if (write_keys_.seal_record(out, tls13::kAlert, body)) {
        (void)send_now(socket_.fd(), out);
      }
    }
    finish();
    return false;
  }

  void cut() {
    error_code ec;
    ++timer_generation_;
    timer_.cancel();
    if (handshake_) {
      handshake_->tls.next_layer().close(ec);
    } else {
      socket_.close(*this);  // the session goes once the poller's wake-up is over
    }
  }

  // The connection is over: tell the handler (once) and let go.
  void finish() {
    if (finished_) return;
    finished_ = true;
    closing_.store(true);
    drop_outbox();
    cut();
    if (opened_) guarded([&] { shared_.handler.on_close(handle_); });
  }

  // ---- Writing ------------------------------------------------------------

  void on_flush_posted() {
    {
      std::lock_guard lock(outbox_mutex_);
      flush_posted_ = false;
    }
    flush();
  }

  // Seals everything waiting (KeyUpdate owed, queued frames, control frames,
  // close_notify) into as few records as fit and writes them with one
  // send(); what the socket does not take waits for it to become writable.
  void flush() {
    if (waiting_writable_ || handshake_ || !socket_.is_open()) return;
    std::vector<Bytes> frames;
    {
      std::lock_guard lock(outbox_mutex_);
      frames.swap(outbox_);
    }
    auto& buffers = thread_buffers();
    Bytes& plain = buffers.plain_out;
    plain.clear();
    for (const Bytes& frame : frames) {
      forget(frame.size());
      if (state_ == State::open) append_ws_frame(plain, WsOpcode::binary, frame);
    }
    plain.insert(plain.end(), pong_.begin(), pong_.end());
    release(pong_);
    plain.insert(plain.end(), control_.begin(), control_.end());
    release(control_);
    Bytes& out = buffers.cipher_out;
    out.clear();
    if (!seal_all(plain, out)) return finish();
    if (!out.empty()) write_out(out);
  }

  bool seal_all(ByteView plain, Bytes& out) {
    if (plain.empty() && !key_update_owed_ && !close_notify_owed_) return true;
    // Our KeyUpdate, when owed or when this key has sealed its share.
    if (key_update_owed_ || write_keys_.sequence() >= tls13::kRecordsPerKey) {
      if (!write_keys_.seal_key_update(out)) return false;
      key_update_owed_ = false;
    }
    if (!write_keys_.seal_application_data(out, plain)) return false;
    if (close_notify_owed_) {
      const std::uint8_t close_notify[2] = {1, tls13::kCloseNotify};  // warning
      if (!write_keys_.seal_record(out, tls13::kAlert, close_notify)) return false;
      close_notify_owed_ = false;
      close_notify_sent_ = true;
    }
    return true;
  }

  void write_out(ByteView out) {
    const auto result = send_now(socket_.fd(), out);
    if (result.error != 0) return finish();  // reset by the peer, or the like
    const std::size_t sent = result.bytes;
    if (sent == out.size()) return written();
    unsent_.assign(out.begin() + static_cast<std::ptrdiff_t>(sent), out.end());
    unsent_bytes_.store(unsent_.size(), std::memory_order_relaxed);
    waiting_writable_ = true;  // on_ready() says when there is room
  }

  void on_writable() {
    waiting_writable_ = false;
    unsent_bytes_.store(0, std::memory_order_relaxed);
    Bytes pending;
    pending.swap(unsent_);
    write_out(pending);
    if (!waiting_writable_) flush();  // what was queued meanwhile
  }

  // Everything handed to the socket.
  void written() {
    if (close_notify_sent_ && !shut_down_) {
      shut_down_ = true;
      ::shutdown(socket_.fd(), SHUT_WR);
    }
  }

  void forget(std::size_t bytes) {
    queued_bytes_.fetch_sub(bytes);
    queued_frames_.fetch_sub(1);
  }

  void drop_outbox() {
    std::vector<Bytes> dropped;
    {
      std::lock_guard lock(outbox_mutex_);
      dropped.swap(outbox_);
    }
    for (const Bytes& frame : dropped) forget(frame.size());
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
  // The I/O thread's executor; a copy, so other threads can post to it.
  const net::any_io_executor executor_;
  std::unique_ptr<Handshake> handshake_;
  WatchedSocket socket_;  // ours once the handshake is over
  net::steady_timer timer_;
  std::uint32_t timer_generation_ = 0;
  std::shared_ptr<ConnectionHandle> handle_;

  // I/O thread only.
  State state_ = State::tls_handshake;
  Tls13Direction read_keys_;
  Tls13Direction write_keys_;
  WsReader reader_;
  Bytes tls_in_;   // an unfinished record
  Bytes ws_in_;    // an unfinished frame (or upgrade request)
  Bytes control_;  // our ping, close frame or HTTP answer, not sent yet
  Bytes pong_;     // the answer to the latest ping, not sent yet
  Bytes unsent_;   // sealed, waiting for the socket
  Clock::time_point last_read_{};
  bool pinged_ = false;
  bool opened_ = false;
  bool finished_ = false;
  bool waiting_writable_ = false;
  bool key_update_owed_ = false;
  bool close_notify_owed_ = false;
  bool close_notify_sent_ = false;
  bool shut_down_ = false;
  bool peer_close_notify_ = false;

  // Any thread.
  std::mutex outbox_mutex_;
  std::vector<Bytes> outbox_;  // guarded by outbox_mutex_
  bool flush_posted_ = false;  // guarded by outbox_mutex_
  std::atomic<bool> closing_{false};
  std::atomic<std::size_t> queued_bytes_{0};
  std::atomic<std::size_t> queued_frames_{0};
  std::atomic<std::size_t> unsent_bytes_{0};  // unsent_.size(), for send()'s bound
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
  error_code ec;
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
