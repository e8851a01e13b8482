// SPDX-License-Identifier: Apache-2.0
#include "tcp_connection.hpp"

#include <sys/socket.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstring>

#include "sotto/transport/edge_poller.hpp"
#include "sotto/transport/socket_io.hpp"
#include "source_address.hpp"
#include "ws_connection.hpp"

namespace sotto::bench {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;

namespace {

// One read buffer for every connection of the (single) I/O thread.
std::array<std::uint8_t, 64 * 1024>& read_buffer() {
  thread_local std::array<std::uint8_t, 64 * 1024> buffer;
  return buffer;
}

}  // namespace

// Connected by Asio, then read and written on the socket directly, watched
// by the thread's EdgePoller as the Sotto connections are: every server meets
// the same generator.
struct TcpConnection::Impl : std::enable_shared_from_this<Impl>, transport::ReadinessListener {
  Impl(net::io_context& io, const WsTarget& t, TcpListener& l)
      : target(t), listener(&l), connecting(io) {}

  void start() {
    error_code ec;
    const auto server = net::ip::make_address_v4(target.host, ec);
    if (ec) return connect_failed("bad server address " + target.host);
    ec = open_from(connecting, target.bind_address);
    if (ec) return connect_failed("socket: " + ec.message());
    connecting.async_connect(tcp::endpoint(server, target.port),
                             [self = shared_from_this()](error_code e) { self->on_tcp(e); });
  }

  void on_tcp(error_code ec) {
    if (finished) return;
    if (ec) return connect_failed("connect: " + ec.message());
    connecting.set_option(tcp::no_delay(true), ec);
    if (const int taken = socket.take(connecting, *this, shared_from_this()); taken != 0) {
      return connect_failed(std::string("socket: ") + std::strerror(taken));
    }
    connected = true;
    if (listener != nullptr) listener->on_connected({});
    if (finished) return;
    write_pending();
  }

  void connect_failed(const std::string& why) {
    finished = true;
    cut();
    if (listener != nullptr) listener->on_connected(why);
  }

  // ReadinessListener (edge-triggered).
  void on_ready(std::uint32_t events) override {
    if (finished) return;
    const auto ready = transport::readiness(events);
    if (ready.read) read_available(ready.to_the_end);
    if (ready.write && waiting_writable && !finished) {
      waiting_writable = false;
      write_pending();
    }
  }

  // `to_the_end`: the server's FIN came with this edge; read until it.
  void read_available(bool to_the_end) {
    auto& buffer = read_buffer();
    for (;;) {
      const auto got = transport::receive_now(socket.fd(), buffer.data(), buffer.size());
      if (got.error != 0) return finish(std::strerror(got.error));
      if (got.eof) return finish("closed by the server");
      if (got.bytes == 0) return;
      if (listener != nullptr) listener->on_data(ByteView(buffer.data(), got.bytes));
      if (finished) return;
      if (got.bytes < buffer.size() && !to_the_end) return;  // the next arrival is an edge
    }
  }

  void send(std::string_view bytes) {
    if (finished || closing) return;
    pending.append(bytes);
    if (connected && !waiting_writable) write_pending();
  }

  // Writes what the socket takes now; the rest waits for room.
  void write_pending() {
    if (finished || pending.empty()) {
      if (closing && !shut_down && pending.empty()) shut_down_send();
      return;
    }
    const auto result = transport::send_now(
        socket.fd(), ByteView(reinterpret_cast<const std::uint8_t*>(pending.data()), pending.size()));
    if (result.error != 0) {
      pending.clear();  // the read side reports why the connection ended
      return;
    }
    pending.erase(0, result.bytes);
    if (!pending.empty()) {
      waiting_writable = true;
      return;
    }
    if (closing && !shut_down) shut_down_send();
  }

  void close() {
    if (finished || closing) return;
    closing = true;
    if (!connected) return cut();
    if (!waiting_writable && pending.empty()) shut_down_send();
  }

  void shut_down_send() {
    shut_down = true;
    ::shutdown(socket.fd(), SHUT_WR);
  }

  void cut() {
    error_code ec;
    connecting.close(ec);
    socket.close(*this);  // the connection goes once the poller's wake-up is over
  }

  void finish(const std::string& why) {
    if (finished) return;
    finished = true;
    cut();
    pending.clear();
    if (connected && listener != nullptr) listener->on_closed(why);
  }

  const WsTarget target;
  TcpListener* listener;
  tcp::socket connecting;           // until connected
  transport::WatchedSocket socket;  // then
  std::string pending;  // queued, not written yet
  bool connected = false;
  bool waiting_writable = false;
  bool closing = false;
  bool shut_down = false;
  bool finished = false;
};

std::unique_ptr<TcpConnection> TcpConnection::create(net::io_context& io, const WsTarget& target,
                                                     TcpListener& listener) {
  return std::unique_ptr<TcpConnection>(
      new TcpConnection(std::make_shared<Impl>(io, target, listener)));
}

TcpConnection::TcpConnection(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

TcpConnection::~TcpConnection() {
  impl_->listener = nullptr;
  if (!impl_->finished) {
    impl_->finished = true;
    impl_->cut();
  }
}

void TcpConnection::start() { impl_->start(); }
void TcpConnection::send(std::string_view bytes) { impl_->send(bytes); }
std::size_t TcpConnection::queued_bytes() const { return impl_->pending.size(); }
void TcpConnection::close() { impl_->close(); }
bool TcpConnection::is_open() const { return impl_->connected && !impl_->finished; }

}  // namespace sotto::bench
