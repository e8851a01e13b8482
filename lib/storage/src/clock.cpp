// SPDX-License-Identifier: Apache-2.0
#include "sotto/storage/clock.hpp"

#include <chrono>

namespace sotto::storage {

std::int64_t SystemClock::now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace sotto::storage
