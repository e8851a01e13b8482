// SPDX-License-Identifier: Apache-2.0
#include "rate_limit.hpp"

#include <algorithm>
#include <cmath>

namespace sotto::server {

namespace {

constexpr double kMsPerSecond = 1000.0;

// How long an empty bucket takes to refill completely (at least 1 s, so a
// sweep never runs more than once a second).
std::int64_t refill_period_ms(const RateLimit& limit) {
  const double ms = static_cast<double>(limit.burst) / limit.per_second * kMsPerSecond;
  return std::max<std::int64_t>(1000, static_cast<std::int64_t>(std::ceil(ms)));
}

}  // namespace

bool limit_on(const RateLimit& limit) noexcept { return limit.burst > 0 && limit.per_second > 0; }

TokenBucket::TokenBucket(const RateLimit& limit, std::int64_t now_ms) noexcept
    : tokens_(static_cast<double>(limit.burst)), updated_ms_(now_ms) {}

double TokenBucket::level(const RateLimit& limit, std::int64_t now_ms) const noexcept {
  // A clock that went back refills nothing (and takes nothing away).
  const std::int64_t elapsed = std::max<std::int64_t>(0, now_ms - updated_ms_);
  return std::min(static_cast<double>(limit.burst),
                  tokens_ + static_cast<double>(elapsed) * limit.per_second / kMsPerSecond);
}

std::int64_t TokenBucket::take(const RateLimit& limit, std::int64_t now_ms) noexcept {
  if (!limit_on(limit)) return 0;
  tokens_ = level(limit, now_ms);
  updated_ms_ = now_ms;
  if (tokens_ >= 1.0) {
    tokens_ -= 1.0;
    return 0;
  }
  const double wait_ms = (1.0 - tokens_) / limit.per_second * kMsPerSecond;
  // The slack keeps rounding noise (0.999 tokens read as 0.99899...) from
  // adding a millisecond.
  return std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(wait_ms - 1e-6)));
}

bool TokenBucket::full(const RateLimit& limit, std::int64_t now_ms) const noexcept {
  return level(limit, now_ms) >= static_cast<double>(limit.burst);
}

std::int64_t AccountRateLimiter::take(const storage::AccountId& account, std::int64_t now_ms) {
  if (!limit_on(limit_)) return 0;
  std::lock_guard lock(mu_);
  sweep(now_ms);
  auto it = buckets_.try_emplace(account, limit_, now_ms).first;
  return it->second.take(limit_, now_ms);
}

std::size_t AccountRateLimiter::tracked() const {
  std::lock_guard lock(mu_);
  return buckets_.size();
}

void AccountRateLimiter::sweep(std::int64_t now_ms) {
  // Also when the clock went back: a sweep too many costs little.
  if (now_ms >= last_sweep_ms_ && now_ms - last_sweep_ms_ < refill_period_ms(limit_)) return;
  last_sweep_ms_ = now_ms;
  std::erase_if(buckets_, [&](const auto& entry) { return entry.second.full(limit_, now_ms); });
}

}  // namespace sotto::server
