// SPDX-License-Identifier: Apache-2.0
// TlsStream on both ends of a loopback TCP connection, one io_context run by
// the test thread: handshake, data both ways, gathered and large writes
// against a reader that lags (OpenSSL's WANT_WRITE retry), TLS 1.3 key
// updates, and how the stream ends (close_notify, TCP cut, local close).
#include "sotto/transport/tls_stream.hpp"

#include <gtest/gtest.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "test_support.hpp"
#include "tls_context.hpp"

namespace sotto::transport {
namespace {

using detail::make_client_tls_context;
using detail::make_server_tls_context;
using detail::SslCtxPtr;

namespace net = boost::asio;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;
using namespace std::chrono_literals;

std::vector<std::uint8_t> pattern(std::size_t size) {
  std::vector<std::uint8_t> out(size);
  for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<std::uint8_t>(i * 7 + i / 251);
  return out;
}

class TlsStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server_ctx = make_server_tls_context(test::shared_identity());
    auto client_ctx = make_client_tls_context();
    ASSERT_TRUE(server_ctx && client_ctx);
    server_ctx_ = std::move(*server_ctx);
    client_ctx_ = std::move(*client_ctx);
    tcp::acceptor acceptor(io_, tcp::endpoint(net::ip::address_v4::loopback(), 0));
    tcp::socket client_socket(io_);
    client_socket.connect(acceptor.local_endpoint());
    tcp::socket server_socket = acceptor.accept();
    server_.emplace(std::move(server_socket), server_ctx_.get());
    client_.emplace(std::move(client_socket), client_ctx_.get());
    // The pin check is the client's business (client.cpp); here any
    // certificate will do.
    SSL_set_verify(client_->native_handle(), SSL_VERIFY_NONE, nullptr);
  }

  // Runs the io_context until nothing is left (or a generous deadline).
  void run() {
    io_.restart();
    io_.run_for(20s);
  }

  void handshake() {
    std::optional<error_code> server_ec;
    std::optional<error_code> client_ec;
    server_->async_handshake(TlsStream::server, [&](error_code ec) { server_ec = ec; });
    client_->async_handshake(TlsStream::client, [&](error_code ec) { client_ec = ec; });
    run();
    ASSERT_TRUE(server_ec && client_ec);
    ASSERT_FALSE(*server_ec) << server_ec->message();
    ASSERT_FALSE(*client_ec) << client_ec->message();
  }

  // Sends `data` from `from` and reads exactly as much at `to`.
  std::vector<std::uint8_t> transfer(TlsStream& from, TlsStream& to,
                                     const std::vector<std::uint8_t>& data) {
    std::vector<std::uint8_t> received(data.size());
    error_code write_ec;
    error_code read_ec;
    net::async_write(from, net::buffer(data), [&](error_code ec, std::size_t) { write_ec = ec; });
    net::async_read(to, net::buffer(received), [&](error_code ec, std::size_t) { read_ec = ec; });
    run();
    EXPECT_FALSE(write_ec) << write_ec.message();
    EXPECT_FALSE(read_ec) << read_ec.message();
    return received;
  }

  net::io_context io_{1};
  SslCtxPtr server_ctx_;
  SslCtxPtr client_ctx_;
  std::optional<TlsStream> server_;
  std::optional<TlsStream> client_;
};

TEST_F(TlsStreamTest, HandshakesAndCarriesDataBothWays) {
  handshake();
  EXPECT_EQ(SSL_version(server_->native_handle()), TLS1_3_VERSION);
  const auto hello = pattern(100);
  EXPECT_EQ(transfer(*client_, *server_, hello), hello);
  const auto answer = pattern(3000);
  EXPECT_EQ(transfer(*server_, *client_, answer), answer);
}

TEST_F(TlsStreamTest, GatheredWriteArrivesWhole) {
  handshake();
  // A frame header, a payload over one record, a tail: what Beast hands over.
  const auto header = pattern(10);
  const auto payload = pattern(100'000);
  const auto tail = pattern(7);
  std::vector<std::uint8_t> expected = header;
  expected.insert(expected.end(), payload.begin(), payload.end());
  expected.insert(expected.end(), tail.begin(), tail.end());
  const std::array<net::const_buffer, 3> buffers{net::buffer(header), net::buffer(payload),
                                                 net::buffer(tail)};
  std::vector<std::uint8_t> received(expected.size());
  error_code write_ec;
  error_code read_ec;
  net::async_write(*client_, buffers, [&](error_code ec, std::size_t) { write_ec = ec; });
  net::async_read(*server_, net::buffer(received),
                  [&](error_code ec, std::size_t) { read_ec = ec; });
  run();
  EXPECT_FALSE(write_ec);
  EXPECT_FALSE(read_ec);
  EXPECT_EQ(received, expected);
}

TEST_F(TlsStreamTest, LargeWriteToALaggingReaderArrivesIntact) {
  handshake();
  // Small kernel buffers so that the writer runs into WANT_WRITE in the
  // middle of records and must retry them, while the reader starts late.
  // (Not much smaller: with a receive window under one loopback MSS, TCP
  // itself crawls along on zero-window probes.)
  server_->next_layer().set_option(net::socket_base::send_buffer_size(64 * 1024));
  client_->next_layer().set_option(net::socket_base::receive_buffer_size(64 * 1024));
  const auto data = pattern(4 * 1024 * 1024 + 123);
  std::vector<std::uint8_t> received(data.size());
  error_code write_ec;
  error_code read_ec;
  bool written = false;
  net::async_write(*server_, net::buffer(data), [&](error_code ec, std::size_t) {
    write_ec = ec;
    written = true;
  });
  net::steady_timer later(io_, 200ms);
  later.async_wait([&](error_code) {
    EXPECT_FALSE(written);  // the writer did have to wait for the reader
    net::async_read(*client_, net::buffer(received),
                    [&](error_code ec, std::size_t) { read_ec = ec; });
  });
  run();
  EXPECT_TRUE(written);
  EXPECT_FALSE(write_ec) << write_ec.message();
  EXPECT_FALSE(read_ec) << read_ec.message();
  EXPECT_TRUE(received == data);
}

TEST_F(TlsStreamTest, KeyUpdatesInBothDirectionsKeepTheDataFlowing) {
  handshake();
  // The client asks for an update of both directions; the server's answer
  // goes out with its next write.
  ASSERT_EQ(SSL_key_update(client_->native_handle(), SSL_KEY_UPDATE_REQUESTED), 1);
  const auto first = pattern(500);
  EXPECT_EQ(transfer(*client_, *server_, first), first);
  const auto second = pattern(700);
  EXPECT_EQ(transfer(*server_, *client_, second), second);
  ASSERT_EQ(SSL_key_update(server_->native_handle(), SSL_KEY_UPDATE_REQUESTED), 1);
  EXPECT_EQ(transfer(*server_, *client_, first), first);
  EXPECT_EQ(transfer(*client_, *server_, second), second);
}

TEST_F(TlsStreamTest, CompletionOfBufferedDataIsNotInline) {
  handshake();
  // Two records in one go: read-ahead takes both in with one recv, so the
  // second read has its data at once, and must still complete via the
  // io_context rather than inside async_read_some.
  const auto a = pattern(50);
  const auto b = pattern(60);
  net::async_write(*client_, net::buffer(a), [&](error_code ec, std::size_t) {
    ASSERT_FALSE(ec);
    net::async_write(*client_, net::buffer(b), [](error_code, std::size_t) {});
  });
  run();
  std::vector<std::uint8_t> got(200);
  std::size_t n1 = 0;
  server_->async_read_some(net::buffer(got), [&](error_code ec, std::size_t n) {
    EXPECT_FALSE(ec);
    n1 = n;
  });
  run();
  ASSERT_GT(n1, 0u);
  bool called = false;
  server_->async_read_some(net::buffer(got), [&](error_code ec, std::size_t n) {
    EXPECT_FALSE(ec);
    EXPECT_EQ(n1 + n, a.size() + b.size());
    called = true;
  });
  EXPECT_FALSE(called);
  run();
  EXPECT_TRUE(called);
}

TEST_F(TlsStreamTest, CloseNotifyReadsAsEof) {
  handshake();
  std::optional<error_code> shutdown_ec;
  std::optional<error_code> read_ec;
  client_->async_shutdown([&](error_code ec) { shutdown_ec = ec; });
  std::array<std::uint8_t, 16> buffer{};
  server_->async_read_some(net::buffer(buffer), [&](error_code ec, std::size_t) { read_ec = ec; });
  run();
  ASSERT_TRUE(shutdown_ec && read_ec);
  EXPECT_FALSE(*shutdown_ec);
  EXPECT_EQ(*read_ec, net::error::eof);
}

TEST_F(TlsStreamTest, TcpCloseWithoutCloseNotifyReadsAsTruncated) {
  handshake();
  client_->next_layer().close();
  std::optional<error_code> read_ec;
  std::array<std::uint8_t, 16> buffer{};
  server_->async_read_some(net::buffer(buffer), [&](error_code ec, std::size_t) { read_ec = ec; });
  run();
  ASSERT_TRUE(read_ec);
  EXPECT_EQ(*read_ec, net::ssl::error::stream_truncated);
}

TEST_F(TlsStreamTest, ClosingTheSocketAbortsPendingAndLaterOperations) {
  handshake();
  std::optional<error_code> read_ec;
  std::array<std::uint8_t, 16> buffer{};
  server_->async_read_some(net::buffer(buffer), [&](error_code ec, std::size_t) { read_ec = ec; });
  net::steady_timer soon(io_, 20ms);
  soon.async_wait([&](error_code) { server_->next_layer().close(); });
  run();
  ASSERT_TRUE(read_ec);
  EXPECT_EQ(*read_ec, net::error::operation_aborted);
  // The descriptor number may belong to another socket by now: no more I/O.
  std::optional<error_code> write_ec;
  net::async_write(*server_, net::buffer(buffer),
                   [&](error_code ec, std::size_t) { write_ec = ec; });
  run();
  ASSERT_TRUE(write_ec);
  EXPECT_TRUE(*write_ec);
}

TEST_F(TlsStreamTest, HandshakeWithAPlainTcpPeerFails) {
  // A peer that speaks no TLS and hangs up.
  std::optional<error_code> server_ec;
  server_->async_handshake(TlsStream::server, [&](error_code ec) { server_ec = ec; });
  const std::string junk = "GET / HTTP/1.1\r\n\r\n";
  net::write(client_->next_layer(), net::buffer(junk));
  client_->next_layer().close();
  run();
  ASSERT_TRUE(server_ec);
  EXPECT_TRUE(*server_ec);
}

}  // namespace
}  // namespace sotto::transport
