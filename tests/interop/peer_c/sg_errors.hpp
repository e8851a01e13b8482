// SPDX-License-Identifier: Apache-2.0
// Maps libsignal-protocol-c result codes onto the driver contract's error codes.
#pragma once

#include <string>
#include <string_view>

#include "signal_c_provider.hpp"
#include "sotto/core/result.hpp"

namespace sotto::peer_c {

// The library's name for a result code, e.g. "SG_ERR_INVALID_MESSAGE".
std::string_view sg_error_name(int rc);

// For a failed decryption (session or group). The library reports several
// distinct failures as SG_ERR_INVALID_MESSAGE; `context`'s log (cleared before
// the call) tells them apart:
//   "Over 2000 messages into the future!" -> too_far_in_future
//   "No keys for: <id>" (group chain unknown) -> no_session
// A MAC failure is SG_ERR_INVALID_MESSAGE in this library (never
// SG_ERR_INVALID_MAC), hence invalid_message.
Error decrypt_error(int rc, const Context& context, std::string_view what);

// Any other library failure: codes that describe the input map onto the
// contract; the rest (allocation, provider) are internal.
Error library_error(int rc, std::string_view what);

}  // namespace sotto::peer_c
