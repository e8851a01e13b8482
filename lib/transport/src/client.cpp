// SPDX-License-Identifier: Apache-2.0
// The client end: connect (resolve, TCP, TLS 1.3 with the pin check,
// WebSocket upgrade) and a read loop feeding an inbox, all on a strand of the
// ClientLoop's thread; the public calls wait on a condition variable.
#include "sotto/transport/client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "sotto/core/encoding.hpp"
#include "sotto/transport/tls_stream.hpp"
#include "tls_context.hpp"

namespace sotto::transport {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

struct ClientLoop::Impl {
  explicit Impl(detail::SslCtxPtr ctx)
      : tls(std::move(ctx)), guard(io.get_executor()), thread([this] { io.run(); }) {}
  ~Impl() {
    guard.reset();  // run() returns once the last connection's work is done
    thread.join();
  }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  net::io_context io{1};
  const detail::SslCtxPtr tls;
  net::executor_work_guard<net::io_context::executor_type> guard;
  std::thread thread;
};

Result<std::shared_ptr<ClientLoop>> ClientLoop::create() {
  auto ctx = detail::make_client_tls_context();
  if (!ctx) return tl::unexpected(ctx.error());
  return std::shared_ptr<ClientLoop>(new ClientLoop(std::make_unique<Impl>(std::move(*ctx))));
}

ClientLoop::ClientLoop(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ClientLoop::~ClientLoop() = default;

namespace {

struct Outgoing {
  Bytes bytes;
  bool text = false;
};

std::string host_header(const ClientOptions& options) {
  const bool ipv6_literal = options.host.find(':') != std::string::npos;
  return (ipv6_literal ? "[" + options.host + "]" : options.host) + ":" +
         std::to_string(options.port);
}

}  // namespace

struct WebSocketClient::Impl : std::enable_shared_from_this<Impl> {
  Impl(const ClientOptions& o, ClientLoop::Impl& loop)
      : options(o),
        strand(net::make_strand(loop.io)),
        resolver(strand),
        ws(strand, loop.tls.get()),
        deadline(strand) {}

  // ---- connect (strand) ----

  void start() {
    deadline.expires_after(options.connect_timeout);
    deadline.async_wait([self = shared_from_this()](beast::error_code ec) {
      // `connected`: the deadline may have fired just as the handshake
      // completed, with its handler already queued.
      if (ec || self->connected) return;
      self->timed_out = true;
      self->resolver.cancel();
      self->cut();
    });
    resolver.async_resolve(options.host, std::to_string(options.port),
                           [self = shared_from_this()](beast::error_code ec,
                                                       const tcp::resolver::results_type& results) {
                             self->on_resolve(ec, results);
                           });
  }

  void on_resolve(beast::error_code ec, const tcp::resolver::results_type& results) {
    if (ec) return connect_failed(Errc::network_error, "cannot resolve " + options.host, ec);
    for (const auto& entry : results) endpoints.push_back(entry.endpoint());
    try_connect(0);
  }

  void try_connect(std::size_t index) {
    if (timed_out) return connect_failed(Errc::network_error, "connect", {});
    if (index >= endpoints.size()) {
      return connect_failed(Errc::network_error, "cannot connect to " + host_header(options),
                            last_error);
    }
    const tcp::endpoint& endpoint = endpoints[index];
    auto& socket = beast::get_lowest_layer(ws);
    beast::error_code ec;
    if (socket.is_open()) socket.close(ec);
    socket.open(endpoint.protocol(), ec);
    if (!ec && !options.bind_address.empty()) {
      const auto local = net::ip::make_address(options.bind_address, ec);
      if (!ec && local.is_v4() != endpoint.address().is_v4()) {
        ec = net::error::address_family_not_supported;
      }
      if (!ec) socket.bind(tcp::endpoint(local, 0), ec);
    }
    if (ec) {
      last_error = ec;
      return try_connect(index + 1);
    }
    socket.async_connect(endpoint, [self = shared_from_this(), index](beast::error_code e) {
      self->on_connect(e, index);
    });
  }

  void on_connect(beast::error_code ec, std::size_t index) {
    if (ec) {
      last_error = ec;
      return try_connect(index + 1);
    }
    beast::get_lowest_layer(ws).set_option(tcp::no_delay(true), ec);
    auto& tls = ws.next_layer();
    SSL* ssl = tls.native_handle();
    if (ssl == nullptr || SSL_set_app_data(ssl, this) != 1) {
      return connect_failed(Errc::internal, "TLS setup", net::error::no_memory);
    }
    SSL_set_verify(ssl, SSL_VERIFY_PEER, &Impl::verify_callback);
    tls.async_handshake(TlsStream::client, [self = shared_from_this()](beast::error_code e) {
      self->on_tls_handshake(e);
    });
  }

  // OpenSSL's verify callback; the connection's Impl is the SSL's app data
  // (it outlives the handshake: the handshake's handler holds it).
  static int verify_callback(int, X509_STORE_CTX* store) {
    auto* ssl =
        static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
    auto* impl = ssl != nullptr ? static_cast<Impl*>(SSL_get_app_data(ssl)) : nullptr;
    return impl != nullptr && impl->verify_certificate(store) ? 1 : 0;
  }

  // OpenSSL's chain check, per certificate. The pin is the only trust anchor:
  // CA errors and dates are ignored, and only the leaf (depth 0) is decided.
  bool verify_certificate(X509_STORE_CTX* store) {
    if (X509_STORE_CTX_get_error_depth(store) != 0) return true;
    auto pin = detail::pin_of(X509_STORE_CTX_get_current_cert(store));
    if (pin && *pin == options.pin) return true;
    pin_mismatch = true;
    if (pin) seen_pin = hex_encode(*pin);
    return false;
  }

  void on_tls_handshake(beast::error_code ec) {
    if (ec && pin_mismatch) return pin_mismatch_failed();
    if (ec) return connect_failed(Errc::network_error, "TLS 1.3 handshake failed", ec);
    // The callback decided the handshake; this confirms it saw the leaf
    // (OpenSSL calls it for every certificate it checks, the leaf included).
    auto pin = detail::peer_certificate_pin(ws.next_layer().native_handle());
    if (!pin || *pin != options.pin) {
      pin_mismatch = true;
      if (pin) seen_pin = hex_encode(*pin);
      return pin_mismatch_failed();
    }
    websocket::stream_base::timeout timeouts{options.connect_timeout,
                                             websocket::stream_base::none(), false};
    ws.set_option(timeouts);
    ws.set_option(websocket::stream_base::decorator(
        [](websocket::request_type& req) { req.set(beast::http::field::user_agent, "sotto"); }));
    ws.read_message_max(options.max_frame_size);
    ws.binary(true);
    ws.auto_fragment(false);
    ws.async_handshake(
        host_header(options), options.target,
        [self = shared_from_this()](beast::error_code e) { self->on_ws_handshake(e); });
  }

  void on_ws_handshake(beast::error_code ec) {
    if (ec) return connect_failed(Errc::network_error, "WebSocket handshake failed", ec);
    connected = true;
    deadline.cancel();
    {
      std::lock_guard lock(mutex);
      connect_done = true;
    }
    cv.notify_all();
    do_read();
  }

  void pin_mismatch_failed() {
    connect_failed(Errc::tls_pin_mismatch,
                   "server certificate pin mismatch: expected " + hex_encode(options.pin) +
                       ", server presented " + (seen_pin.empty() ? "none" : seen_pin),
                   {});
  }

  void connect_failed(Errc code, const std::string& what, beast::error_code ec) {
    std::string message = what;
    if (timed_out) {
      message += ": timed out after " + std::to_string(options.connect_timeout.count()) + " ms";
    } else if (ec) {
      message += ": " + ec.message();
    }
    deadline.cancel();
    cut();
    closing.store(true);
    finished = true;
    {
      std::lock_guard lock(mutex);
      connect_done = true;
      connect_status = fail(code, message);
      closed = true;
    }
    cv.notify_all();
  }

  // ---- reading (strand) ----

  void do_read() {
    if (finished) return;
    {
      std::lock_guard lock(mutex);
      // Back-pressure: while the inbox is full we stop reading, TCP's window
      // closes, and the server's bounded queue takes over.
      if (inbox.size() >= options.inbox_limit) {
        read_paused = true;
        return;
      }
    }
    ws.async_read(read_buffer, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->on_read(ec);
    });
  }

  void on_read(beast::error_code ec) {
    if (ec) return finish(ec);
    if (!closing.load()) {
      if (!ws.got_binary()) {
        start_close(CloseCode::unsupported_data, "binary frames only");
      } else {
        const auto data = read_buffer.cdata();
        auto frame =
            wire::parse_frame(ByteView(static_cast<const std::uint8_t*>(data.data()), data.size()));
        if (!frame) {
          start_close(CloseCode::invalid_payload, "undecodable frame");
        } else {
          {
            std::lock_guard lock(mutex);
            inbox.push_back(std::move(*frame));
          }
          cv.notify_all();
        }
      }
    }
    read_buffer.clear();
    read_buffer.shrink_to_fit();
    do_read();
  }

  // ---- writing (strand) ----

  void enqueue(Outgoing outgoing) {
    if (finished || close_started) {
      queued_bytes.fetch_sub(outgoing.bytes.size());
      return;
    }
    queue.push_back(std::move(outgoing));
    if (!writing) write_front();
  }

  void write_front() {
    writing = true;
    ws.text(queue.front().text);
    ws.async_write(
        net::buffer(queue.front().bytes),
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_write(ec); });
  }

  void on_write(beast::error_code ec) {
    writing = false;
    queued_bytes.fetch_sub(queue.front().bytes.size());
    queue.erase(queue.begin());
    if (ec) {
      drop_queue();
      // What arrived before the failure is still readable, often the
      // server's close frame saying why it hung up (e.g. 1009 while we were
      // still sending the oversized message), so the read loop finishes the
      // connection; only a paused reader needs the cut here.
      bool paused = false;
      {
        std::lock_guard lock(mutex);
        paused = read_paused;
      }
      if (paused) {
        cut();
        finish(ec);
      }
      return;
    }
    if (!queue.empty()) return write_front();
    if (close_requested) start_close(close_code, close_reason);
  }

  void drop_queue() {
    const std::size_t keep = writing ? 1 : 0;
    while (queue.size() > keep) {
      queued_bytes.fetch_sub(queue.back().bytes.size());
      queue.pop_back();
    }
  }

  // ---- closing (strand) ----

  void request_close(CloseCode code, std::string reason) {
    if (finished || close_started) return;
    close_requested = true;
    close_code = code;
    close_reason = std::move(reason);
    closing.store(true);
    if (!writing) start_close(close_code, close_reason);
  }

  void start_close(CloseCode code, const std::string& reason) {
    if (finished || close_started) return;
    close_started = true;
    closing.store(true);
    drop_queue();
    ws.async_close(websocket::close_reason(static_cast<websocket::close_code>(code), reason),
                   [self = shared_from_this()](beast::error_code ec) { self->finish(ec); });
  }

  void cut() {
    beast::error_code ec;
    beast::get_lowest_layer(ws).close(ec);
  }

  // The connection is over (read loop or close ended, or cut).
  void finish(beast::error_code ec) {
    if (finished) return;
    finished = true;
    closing.store(true);
    drop_queue();
    cut();
    std::optional<CloseInfo> info;
    const auto& reason = ws.reason();
    if (reason.code != websocket::close_code::none) {
      info = CloseInfo{static_cast<std::uint16_t>(reason.code),
                       std::string(reason.reason.data(), reason.reason.size())};
    }
    {
      std::lock_guard lock(mutex);
      closed = true;
      peer_close = std::move(info);
      end_error = ec ? ec.message() : "closed";
    }
    cv.notify_all();
  }

  std::string describe_end() const {  // mutex held
    if (peer_close) {
      return "connection closed by the server (" + std::to_string(peer_close->code) +
             (peer_close->reason.empty() ? "" : " " + peer_close->reason) + ")";
    }
    return "connection closed: " + end_error;
  }

  const ClientOptions options;
  net::strand<net::io_context::executor_type> strand;
  tcp::resolver resolver;
  websocket::stream<TlsStream> ws;
  net::steady_timer deadline;

  // Strand only.
  std::vector<tcp::endpoint> endpoints;
  beast::error_code last_error;
  bool timed_out = false;
  bool connected = false;
  bool pin_mismatch = false;
  std::string seen_pin;
  beast::flat_buffer read_buffer;
  std::vector<Outgoing> queue;  // front() is being written when `writing`
  bool writing = false;
  bool close_requested = false;
  bool close_started = false;
  bool finished = false;
  CloseCode close_code = CloseCode::normal;
  std::string close_reason;

  // Any thread.
  std::atomic<bool> closing{false};
  std::atomic<std::size_t> queued_bytes{0};

  // Guarded by mutex.
  mutable std::mutex mutex;
  std::condition_variable cv;
  bool connect_done = false;
  Status connect_status;
  std::deque<wire::Frame> inbox;
  bool read_paused = false;
  bool closed = false;
  std::optional<CloseInfo> peer_close;
  std::string end_error;
};

Result<std::unique_ptr<WebSocketClient>> WebSocketClient::connect(
    const ClientOptions& options, std::shared_ptr<ClientLoop> loop) {
  if (options.host.empty() || options.port == 0 || options.max_frame_size == 0 ||
      options.inbox_limit == 0 || options.connect_timeout.count() <= 0 ||
      options.max_queued_bytes < options.max_frame_size) {
    return fail(Errc::bad_request, "client options: host, port and positive limits required");
  }
  if (!loop) {
    auto created = ClientLoop::create();
    if (!created) return tl::unexpected(created.error());
    loop = std::move(*created);
  }
  auto impl = std::make_shared<Impl>(options, *loop->impl_);
  net::post(impl->strand, [impl] { impl->start(); });
  {
    std::unique_lock lock(impl->mutex);
    // The connect deadline guarantees this wait ends.
    impl->cv.wait(lock, [&] { return impl->connect_done; });
    if (!impl->connect_status) return tl::unexpected(impl->connect_status.error());
  }
  return std::unique_ptr<WebSocketClient>(new WebSocketClient(std::move(loop), std::move(impl)));
}

WebSocketClient::WebSocketClient(std::shared_ptr<ClientLoop> loop, std::shared_ptr<Impl> impl)
    : loop_(std::move(loop)), impl_(std::move(impl)) {}

WebSocketClient::~WebSocketClient() { close(); }

namespace {

Status queue_outgoing(const std::shared_ptr<WebSocketClient::Impl>& impl, Outgoing outgoing) {
  if (impl->closing.load()) return fail(Errc::network_error, "connection closed");
  const std::size_t size = outgoing.bytes.size();
  if (impl->queued_bytes.fetch_add(size) + size > impl->options.max_queued_bytes) {
    impl->queued_bytes.fetch_sub(size);
    return fail(Errc::limit_exceeded, "send queue full");
  }
  net::post(impl->strand,
            [impl, o = std::move(outgoing)]() mutable { impl->enqueue(std::move(o)); });
  return ok();
}

}  // namespace

Status WebSocketClient::send(const wire::Frame& frame) {
  Bytes bytes = wire::encode_frame(frame);
  if (bytes.size() > impl_->options.max_frame_size) {
    return fail(Errc::limit_exceeded,
                "frame of " + std::to_string(bytes.size()) + " bytes is over the frame size limit");
  }
  return queue_outgoing(impl_, Outgoing{std::move(bytes), false});
}

Status WebSocketClient::send_raw_for_testing(ByteView payload, bool text) {
  return queue_outgoing(impl_, Outgoing{Bytes(payload.begin(), payload.end()), text});
}

Result<std::optional<wire::Frame>> WebSocketClient::receive(std::chrono::milliseconds timeout) {
  std::unique_lock lock(impl_->mutex);
  impl_->cv.wait_for(lock, timeout, [&] { return !impl_->inbox.empty() || impl_->closed; });
  if (!impl_->inbox.empty()) {
    std::optional<wire::Frame> frame(std::move(impl_->inbox.front()));
    impl_->inbox.pop_front();
    if (impl_->read_paused && !impl_->closed) {
      impl_->read_paused = false;
      net::post(impl_->strand, [impl = impl_] { impl->do_read(); });
    }
    return frame;
  }
  if (impl_->closed) return fail(Errc::network_error, impl_->describe_end());
  return std::optional<wire::Frame>();
}

void WebSocketClient::close(CloseCode code, std::string_view reason) {
  auto& impl = *impl_;
  net::post(impl.strand, [impl = impl_, code, r = std::string(reason)]() mutable {
    impl->request_close(code, std::move(r));
  });
  std::unique_lock lock(impl.mutex);
  if (impl.cv.wait_for(lock, impl.options.connect_timeout, [&] { return impl.closed; })) return;
  // The server did not answer the close: cut the socket.
  net::post(impl.strand, [impl = impl_] {
    impl->cut();
    impl->finish(net::error::operation_aborted);
  });
  impl.cv.wait(lock, [&] { return impl.closed; });
}

bool WebSocketClient::is_open() const {
  std::lock_guard lock(impl_->mutex);
  return !impl_->closed;
}

std::optional<CloseInfo> WebSocketClient::close_info() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->peer_close;
}

}  // namespace sotto::transport
