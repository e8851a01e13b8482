// SPDX-License-Identifier: Apache-2.0
// The safety number laid out as people compare it by eye.
#pragma once

#include <string>
#include <string_view>

namespace sotto::cli::terminal {

// Signal's layout of the 60-digit safety number: 12 groups of 5 digits, 4
// groups per line, 3 lines; groups separated by one space, lines by '\n', no
// trailing newline:
//   "12345 67890 12345 67890\n12345 67890 12345 67890\n12345 67890 12345 67890"
// Any other input is grouped the same way (the last group may be short), so
// a wrong length shows instead of being hidden.
std::string group_digits(std::string_view sixty_digits);

}  // namespace sotto::cli::terminal
