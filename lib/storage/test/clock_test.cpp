// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include "sotto/storage/clock.hpp"

namespace sotto::storage {
namespace {

TEST(Clock, ManualClockMovesOnlyWhenTold) {
  ManualClock clock(1'000);
  EXPECT_EQ(clock.now_ms(), 1'000);
  clock.advance(500);
  EXPECT_EQ(clock.now_ms(), 1'500);
  clock.set(42);
  EXPECT_EQ(clock.now_ms(), 42);
}

TEST(Clock, SystemClockIsUnixMilliseconds) {
  SystemClock clock;
  std::int64_t now = clock.now_ms();
  EXPECT_GT(now, 1'600'000'000'000);  // after 2020
  EXPECT_LT(now, 4'100'000'000'000);  // before 2100
}

}  // namespace
}  // namespace sotto::storage
