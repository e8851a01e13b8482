// SPDX-License-Identifier: Apache-2.0
#include "ws_connection.hpp"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <new>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "sotto/transport/tls_stream.hpp"
#include "sotto/wire/frame.hpp"
#include "source_address.hpp"

namespace sotto::bench {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

struct TlsClientContext::Impl {
  struct Free {
    void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
  };
  std::unique_ptr<SSL_CTX, Free> ctx{SSL_CTX_new(TLS_client_method())};
};

// The same thin TLS stream as sottod (lib/transport): OpenSSL on the socket,
// no asio::ssl buffers, so the generator's own cost per message and per
// connection stays small next to the server's.
TlsClientContext::TlsClientContext() : impl_(std::make_unique<Impl>()) {
  SSL_CTX* ctx = impl_->ctx.get();
  if (ctx == nullptr) throw std::bad_alloc();
  // As the real client: TLS 1.3 only, no resumption (every connection does a
  // full handshake, which is what the server pays for a fresh login), and
  // record buffers released while idle, so 10 000 idle connections stay small.
  SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
  SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
}

TlsClientContext::~TlsClientContext() = default;

struct WsConnection::Impl : std::enable_shared_from_this<Impl> {
  Impl(net::io_context& io, TlsClientContext& tls, const WsTarget& t, WsListener& l)
      : target(t), listener(&l), ws(io.get_executor(), tls.impl().ctx.get()) {}

  void start() {
    beast::error_code ec;
    const auto server = net::ip::make_address_v4(target.host, ec);
    if (ec) return connect_failed("bad server address " + target.host);
    auto& socket = beast::get_lowest_layer(ws);
    ec = open_from(socket, target.bind_address);
    if (ec) return connect_failed("socket: " + ec.message());
    socket.async_connect(tcp::endpoint(server, target.port),
                         [self = shared_from_this()](beast::error_code e) { self->on_tcp(e); });
  }

  void on_tcp(beast::error_code ec) {
    if (ec) return connect_failed("connect: " + ec.message());
    beast::get_lowest_layer(ws).set_option(tcp::no_delay(true), ec);
    SSL* ssl = ws.next_layer().native_handle();
    if (ssl == nullptr || SSL_set_app_data(ssl, this) != 1) {
      return connect_failed("TLS setup failed");
    }
    SSL_set_verify(ssl, SSL_VERIFY_PEER, &Impl::verify);
    ws.next_layer().async_handshake(
        transport::TlsStream::client,
        [self = shared_from_this()](beast::error_code e) { self->on_tls(e); });
  }

  // OpenSSL's verify callback; the connection is the SSL's app data.
  static int verify(int, X509_STORE_CTX* store) {
    // The pin is the only trust anchor: only the leaf is decided.
    if (X509_STORE_CTX_get_error_depth(store) != 0) return 1;
    auto* ssl =
        static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
    const auto* self = ssl != nullptr ? static_cast<const Impl*>(SSL_get_app_data(ssl)) : nullptr;
    return self != nullptr && self->leaf_matches(X509_STORE_CTX_get_current_cert(store)) ? 1 : 0;
  }

  bool leaf_matches(X509* certificate) const {
    const int size = i2d_X509(certificate, nullptr);
    if (size <= 0) return false;
    Bytes der(static_cast<std::size_t>(size));
    unsigned char* p = der.data();
    i2d_X509(certificate, &p);
    auto pin = transport::certificate_pin(der);
    return pin && *pin == target.pin;
  }

  void on_tls(beast::error_code ec) {
    if (ec) return connect_failed("TLS handshake (pin or version): " + ec.message());
    ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
    ws.read_message_max(wire::kMaxFrameSize);
    ws.binary(true);
    ws.auto_fragment(false);
    ws.async_handshake(target.host + ":" + std::to_string(target.port), "/",
                       [self = shared_from_this()](beast::error_code e) { self->on_upgrade(e); });
  }

  void on_upgrade(beast::error_code ec) {
    if (ec) return connect_failed("WebSocket handshake: " + ec.message());
    connected = true;
    if (listener != nullptr) listener->on_connected({});
    read();
    if (!queue.empty() && !writing) write_front();
  }

  void connect_failed(const std::string& why) {
    finished = true;
    cut();
    if (listener != nullptr) listener->on_connected(why);
  }

  void read() {
    ws.async_read(buffer, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->on_read(ec);
    });
  }

  void on_read(beast::error_code ec) {
    if (ec) return finish(ec == websocket::error::closed ? describe_close() : ec.message());
    const auto data = buffer.cdata();
    if (listener != nullptr) {
      listener->on_message(ByteView(static_cast<const std::uint8_t*>(data.data()), data.size()));
    }
    buffer.consume(buffer.size());
    if (!finished) read();
  }

  std::string describe_close() const {
    const auto& reason = ws.reason();
    return "closed by the server (" + std::to_string(static_cast<unsigned>(reason.code)) + " " +
           std::string(reason.reason.data(), reason.reason.size()) + ")";
  }

  void send(Bytes message) {
    if (finished || closing) return;
    queued += message.size();
    queue.push_back(std::move(message));
    if (connected && !writing) write_front();
  }

  void write_front() {
    writing = true;
    ws.async_write(
        net::buffer(queue.front()),
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_write(ec); });
  }

  void on_write(beast::error_code ec) {
    writing = false;
    queued -= queue.front().size();
    queue.pop_front();
    if (ec) {
      // The read side reports why the connection ended.
      queue.clear();
      queued = 0;
      return;
    }
    if (!queue.empty()) return write_front();
    if (closing && !close_started) start_close();
  }

  void close() {
    if (finished || closing) return;
    closing = true;
    if (!connected) return cut();
    if (!writing) start_close();
  }

  void start_close() {
    close_started = true;
    ws.async_close(websocket::close_code::normal, [self = shared_from_this()](beast::error_code) {
      // The read loop sees the close and finishes.
    });
  }

  void cut() {
    beast::error_code ec;
    beast::get_lowest_layer(ws).close(ec);
  }

  void finish(const std::string& why) {
    if (finished) return;
    finished = true;
    cut();
    queue.clear();
    queued = 0;
    if (connected && listener != nullptr) listener->on_closed(why);
  }

  const WsTarget target;
  WsListener* listener;
  websocket::stream<transport::TlsStream> ws;
  beast::flat_buffer buffer;
  std::deque<Bytes> queue;  // front() is being written when `writing`
  std::size_t queued = 0;
  bool connected = false;
  bool writing = false;
  bool closing = false;
  bool close_started = false;
  bool finished = false;
};

std::unique_ptr<WsConnection> WsConnection::create(net::io_context& io, TlsClientContext& tls,
                                                   const WsTarget& target, WsListener& listener) {
  return std::unique_ptr<WsConnection>(
      new WsConnection(std::make_shared<Impl>(io, tls, target, listener)));
}

WsConnection::WsConnection(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

WsConnection::~WsConnection() {
  impl_->listener = nullptr;
  if (!impl_->finished) {
    impl_->finished = true;
    impl_->cut();
  }
}

void WsConnection::start() { impl_->start(); }
void WsConnection::send(Bytes message) { impl_->send(std::move(message)); }
std::size_t WsConnection::queued_bytes() const { return impl_->queued; }
void WsConnection::close() { impl_->close(); }
void WsConnection::cut() {
  impl_->cut();
  // The pending read completes with an error and finishes the connection.
}
bool WsConnection::is_open() const { return impl_->connected && !impl_->finished; }

}  // namespace sotto::bench
