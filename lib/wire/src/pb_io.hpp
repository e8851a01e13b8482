// SPDX-License-Identifier: Apache-2.0
// Glue between ByteView/Bytes and the generated protobuf-lite messages, shared
// by every framing in this layer. Private to lib/wire.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "sotto/core/bytes.hpp"
#include "sotto/core/result.hpp"

namespace sotto::wire::detail {

// Rejects input larger than kMaxMessageSize before anything else looks at it,
// and input shorter than `min_size` (version byte, trailer and the like).
Status check_size(ByteView serialized, std::size_t min_size, const char* what);

// Parses exactly `bytes` into `message`; invalid_message if protobuf rejects it.
template <class Message>
Status parse_pb(Message& message, ByteView bytes, const char* what) {
  // check_size bounds every input far below INT_MAX, so the cast is exact.
  if (!message.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return fail(Errc::invalid_message, std::string(what) + ": malformed protobuf");
  }
  return ok();
}

// version_byte || message, serialized straight into the output buffer (no
// intermediate std::string that would hold a copy of the fields).
template <class Message>
Bytes serialize_with_version(std::uint8_t version, const Message& message) {
  const std::size_t size = message.ByteSizeLong();
  Bytes out(1 + size);
  out[0] = version;
  message.SerializeWithCachedSizesToArray(out.data() + 1);
  return out;
}

inline ByteView view_of(const std::string& s) { return as_bytes(s); }
inline Bytes bytes_of(const std::string& s) { return Bytes(s.begin(), s.end()); }

// Public keys on the wire are 33 bytes (type byte || 32-byte u). Only the
// length is checked here; the type byte and the point are the protocol
// layer's to validate.
constexpr std::size_t kPublicKeySize = 33;

}  // namespace sotto::wire::detail
