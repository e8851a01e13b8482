// SPDX-License-Identifier: Apache-2.0
// Token buckets for the service's rate limits (docs/server-design.md
// "Limits"). Time comes from the caller (the service's injected Clock), so the
// limits are testable without sleeping.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>

#include "sotto/server/service.hpp"
#include "sotto/storage/types.hpp"

namespace sotto::server {

// Whether `limit` limits anything (burst 0 or a rate <= 0 turns it off).
[[nodiscard]] bool limit_on(const RateLimit& limit) noexcept;

// One bucket of up to limit.burst tokens, refilled at limit.per_second. Not
// thread-safe: its owner locks. The limit is passed in, not kept, so a
// per-connection bucket costs 16 bytes.
class TokenBucket {
 public:
  // A full bucket.
  TokenBucket(const RateLimit& limit, std::int64_t now_ms) noexcept;

  // Takes one token: 0 if there was one, else the milliseconds until there
  // will be one (at least 1). Always 0 when the limit is off.
  std::int64_t take(const RateLimit& limit, std::int64_t now_ms) noexcept;

  // Whether the bucket will have refilled completely by `now_ms`, i.e. it is
  // no different from a new one and can be forgotten.
  [[nodiscard]] bool full(const RateLimit& limit, std::int64_t now_ms) const noexcept;

 private:
  [[nodiscard]] double level(const RateLimit& limit, std::int64_t now_ms) const noexcept;

  double tokens_;
  std::int64_t updated_ms_;
};

// A bucket per account. Thread-safe. Memory is bounded by the accounts active
// lately: buckets that have refilled completely are dropped, in a sweep at
// most once per refill period (burst / per_second), so an account idle for
// two periods costs nothing.
class AccountRateLimiter {
 public:
  explicit AccountRateLimiter(const RateLimit& limit) : limit_(limit) {}

  // TokenBucket::take for `account`'s bucket (a new account starts full).
  std::int64_t take(const storage::AccountId& account, std::int64_t now_ms);

  // Buckets currently kept (tests: memory stays bounded).
  [[nodiscard]] std::size_t tracked() const;

 private:
  void sweep(std::int64_t now_ms);  // REQUIRES: mu_ held

  const RateLimit limit_;
  mutable std::mutex mu_;
  std::map<storage::AccountId, TokenBucket> buckets_;
  std::int64_t last_sweep_ms_ = 0;
};

}  // namespace sotto::server
