// SPDX-License-Identifier: Apache-2.0
// The server's own TLS record layer and WebSocket framing against OpenSSL's
// client (blocking, no Beast): key updates both ways, the ChaCha20 suite,
// refused suites, tampered records, close_notify, pipelined requests and
// fragmented messages. Beast's client is the other peer, in
// server_client_test.cpp.
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <string>

#include "raw_websocket.hpp"
#include "test_support.hpp"

namespace sotto::transport::test {
namespace {

class ServerRecordLayer : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = WebSocketServer::start(test_server_options(), shared_identity(), handler_);
    ASSERT_TRUE(server) << server.error().message;
    server_ = std::move(*server);
  }

  // One echo round trip over `raw`: a Request out, its Response back.
  static void expect_echo(RawTlsClient& raw, std::uint64_t id, std::string_view body) {
    const Bytes request = wire::encode_frame(wire::Request{id, "echo", to_bytes(body)});
    ASSERT_TRUE(raw.write(RawTlsClient::client_frame(0x2, request)));
    auto frame = raw.read_frame();
    ASSERT_TRUE(frame);
    ASSERT_EQ(frame->first, 0x2);
    auto parsed = wire::parse_frame(frame->second);
    ASSERT_TRUE(parsed);
    EXPECT_EQ(*parsed, wire::Frame(wire::Response{id, 200, {}, to_bytes(body)}));
  }

  EchoHandler handler_;
  std::unique_ptr<WebSocketServer> server_;
};

TEST_F(ServerRecordLayer, KeyUpdatesFromTheClientAreFollowedAndAnswered) {
  RawTlsClient raw(server_->port(), TLS1_3_VERSION);
  ASSERT_TRUE(raw.connected());
  ASSERT_TRUE(raw.upgrade());
  expect_echo(raw, 1, "before");
  // update_requested: the server must roll its read key and send a
  // KeyUpdate of its own before its next data, which OpenSSL then follows.
  ASSERT_EQ(SSL_key_update(raw.ssl(), SSL_KEY_UPDATE_REQUESTED), 1);
  expect_echo(raw, 2, "after a requested update");
  ASSERT_EQ(SSL_key_update(raw.ssl(), SSL_KEY_UPDATE_NOT_REQUESTED), 1);
  expect_echo(raw, 3, "after an unrequested update");
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(SSL_key_update(raw.ssl(), SSL_KEY_UPDATE_REQUESTED), 1);
    expect_echo(raw, 4 + i, "again");
  }
}

TEST_F(ServerRecordLayer, ChaCha20Poly1305IsServed) {
  RawTlsClient raw(server_->port(), TLS1_3_VERSION, "TLS_CHACHA20_POLY1305_SHA256");
  ASSERT_TRUE(raw.connected());
  EXPECT_STREQ(SSL_CIPHER_get_name(SSL_get_current_cipher(raw.ssl())),
               "TLS_CHACHA20_POLY1305_SHA256");
  ASSERT_TRUE(raw.upgrade());
  expect_echo(raw, 1, "chacha");
}

TEST_F(ServerRecordLayer, Aes128GcmIsPreferred) {
  RawTlsClient raw(server_->port(), TLS1_3_VERSION);
  ASSERT_TRUE(raw.connected());
  EXPECT_STREQ(SSL_CIPHER_get_name(SSL_get_current_cipher(raw.ssl())), "TLS_AES_128_GCM_SHA256");
}

TEST_F(ServerRecordLayer, AClientWithOnlyAes256IsRefusedInTheHandshake) {
  RawTlsClient raw(server_->port(), TLS1_3_VERSION, "TLS_AES_256_GCM_SHA384");
  EXPECT_FALSE(raw.connected());
}

TEST_F(ServerRecordLayer, LargeMessagesCrossManyRecordsBothWays) {
  RawTlsClient raw(server_->port(), TLS1_3_VERSION);
  ASSERT_TRUE(raw.connected());
  ASSERT_TRUE(raw.upgrade());
  // 60 000 bytes: four records each way, and a 16-bit WebSocket length.
  expect_echo(raw, 1, std::string(60'000, 'x'));
  expect_echo(raw, 2, "small after large");
}

TEST_F(ServerRecordLayer, ATamperedRecordEndsTheConnectionWithAnAlert) {
  RawTlsClient raw(server_->port(), TLS1_3_VERSION);
  ASSERT_TRUE(raw.connected());
  ASSERT_TRUE(raw.upgrade());
  wait_until([&] { return handler_.opened() == 1; });
  // A well-formed header and 32 bytes no key sealed, past OpenSSL.
  Bytes forged{0x17, 0x03, 0x03, 0x00, 0x20};
  forged.resize(forged.size() + 32, 0xab);
  ASSERT_EQ(::send(raw.fd(), forged.data(), forged.size(), MSG_NOSIGNAL),
            static_cast<ssize_t>(forged.size()));
  // The server's bad_record_mac alert reaches OpenSSL as a fatal error.
  std::uint8_t byte = 0;
  EXPECT_LE(SSL_read(raw.ssl(), &byte, 1), 0);
  EXPECT_TRUE(wait_until([&] { return handler_.closed() == 1; }));
}

TEST_F(ServerRecordLayer, CloseNotifyFromTheClientClosesTheConnection) {
  RawTlsClient raw(server_->port(), TLS1_3_VERSION);
  ASSERT_TRUE(raw.connected());
  ASSERT_TRUE(raw.upgrade());
  expect_echo(raw, 1, "bye soon");
  EXPECT_GE(SSL_shutdown(raw.ssl()), 0);
  EXPECT_TRUE(wait_until([&] { return handler_.closed() == 1; }));
}

TEST_F(ServerRecordLayer, AFrameRightBehindTheUpgradeRequestIsServed) {
  RawTlsClient raw(server_->port(), TLS1_3_VERSION);
  ASSERT_TRUE(raw.connected());
  // Request and first frame in one record.
  Bytes both = to_bytes(RawTlsClient::upgrade_request());
  append(both, RawTlsClient::client_frame(
                   0x2, wire::encode_frame(wire::Request{9, "echo", to_bytes("eager")})));
  ASSERT_TRUE(raw.write(both));
  ASSERT_TRUE(raw.read_upgrade_answer());
  auto frame = raw.read_frame();
  ASSERT_TRUE(frame);
  EXPECT_EQ(*wire::parse_frame(frame->second),
            wire::Frame(wire::Response{9, 200, {}, to_bytes("eager")}));
}

TEST_F(ServerRecordLayer, AFragmentedMessageWithAPingInsideIsReassembled) {
  RawTlsClient raw(server_->port(), TLS1_3_VERSION);
  ASSERT_TRUE(raw.connected());
  ASSERT_TRUE(raw.upgrade());
  const Bytes message = wire::encode_frame(wire::Request{5, "echo", to_bytes("in three parts")});
  const ByteView view(message);
  // Every frame in its own record: the reader must carry fragments across.
  ASSERT_TRUE(raw.write(RawTlsClient::client_frame(0x2, view.first(4), false)));
  ASSERT_TRUE(raw.write(RawTlsClient::client_frame(0x9, to_bytes("are you there"))));
  ASSERT_TRUE(raw.write(RawTlsClient::client_frame(0x0, view.subspan(4, 6), false)));
  ASSERT_TRUE(raw.write(RawTlsClient::client_frame(0x0, view.subspan(10), true)));
  auto pong = raw.read_frame();
  ASSERT_TRUE(pong);
  EXPECT_EQ(pong->first, 0xA);
  EXPECT_EQ(pong->second, to_bytes("are you there"));
  auto answer = raw.read_frame();
  ASSERT_TRUE(answer);
  EXPECT_EQ(*wire::parse_frame(answer->second),
            wire::Frame(wire::Response{5, 200, {}, to_bytes("in three parts")}));
}

TEST_F(ServerRecordLayer, AnUpgradeWithoutAKeyIsRefusedWith400) {
  RawTlsClient raw(server_->port(), TLS1_3_VERSION);
  ASSERT_TRUE(raw.connected());
  ASSERT_TRUE(
      raw.write(to_bytes("GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                         "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n")));
  std::string answer;
  char c = 0;
  while (SSL_read(raw.ssl(), &c, 1) == 1) answer.push_back(c);
  EXPECT_EQ(answer.rfind("HTTP/1.1 400", 0), 0u) << answer;
  EXPECT_EQ(handler_.opened(), 0);
}

TEST_F(ServerRecordLayer, ACloseFrameIsEchoedAndFollowedByCloseNotify) {
  RawTlsClient raw(server_->port(), TLS1_3_VERSION);
  ASSERT_TRUE(raw.connected());
  ASSERT_TRUE(raw.upgrade());
  ASSERT_TRUE(raw.write(RawTlsClient::client_frame(0x8, Bytes{0x03, 0xE8})));  // 1000
  auto close = raw.read_frame();
  ASSERT_TRUE(close);
  EXPECT_EQ(close->first, 0x8);
  EXPECT_EQ(close->second, (Bytes{0x03, 0xE8}));
  std::uint8_t byte = 0;
  EXPECT_EQ(SSL_read(raw.ssl(), &byte, 1), 0);
  EXPECT_EQ(SSL_get_error(raw.ssl(), 0), SSL_ERROR_ZERO_RETURN);  // close_notify, not a cut
  EXPECT_TRUE(wait_until([&] { return handler_.closed() == 1; }));
}

}  // namespace
}  // namespace sotto::transport::test

namespace sotto::transport::test {
namespace {

// Ends a raw client with a TCP reset instead of a FIN.
void reset(RawTlsClient& raw) {
  linger hard{1, 0};
  ::setsockopt(raw.fd(), SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
  ::shutdown(raw.fd(), SHUT_RDWR);
}

TEST_F(ServerRecordLayer, EveryOpenedConnectionIsClosedOnceHoweverItEnds) {
  constexpr int kClients = 24;
  for (int i = 0; i < kClients; ++i) {
    RawTlsClient raw(server_->port(), TLS1_3_VERSION);
    ASSERT_TRUE(raw.connected());
    ASSERT_TRUE(raw.upgrade());
    const Bytes close_request = wire::encode_frame(wire::Request{1, "close", {}});
    switch (i % 4) {
      case 0:  // the server closes while the client keeps sending, then resets
        ASSERT_TRUE(raw.write(RawTlsClient::client_frame(0x2, close_request)));
        for (int k = 0; k < 50; ++k) (void)raw.write(RawTlsClient::client_frame(0x9, {}));
        reset(raw);
        break;
      case 1:  // a close frame, then a reset before the answer is read
        ASSERT_TRUE(raw.write(RawTlsClient::client_frame(0x8, Bytes{0x03, 0xE8})));
        reset(raw);
        break;
      case 2:  // a text frame (the server closes with 1003), then a broken frame
        ASSERT_TRUE(raw.write(RawTlsClient::client_frame(0x1, to_bytes("hi"))));
        ASSERT_TRUE(raw.write(Bytes{0x82, 0x05, 'h', 'e', 'l', 'l', 'o'}));  // unmasked
        break;
      default:  // a plain reset mid-conversation
        reset(raw);
        break;
    }
  }
  EXPECT_TRUE(wait_until([&] { return handler_.opened() == kClients; }));
  EXPECT_TRUE(wait_until([&] { return handler_.closed() == kClients; }))
      << handler_.closed() << " of " << kClients << " closed";
  EXPECT_TRUE(wait_until([&] { return server_->connection_count() == 0; }));
}

}  // namespace
}  // namespace sotto::transport::test
