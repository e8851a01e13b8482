// SPDX-License-Identifier: Apache-2.0
// The token buckets behind the service's rate limits, on a hand-moved clock.
#include "rate_limit.hpp"

#include <gtest/gtest.h>

namespace sotto::server {
namespace {

storage::AccountId account(std::uint8_t n) {
  storage::AccountId id{};
  id.fill(n);
  return id;
}

TEST(TokenBucket, BurstThenRefillAtTheRate) {
  const RateLimit limit{3, 2.0};  // 3 at once, then one per 500 ms
  TokenBucket bucket(limit, 1'000);
  EXPECT_EQ(bucket.take(limit, 1'000), 0);
  EXPECT_EQ(bucket.take(limit, 1'000), 0);
  EXPECT_EQ(bucket.take(limit, 1'000), 0);
  EXPECT_EQ(bucket.take(limit, 1'000), 500);  // how long until the next token
  EXPECT_EQ(bucket.take(limit, 1'200), 300);
  EXPECT_EQ(bucket.take(limit, 1'500), 0);
  EXPECT_EQ(bucket.take(limit, 1'500), 500);
  EXPECT_FALSE(bucket.full(limit, 2'900));
  EXPECT_TRUE(bucket.full(limit, 3'000));  // refills to the burst, not beyond
  EXPECT_EQ(bucket.take(limit, 100'000), 0);
  EXPECT_EQ(bucket.take(limit, 100'000), 0);
  EXPECT_EQ(bucket.take(limit, 100'000), 0);
  EXPECT_GT(bucket.take(limit, 100'000), 0);
}

TEST(TokenBucket, SlowRatesRoundTheWaitUp) {
  const RateLimit limit{1, 0.3};
  TokenBucket bucket(limit, 0);
  EXPECT_EQ(bucket.take(limit, 0), 0);
  EXPECT_EQ(bucket.take(limit, 0), 3'334);
}

TEST(TokenBucket, ClockGoingBackNeitherRefillsNorStalls) {
  const RateLimit limit{1, 1.0};
  TokenBucket bucket(limit, 10'000);
  EXPECT_EQ(bucket.take(limit, 10'000), 0);
  EXPECT_EQ(bucket.take(limit, 5'000), 1'000);  // an hour back: one second, not an hour
  EXPECT_EQ(bucket.take(limit, 6'000), 0);
}

TEST(TokenBucket, ZeroBurstOrRateTurnsTheLimitOff) {
  for (const RateLimit off : {RateLimit{0, 5.0}, RateLimit{5, 0.0}}) {
    TokenBucket bucket(off, 0);
    for (int i = 0; i < 1000; ++i) ASSERT_EQ(bucket.take(off, 0), 0);
  }
}

TEST(AccountRateLimiter, AccountsHaveTheirOwnBuckets) {
  AccountRateLimiter limiter({2, 1.0});
  EXPECT_EQ(limiter.take(account(1), 0), 0);
  EXPECT_EQ(limiter.take(account(1), 0), 0);
  EXPECT_EQ(limiter.take(account(1), 0), 1'000);
  EXPECT_EQ(limiter.take(account(2), 0), 0);
  EXPECT_EQ(limiter.take(account(1), 1'000), 0);
}

TEST(AccountRateLimiter, IdleAccountsAreForgotten) {
  AccountRateLimiter limiter({10, 1.0});  // refills completely in 10 s
  for (std::uint8_t n = 0; n < 200; ++n) EXPECT_EQ(limiter.take(account(n), 0), 0);
  EXPECT_EQ(limiter.tracked(), 200u);
  // One account stays busy; the others fall idle and refill.
  for (std::int64_t t = 1'000; t <= 30'000; t += 1'000) (void)limiter.take(account(7), t);
  EXPECT_EQ(limiter.tracked(), 1u);
  // A forgotten account starts over with a full bucket, as it would have.
  for (int i = 0; i < 10; ++i) EXPECT_EQ(limiter.take(account(9), 30'000), 0);
  EXPECT_GT(limiter.take(account(9), 30'000), 0);
}

}  // namespace
}  // namespace sotto::server
