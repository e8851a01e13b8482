// SPDX-License-Identifier: Apache-2.0
#include "tcp_connection.hpp"


#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

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

struct TcpConnection::Impl : std::enable_shared_from_this<Impl> {
  Impl(net::io_context& io, const WsTarget& t, TcpListener& l)
      : target(t), listener(&l), socket(io) {}

  void start() {
    error_code ec;
    const auto server = net::ip::make_address_v4(target.host, ec);
    if (ec) return connect_failed("bad server address " + target.host);
    ec = open_from(socket, target.bind_address);
    if (ec) return connect_failed("socket: " + ec.message());
    socket.async_connect(tcp::endpoint(server, target.port),
                         [self = shared_from_this()](error_code e) { self->on_tcp(e); });
  }

  void on_tcp(error_code ec) {
    if (finished) return;
    if (ec) return connect_failed("connect: " + ec.message());
    socket.set_option(tcp::no_delay(true), ec);
    socket.non_blocking(true, ec);
    connected = true;
    if (listener != nullptr) listener->on_connected({});
    if (finished) return;
    wait_readable();
    if (!pending.empty() && !writing) write_pending();
  }

  void connect_failed(const std::string& why) {
    finished = true;
    cut();
    if (listener != nullptr) listener->on_connected(why);
  }

  void wait_readable() {
    socket.async_wait(tcp::socket::wait_read,
                      [self = shared_from_this()](error_code ec) { self->on_readable(ec); });
  }

  void on_readable(error_code ec) {
    if (finished) return;
    if (ec) return finish(ec.message());
    auto& buffer = read_buffer();
    for (;;) {
      const std::size_t n = socket.read_some(net::buffer(buffer), ec);
      if (ec == net::error::would_block || ec == net::error::try_again) break;
      if (ec == net::error::eof) return finish("closed by the server");
      if (ec) return finish(ec.message());
      if (listener != nullptr) listener->on_data(ByteView(buffer.data(), n));
      if (finished) return;
      if (n < buffer.size()) break;
    }
    wait_readable();
  }

  void send(std::string_view bytes) {
    if (finished || closing) return;
    pending.append(bytes);
    if (connected && !writing) write_pending();
  }

  void write_pending() {
    writing = true;
    writing_buffer.swap(pending);
    pending.clear();
    net::async_write(
        socket, net::buffer(writing_buffer),
        [self = shared_from_this()](error_code ec, std::size_t) { self->on_write(ec); });
  }

  void on_write(error_code ec) {
    writing = false;
    writing_buffer.clear();
    if (ec || finished) {
      pending.clear();  // the read side reports why the connection ended
      return;
    }
    if (!pending.empty()) return write_pending();
    if (closing && !shut_down) shut_down_send();
  }

  void close() {
    if (finished || closing) return;
    closing = true;
    if (!connected) return cut();
    if (!writing && pending.empty()) shut_down_send();
  }

  void shut_down_send() {
    shut_down = true;
    error_code ec;
    socket.shutdown(tcp::socket::shutdown_send, ec);
  }

  void cut() {
    error_code ec;
    socket.close(ec);
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
  tcp::socket socket;
  std::string pending;         // queued, not being written
  std::string writing_buffer;  // being written when `writing`
  bool connected = false;
  bool writing = false;
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
std::size_t TcpConnection::queued_bytes() const {
  return impl_->pending.size() + impl_->writing_buffer.size();
}
void TcpConnection::close() { impl_->close(); }
void TcpConnection::cut() {
  // The pending wait completes with an error and finishes the connection.
  error_code ec;
  impl_->socket.cancel(ec);
  impl_->cut();
}
bool TcpConnection::is_open() const { return impl_->connected && !impl_->finished; }

}  // namespace sotto::bench
