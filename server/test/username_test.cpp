// SPDX-License-Identifier: Apache-2.0
#include "sotto/server/username.hpp"

#include <gtest/gtest.h>

#include <string>

namespace sotto::server {
namespace {

TEST(Username, Rules) {
  EXPECT_TRUE(valid_username("abc"));
  EXPECT_TRUE(valid_username("Alice_99.x"));
  EXPECT_TRUE(valid_username(std::string(32, 'a')));
  EXPECT_FALSE(valid_username("ab"));
  EXPECT_FALSE(valid_username(std::string(33, 'a')));
  EXPECT_FALSE(valid_username("with space"));
  EXPECT_FALSE(valid_username("dash-no"));
  EXPECT_FALSE(valid_username("caf\xc3\xa9"));
  EXPECT_FALSE(valid_username(std::string("nul\0x", 5)));
  EXPECT_FALSE(valid_username(""));
}

}  // namespace
}  // namespace sotto::server
