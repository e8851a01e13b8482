// SPDX-License-Identifier: Apache-2.0
#include "pb_io.hpp"

#include "sotto/wire/signal_message.hpp"

namespace sotto::wire::detail {

Status check_size(ByteView serialized, std::size_t min_size, const char* what) {
  // The upper bound comes first: it caps the work (and the allocations protobuf
  // makes) an attacker can cause with one message.
  if (serialized.size() > kMaxMessageSize) {
    return fail(Errc::invalid_message, std::string(what) + ": message too large");
  }
  if (serialized.size() < min_size) {
    return fail(Errc::invalid_message, std::string(what) + ": message too short");
  }
  return ok();
}

}  // namespace sotto::wire::detail
