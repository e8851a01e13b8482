// SPDX-License-Identifier: Apache-2.0
// The version byte that opens every Signal message: (message_version << 4) | current_version.
// Receivers read only the high nibble (spec/signal-wire.md §4, §5).
#pragma once

#include <cstdint>

#include "sotto/core/result.hpp"

namespace sotto::wire {

constexpr std::uint8_t kVersion3 = 3;  // X3DH, libsignal-protocol-c
constexpr std::uint8_t kVersion4 = 4;  // PQXDH + SPQR, libsignal

constexpr std::uint8_t version_byte(std::uint8_t message_version, std::uint8_t current_version) {
  return static_cast<std::uint8_t>((message_version << 4) | (current_version & 0x0f));
}

// Checks the high nibble: < 3 is Errc::legacy_version, > 4 Errc::unknown_version.
// Returns the message version (3 or 4).
Result<std::uint8_t> check_version_byte(std::uint8_t byte);

}  // namespace sotto::wire
