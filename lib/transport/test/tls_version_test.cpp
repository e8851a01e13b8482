// SPDX-License-Identifier: Apache-2.0
// The server speaks TLS 1.3 only: a client capped at TLS 1.2 is refused in
// the handshake. Raw OpenSSL, independent of our client.
#include <gtest/gtest.h>

#include "raw_websocket.hpp"
#include "test_support.hpp"

namespace sotto::transport::test {
namespace {

TEST(TlsVersion, OnlyTls13IsAccepted) {
  EchoHandler handler;
  auto server = WebSocketServer::start(test_server_options(), shared_identity(), handler);
  ASSERT_TRUE(server);
  const std::uint16_t port = (*server)->port();
  EXPECT_FALSE(RawTlsClient(port, TLS1_2_VERSION).connected());
  EXPECT_FALSE(RawTlsClient(port, TLS1_1_VERSION).connected());
  // The same raw client succeeds once it may use 1.3, so the refusals above
  // are about the version and nothing else.
  RawTlsClient tls13(port, TLS1_3_VERSION);
  ASSERT_TRUE(tls13.connected());
  EXPECT_EQ(tls13.version(), TLS1_3_VERSION);
  EXPECT_TRUE(tls13.upgrade());
  EXPECT_TRUE(wait_until([&] { return handler.opened() == 1; }));
}

}  // namespace
}  // namespace sotto::transport::test
