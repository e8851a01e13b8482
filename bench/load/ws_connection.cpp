// SPDX-License-Identifier: Apache-2.0
// The generator's connection: OpenSSL for the TLS 1.3 handshake (with the
// pin check), then the same record layer and WebSocket codec as sottod
// (sotto/transport/tls13_*.hpp, ws_codec.hpp) on the socket directly, from the
// client's side. Everything a connection sends while one handler runs (the
// acks for all deliveries of one read, say) leaves in one record and one
// send(), so the generator costs less per message than the server it
// measures. sottod's interoperation with independent TLS and WebSocket
// clients is what the transport and system tests check (OpenSSL and Beast).
#include "ws_connection.hpp"

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <cstring>
#include <new>
#include <string_view>

#include "sotto/core/encoding.hpp"
#include "sotto/transport/edge_poller.hpp"
#include "sotto/transport/socket_io.hpp"
#include "sotto/transport/tls13_handover.hpp"
#include "sotto/transport/tls13_record.hpp"
#include "sotto/transport/tls_stream.hpp"
#include "sotto/transport/ws_codec.hpp"
#include "sotto/wire/frame.hpp"
#include "source_address.hpp"

namespace sotto::bench {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;
using transport::Tls13Direction;
using transport::WsOpcode;
namespace tls13 = transport::tls13;

namespace {

constexpr std::size_t kReadChunk = 64 * 1024;

// The io_context's thread's buffers (each generator thread runs one).
struct ThreadBuffers {
  std::unique_ptr<std::uint8_t[]> in{new std::uint8_t[tls13::kMaxRecord + kReadChunk]};
  Bytes plain_in;
  Bytes out;
};

ThreadBuffers& thread_buffers() {
  thread_local ThreadBuffers buffers;
  return buffers;
}

void release(Bytes& bytes) { Bytes().swap(bytes); }

}  // namespace

struct TlsClientContext::Impl {
  struct Free {
    void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
  };
  std::unique_ptr<SSL_CTX, Free> ctx{SSL_CTX_new(TLS_client_method())};
};

TlsClientContext::TlsClientContext() : impl_(std::make_unique<Impl>()) {
  SSL_CTX* ctx = impl_->ctx.get();
  if (ctx == nullptr) throw std::bad_alloc();
  // As the real client: TLS 1.3 only, no resumption (every connection does a
  // full handshake, which is what the server pays for a fresh login).
  SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
  SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
  // The record layer's suites (tls13_record.hpp).
  SSL_CTX_set_ciphersuites(ctx, "TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256");
  transport::capture_traffic_secrets(ctx);
}

TlsClientContext::~TlsClientContext() = default;

struct WsConnection::Impl : std::enable_shared_from_this<Impl>,
                            transport::WsEvents,
                            transport::ReadinessListener {
  Impl(net::io_context& io, TlsClientContext& tls, const WsTarget& t, WsListener& l)
      : target(t),
        listener(&l),
        executor(io.get_executor()),
        handshake(std::make_unique<transport::TlsStream>(io.get_executor(), tls.impl().ctx.get())),
        reader(wire::kMaxFrameSize, transport::WsFrom::server) {}

  // ---- Connecting -----------------------------------------------------------

  void start() {
    error_code ec;
    const auto server = net::ip::make_address_v4(target.host, ec);
    if (ec) return connect_failed("bad server address " + target.host);
    auto& raw = handshake->next_layer();
    ec = open_from(raw, target.bind_address);
    if (ec) return connect_failed("socket: " + ec.message());
    raw.async_connect(tcp::endpoint(server, target.port),
                      [self = shared_from_this()](error_code e) { self->on_tcp(e); });
  }

  void on_tcp(error_code ec) {
    if (ec) return connect_failed("connect: " + ec.message());
    handshake->next_layer().set_option(tcp::no_delay(true), ec);
    SSL* ssl = handshake->native_handle();
    if (ssl == nullptr || SSL_set_app_data(ssl, this) != 1 ||
        !transport::attach_capture(ssl, &secrets)) {
      return connect_failed("TLS setup failed");
    }
    // Nothing past the server's Finished may be read by OpenSSL.
    SSL_set_read_ahead(ssl, 0);
    SSL_set_verify(ssl, SSL_VERIFY_PEER, &Impl::verify);
    handshake->async_handshake(transport::TlsStream::client,
                               [self = shared_from_this()](error_code e) { self->on_tls(e); });
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

  void on_tls(error_code ec) {
    if (ec) return connect_failed("TLS handshake (pin or version): " + ec.message());
    auto handed =
        transport::take_over(handshake->native_handle(), secrets, transport::TlsSide::client);
    if (!handed) return connect_failed("TLS handover: " + handed.error().message);
    read_keys = std::move(handed->read);
    write_keys = std::move(handed->write);
    // The socket leaves Asio for the thread's poller (no system call per wait).
    const int taken = socket.take(handshake->next_layer(), *this, shared_from_this());
    handshake.reset();
    if (taken != 0) return connect_failed(std::string("TLS handover: ") + std::strerror(taken));
    mask_state = static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(this)) | 1;
    // The upgrade; the generator trusts the 101 without checking its
    // Sec-WebSocket-Accept (the server under test is known).
    std::array<std::uint8_t, 16> key{};
    for (auto& byte : key) byte = static_cast<std::uint8_t>(next_random());
    const std::string request = "GET / HTTP/1.1\r\nHost: " + target.host + ":" +
                                std::to_string(target.port) +
                                "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                "Sec-WebSocket-Key: " +
                                base64_encode(key) + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
    const Bytes head = to_bytes(request);
    Bytes frames;
    frames.swap(pending);  // sends queued before the upgrade go after it
    pending = head;
    pending.insert(pending.end(), frames.begin(), frames.end());
    upgrading = true;
    flush();
  }

  void connect_failed(const std::string& why) {
    finished = true;
    cut();
    if (listener != nullptr) listener->on_connected(why);
  }

  // ---- Reading --------------------------------------------------------------

  // ReadinessListener (edge-triggered, as sottod's sessions).
  void on_ready(std::uint32_t events) override {
    if (finished) return;
    const auto ready = transport::readiness(events);
    if (ready.read) read_available(ready.to_the_end);
    if (ready.write && waiting_writable && !finished) on_writable();
  }

  // `to_the_end`: the peer's FIN came with this edge; read until it.
  void read_available(bool to_the_end) {
    for (;;) {
      if (finished) return;
      std::uint8_t* in = thread_buffers().in.get();
      const std::size_t kept = tls_in.size();
      std::copy(tls_in.begin(), tls_in.end(), in);
      release(tls_in);
      const auto got = transport::receive_now(socket.fd(), in + kept, kReadChunk);
      if (got.error != 0) return finish(std::string("recv: ") + std::strerror(got.error));
      if (got.eof) return finish("the server closed the connection");
      if (got.bytes == 0) {
        tls_in.assign(in, in + kept);
        return;
      }
      if (!take_records(std::span<std::uint8_t>(in, kept + got.bytes))) return;
      // A short read emptied the queue; a later arrival is a new edge.
      if (got.bytes < kReadChunk && !to_the_end) return;
    }
  }

  bool take_records(std::span<std::uint8_t> in) {
    Bytes& plain = ws_in.empty() ? thread_buffers().plain_in : ws_in;
    if (&plain != &ws_in) plain.clear();
    std::size_t at = 0;
    while (at < in.size()) {
      const auto size = transport::complete_record_size(ByteView(in).subspan(at));
      if (!size) return finish("bad TLS record from the server"), false;
      if (*size == 0) break;
      const auto opened = read_keys.open(in.subspan(at, *size));
      if (!opened) return finish("TLS record did not authenticate"), false;
      at += *size;
      const auto content = opened->plaintext;
      if (opened->content_type == tls13::kApplicationData) {
        plain.insert(plain.end(), content.begin(), content.end());
      } else if (opened->content_type == tls13::kHandshake) {
        const auto requested = read_keys.take_key_update(content);
        if (!requested) return finish("unexpected TLS handshake message from the server"), false;
        if (*requested) key_update_owed = true;
      } else if (opened->content_type == tls13::kAlert) {
        return finish("TLS alert from the server"), false;
      } else {
        return finish("unexpected TLS record from the server"), false;
      }
    }
    tls_in.assign(in.begin() + static_cast<std::ptrdiff_t>(at), in.end());
    if (upgrading) {
      const std::string_view text(reinterpret_cast<const char*>(plain.data()), plain.size());
      const std::size_t end = text.find("\r\n\r\n");
      if (end == std::string_view::npos) {
        if (plain.size() > transport::kMaxUpgradeRequest) {
          return finish("no answer to the upgrade"), false;
        }
        if (&plain != &ws_in) ws_in.assign(plain.begin(), plain.end());
        return true;
      }
      if (!text.starts_with("HTTP/1.1 101")) {
        connect_failed("WebSocket handshake refused: " +
                       std::string(text.substr(0, text.find('\r'))));
        return false;
      }
      upgrading = false;
      connected = true;
      plain.erase(plain.begin(), plain.begin() + static_cast<std::ptrdiff_t>(end + 4));
      if (listener != nullptr) listener->on_connected({});
      if (finished) return false;
    }
    const auto result = reader.read(std::span<std::uint8_t>(plain), *this);
    if (result.error) return finish("bad WebSocket frame: " + result.error->reason), false;
    if (finished) return false;
    const auto unread = plain.begin() + static_cast<std::ptrdiff_t>(result.consumed);
    if (&plain == &ws_in) {
      ws_in.erase(ws_in.begin(), unread);
      if (ws_in.empty()) release(ws_in);
    } else {
      ws_in.assign(unread, plain.end());
    }
    if (key_update_owed) schedule_flush();
    return true;
  }

  // WsEvents.
  void on_message(bool, ByteView payload) override {
    if (listener != nullptr && !finished) listener->on_message(payload);
  }
  void on_ping(ByteView payload) override { append_frame(WsOpcode::pong, payload); }
  void on_pong() override {}
  void on_close(std::uint16_t code, std::string_view reason) override {
    finish("closed by the server (" + std::to_string(code) + " " + std::string(reason) + ")");
  }

  // ---- Writing --------------------------------------------------------------

  // xorshift64: a fresh masking key per frame. A real client's keys must be
  // unpredictable (RFC 6455 §10.3, against proxy cache poisoning); a load
  // generator on loopback needs only distinct ones.
  std::uint32_t next_random() {
    mask_state ^= mask_state << 13;
    mask_state ^= mask_state >> 7;
    mask_state ^= mask_state << 17;
    return static_cast<std::uint32_t>(mask_state >> 32);
  }

  void append_frame(WsOpcode opcode, ByteView payload) {
    const std::uint32_t r = next_random();
    const std::array<std::uint8_t, 4> mask{
        static_cast<std::uint8_t>(r), static_cast<std::uint8_t>(r >> 8),
        static_cast<std::uint8_t>(r >> 16), static_cast<std::uint8_t>(r >> 24)};
    transport::append_masked_ws_frame(pending, opcode, payload, mask);
    schedule_flush();
  }

  void send(Bytes message) {
    if (finished || closing) return;
    append_frame(WsOpcode::binary, message);
  }

  // One flush per turn of the event loop, for everything sent meanwhile.
  void schedule_flush() {
    if (flush_scheduled || handshake) return;
    flush_scheduled = true;
    net::post(executor, [self = shared_from_this()] {
      self->flush_scheduled = false;
      self->flush();
    });
  }

  void flush() {
    if (waiting_writable || finished || handshake) return;
    if (pending.empty() && !key_update_owed) return;
    Bytes& out = thread_buffers().out;
    out.clear();
    if (key_update_owed) {
      if (!write_keys.seal_key_update(out)) return finish("seal failed");
      key_update_owed = false;
    }
    if (!write_keys.seal_application_data(out, pending)) return finish("seal failed");
    pending.clear();
    if (pending.capacity() > 64 * 1024) release(pending);
    write_out(out);
  }

  void write_out(ByteView out) {
    const auto result = transport::send_now(socket.fd(), out);
    if (result.error != 0) return finish(std::string("send: ") + std::strerror(result.error));
    const std::size_t sent = result.bytes;
    if (sent == out.size()) return;
    unsent.assign(out.begin() + static_cast<std::ptrdiff_t>(sent), out.end());
    waiting_writable = true;  // on_ready() says when there is room
  }

  void on_writable() {
    waiting_writable = false;
    Bytes rest;
    rest.swap(unsent);
    write_out(rest);
    if (!waiting_writable) flush();
  }

  void close() {
    if (finished || closing) return;
    closing = true;
    if (!connected) return cut();
    // Our close frame; the server echoes it and ends the connection.
    std::uint8_t code[2] = {0x03, 0xE8};  // 1000
    append_frame(WsOpcode::close, code);
  }

  void cut() {
    error_code ec;
    if (handshake) {
      handshake->next_layer().close(ec);
    } else {
      socket.close(*this);  // the connection goes once the poller's wake-up is over
    }
  }

  void finish(const std::string& why) {
    if (finished) return;
    finished = true;
    cut();
    release(pending);
    release(unsent);
    if (connected && listener != nullptr) listener->on_closed(why);
  }

  std::size_t queued() const { return pending.size() + unsent.size(); }

  const WsTarget target;
  WsListener* listener;
  net::any_io_executor executor;
  std::unique_ptr<transport::TlsStream> handshake;  // until the TLS handshake is done
  transport::SecretCapture secrets;
  transport::WatchedSocket socket;  // once the handshake is done
  Tls13Direction read_keys;
  Tls13Direction write_keys;
  transport::WsReader reader;
  Bytes tls_in;   // an unfinished record
  Bytes ws_in;    // an unfinished frame (or the upgrade answer)
  Bytes pending;  // frames not sealed yet (masked, in order)
  Bytes unsent;   // sealed, waiting for the socket
  std::uint64_t mask_state = 1;
  bool upgrading = false;
  bool connected = false;
  bool closing = false;
  bool finished = false;
  bool waiting_writable = false;
  bool flush_scheduled = false;
  bool key_update_owed = false;
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
std::size_t WsConnection::queued_bytes() const { return impl_->queued(); }
void WsConnection::close() { impl_->close(); }
bool WsConnection::is_open() const { return impl_->connected && !impl_->finished; }

}  // namespace sotto::bench
