// SPDX-License-Identifier: Apache-2.0
// Client–server frames (docs/server-design.md "Frames"): one binary WebSocket
// message is one Frame, a Request or a Response. Bodies are op-specific
// encodings carried as opaque bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "sotto/core/bytes.hpp"
#include "sotto/core/result.hpp"

namespace sotto::wire {

// Largest serialized Frame either side accepts. Larger input is refused
// before protobuf sees it; the transport closes the socket with 1009.
constexpr std::size_t kMaxFrameSize = std::size_t{256} * 1024;
// Ops are short ASCII names such as "message.send".
constexpr std::size_t kMaxOpSize = 64;

// Sent in both directions; `id` is chosen by the sender (unique per direction
// and connection) and echoed by the matching Response.
struct Request {
  std::uint64_t id = 0;
  std::string op;  // 1..kMaxOpSize characters of [a-z0-9._-]
  Bytes body;

  friend bool operator==(const Request&, const Request&) = default;
};

struct Response {
  std::uint64_t id = 0;
  std::uint32_t status = 0;  // HTTP meaning, 100..599
  std::string message;       // peer-chosen text: untrusted, not validated
  Bytes body;

  friend bool operator==(const Response&, const Response&) = default;
};

using Frame = std::variant<Request, Response>;

// Serializes `frame`. Never fails; the result may exceed kMaxFrameSize, which
// the caller (the transport) checks before sending.
Bytes encode_frame(const Frame& frame);

// Parses one Frame from hostile bytes. Errc::invalid_message when the input is
// larger than kMaxFrameSize, is not a Frame, holds neither a request nor a
// response, lacks an id, op or status, or has an op outside the alphabet or a
// status outside 100..599. Never reads past `serialized`.
Result<Frame> parse_frame(ByteView serialized);

// Whether `op` is an acceptable op name (the rule parse_frame applies).
bool valid_op(std::string_view op) noexcept;

}  // namespace sotto::wire
