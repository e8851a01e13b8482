// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include "sotto/client/server_link.hpp"

namespace sotto::client {
namespace {

const std::string kPin(64, 'a');

TEST(Endpoint, ParsesHostPortAndPin) {
  auto e = parse_endpoint("127.0.0.1:7443", kPin);
  ASSERT_TRUE(e) << e.error().message;
  EXPECT_EQ(e->host, "127.0.0.1");
  EXPECT_EQ(e->port, 7443);
  EXPECT_EQ(e->pin[0], 0xaa);
  auto v6 = parse_endpoint("[::1]:9", kPin);
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 9);
}

TEST(Endpoint, RefusesBadInputWithClearErrors) {
  for (const char* bad : {"", "host", "host:", ":80", "host:0", "host:65536", "host:80x", "::1:80",
                          "[::1]80", "[::1]:"}) {
    auto e = parse_endpoint(bad, kPin);
    ASSERT_FALSE(e) << bad;
    EXPECT_EQ(e.error().code, Errc::bad_request) << bad;
  }
  EXPECT_FALSE(parse_endpoint("127.0.0.1:1", "abc"));
  EXPECT_FALSE(parse_endpoint("127.0.0.1:1", std::string(64, 'g')));
}

}  // namespace
}  // namespace sotto::client
