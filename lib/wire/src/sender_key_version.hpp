// SPDX-License-Identifier: Apache-2.0
// The version rule shared by both v3 Sender Keys messages. Private to lib/wire.
#pragma once

#include <cstdint>
#include <string>

#include "sotto/core/result.hpp"
#include "sotto/wire/version.hpp"

namespace sotto::wire::detail {

// The C library's layout exists only as version 3. A 4 in the nibble is a
// valid Signal version but one whose Sender Keys use libsignal's different
// field numbers, so this parser must not guess: unknown_version.
inline Status check_sender_key_version(std::uint8_t byte, const char* what) {
  auto version = check_version_byte(byte);
  if (!version) return tl::unexpected(version.error());
  if (*version != kVersion3) {
    return fail(Errc::unknown_version, std::string(what) + ": only version 3 uses this layout");
  }
  return ok();
}

}  // namespace sotto::wire::detail
