// SPDX-License-Identifier: Apache-2.0
#include "sotto/wire/version.hpp"

#include <gtest/gtest.h>

namespace sotto::wire {
namespace {

TEST(VersionByte, PacksBothNibbles) {
  EXPECT_EQ(version_byte(3, 3), 0x33);
  EXPECT_EQ(version_byte(4, 4), 0x44);
  EXPECT_EQ(version_byte(3, 4), 0x34);
  EXPECT_EQ(version_byte(4, 0x1f), 0x4f);  // only the low nibble of current_version
}

TEST(CheckVersionByte, ClassifiesEveryHighNibble) {
  for (int hi = 0; hi < 16; ++hi) {
    for (int lo = 0; lo < 16; ++lo) {
      const auto byte = static_cast<std::uint8_t>((hi << 4) | lo);
      auto r = check_version_byte(byte);
      if (hi < 3) {
        ASSERT_FALSE(r) << hi;
        EXPECT_EQ(r.error().code, Errc::legacy_version);
      } else if (hi > 4) {
        ASSERT_FALSE(r) << hi;
        EXPECT_EQ(r.error().code, Errc::unknown_version);
      } else {
        ASSERT_TRUE(r) << hi;
        EXPECT_EQ(*r, hi);  // the low nibble never matters
      }
    }
  }
}

}  // namespace
}  // namespace sotto::wire
