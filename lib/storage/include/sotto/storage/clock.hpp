// SPDX-License-Identifier: Apache-2.0
// Time as an injected dependency, so expiry and last-seen logic is testable
// without sleeping. Store methods take times as arguments; the server reads
// them from a Clock.
#pragma once

#include <atomic>
#include <cstdint>

namespace sotto::storage {

class Clock {
 public:
  virtual ~Clock() = default;
  // Unix time in milliseconds. Thread-safe in every implementation here.
  virtual std::int64_t now_ms() = 0;
};

// The wall clock (std::chrono::system_clock).
class SystemClock final : public Clock {
 public:
  std::int64_t now_ms() override;
};

// A clock that moves only when told to; for tests.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(std::int64_t start_ms = 0) : now_(start_ms) {}
  std::int64_t now_ms() override { return now_.load(); }
  void set(std::int64_t ms) { now_.store(ms); }
  void advance(std::int64_t ms) { now_.fetch_add(ms); }

 private:
  std::atomic<std::int64_t> now_;
};

}  // namespace sotto::storage
