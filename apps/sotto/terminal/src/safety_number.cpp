// SPDX-License-Identifier: Apache-2.0
#include "sotto/cli/terminal/safety_number.hpp"

#include <cstddef>

namespace sotto::cli::terminal {
namespace {

constexpr std::size_t kGroupSize = 5;
constexpr std::size_t kGroupsPerLine = 4;

}  // namespace

std::string group_digits(std::string_view sixty_digits) {
  std::string out;
  out.reserve(sixty_digits.size() + sixty_digits.size() / kGroupSize);
  for (std::size_t group = 0; group * kGroupSize < sixty_digits.size(); ++group) {
    if (group != 0) out.push_back(group % kGroupsPerLine == 0 ? '\n' : ' ');
    out.append(sixty_digits.substr(group * kGroupSize, kGroupSize));
  }
  return out;
}

}  // namespace sotto::cli::terminal
