// SPDX-License-Identifier: Apache-2.0
#include "sotto/wire/version.hpp"

#include <string>

namespace sotto::wire {

Result<std::uint8_t> check_version_byte(std::uint8_t byte) {
  // Only the high nibble (the message version) matters to a receiver. The low
  // nibble is the sender's "current version", which both reference libraries
  // ignore on receipt, so we do too.
  const auto version = static_cast<std::uint8_t>(byte >> 4);
  if (version < kVersion3) {
    return fail(Errc::legacy_version, "message version too old: " + std::to_string(version));
  }
  if (version > kVersion4) {
    return fail(Errc::unknown_version, "message version unrecognized: " + std::to_string(version));
  }
  return version;
}

}  // namespace sotto::wire
