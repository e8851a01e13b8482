// SPDX-License-Identifier: Apache-2.0
// The generator's clocks: message stamps and latency use the steady clock
// (one clock in one process); wall time only where a protocol wants it.
#pragma once

#include <chrono>
#include <cstdint>

namespace sotto::bench {

inline std::uint64_t steady_ns() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                        std::chrono::steady_clock::now().time_since_epoch())
                                        .count());
}

inline std::uint64_t wall_ms() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

}  // namespace sotto::bench
