// SPDX-License-Identifier: Apache-2.0
// WebSocket close codes the transport sends (RFC 6455 §7.4.1).
#pragma once

#include <cstdint>
#include <string>

namespace sotto::transport {

enum class CloseCode : std::uint16_t {
  normal = 1000,
  going_away = 1001,        // the server is stopping
  unsupported_data = 1003,  // a text message: only binary Frames are spoken
  invalid_payload = 1007,   // a binary message that is not a Frame
  policy_violation = 1008,  // "too slow" (the peer does not read what we send), or
                            // the server layer's "login timeout"
  message_too_big = 1009,   // a message over the frame size limit
  internal_error = 1011,    // our handler failed
};

// What a peer said when it closed (code 0 and empty reason when the
// connection ended without a close frame).
struct CloseInfo {
  std::uint16_t code = 0;
  std::string reason;
};

}  // namespace sotto::transport
