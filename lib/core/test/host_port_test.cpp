// SPDX-License-Identifier: Apache-2.0
#include "sotto/core/host_port.hpp"

#include <gtest/gtest.h>

namespace sotto {
namespace {

TEST(HostPort, Parses) {
  auto a = parse_host_port("127.0.0.1:7443");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 7443);
  auto b = parse_host_port("[::1]:0");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->host, "::1");
  EXPECT_EQ(b->port, 0);
}

TEST(HostPort, Rejects) {
  for (const char* bad :
       {"", "7443", ":7443", "host:", "host:65536", "host:12x", "::1:80", "[]:1", "[::1:80"}) {
    EXPECT_FALSE(parse_host_port(bad)) << bad;
  }
}

}  // namespace
}  // namespace sotto
