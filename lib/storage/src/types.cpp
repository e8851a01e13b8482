// SPDX-License-Identifier: Apache-2.0
#include "sotto/storage/types.hpp"

namespace sotto::storage {

std::int64_t utc_day_start(std::int64_t ms) noexcept {
  // Floor division, so times before 1970 land on their own day too.
  std::int64_t day = ms / kDayMs;
  if (ms % kDayMs < 0) --day;
  return day * kDayMs;
}

std::string fold_username(std::string_view username) {
  std::string folded(username);
  for (char& c : folded) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return folded;
}

}  // namespace sotto::storage
