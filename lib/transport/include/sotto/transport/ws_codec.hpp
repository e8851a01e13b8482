// SPDX-License-Identifier: Apache-2.0
// RFC 6455 as pure functions over bytes (no I/O): the server's HTTP/1.1
// upgrade, a reader of frames (a client's, or for the load generator a
// server's) and writers of both kinds. The server's session.cpp feeds it the plaintext that comes
// out of the TLS records, so frames of many connections are parsed without a per-connection buffer
// while idle, and many queued frames leave in one TLS record and one send.
// Every byte given here comes from the network and is treated as hostile.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "sotto/core/bytes.hpp"

namespace sotto::transport {

// ---- Opening handshake -------------------------------------------------

struct UpgradeOutcome {
  enum class Kind {
    need_more,  // the request is not complete yet (and is under the bound)
    accepted,   // `response` is the 101; `consumed` bytes were the request
    refused,    // `response` is an HTTP error to send before closing
  };
  Kind kind = Kind::need_more;
  std::string response;
  std::size_t consumed = 0;
};

// The request head is bounded: a client that sends more than
// kMaxUpgradeRequest bytes without finishing it is refused (431).
inline constexpr std::size_t kMaxUpgradeRequest = 8192;

// Reads the upgrade request at the start of `input`. Accepts a GET over
// HTTP/1.1 with "Connection: upgrade", "Upgrade: websocket",
// "Sec-WebSocket-Version: 13" and a Sec-WebSocket-Key of 16 bytes in base64;
// the 101 names `server_name` in its Server field and offers no extension
// or subprotocol. Refusals: 426 with "Sec-WebSocket-Version: 13" for another
// version, 431 for an over-long head, 400 otherwise (a request with a body,
// or no Host, included; a start that cannot become "GET " is refused without
// waiting for the rest). `consumed` is the size of the request head: bytes
// after it were pipelined behind the upgrade and are already frames.
UpgradeOutcome parse_upgrade(std::string_view input, std::string_view server_name);

// ---- Frames from the client --------------------------------------------

enum class WsOpcode : std::uint8_t {
  continuation = 0x0,
  text = 0x1,
  binary = 0x2,
  close = 0x8,
  ping = 0x9,
  pong = 0xA,
};

// What a reader hands on; payload views point into the caller's input (or
// into the reader's reassembly buffer) and live until the callback returns.
class WsEvents {
 public:
  virtual ~WsEvents() = default;
  // A whole data message (fragments reassembled).
  virtual void on_message(bool binary, ByteView payload) = 0;
  virtual void on_ping(ByteView payload) = 0;
  virtual void on_pong() = 0;
  // The peer's close frame; 1005 when it carried no code. The reader takes
  // nothing after it.
  virtual void on_close(std::uint16_t code, std::string_view reason) = 0;
};

// Whose frames a reader takes: a client's are masked (what the server
// reads), a server's are not (what a client, e.g. the load generator, reads).
// The rules are otherwise the same.
enum class WsFrom : std::uint8_t { client, server };

// Why the reader gave up: what the server closes the connection with.
struct WsError {
  std::uint16_t close_code = 1002;  // 1002 protocol error, 1007, 1009
  std::string reason;
};

struct WsReadResult {
  std::size_t consumed = 0;  // whole frames taken from the front of input
  std::optional<WsError> error;
};

// Client frames (RFC 6455 §5): each must be masked; RSV bits must be 0 (no
// extension is negotiated); control frames are FIN with ≤125 bytes; lengths
// use the shortest encoding; unknown opcodes, a continuation without a
// message, or a new message inside a fragmented one are protocol errors; a
// message (or a frame header announcing one) over max_message bytes is 1009;
// a close frame's code must be one a peer may send, and its reason UTF-8
// (1007 otherwise). Text messages are passed on like binary ones (the
// server decides what to do with them) without a UTF-8 check.
class WsReader {
 public:
  explicit WsReader(std::size_t max_message, WsFrom from = WsFrom::client)
      : max_message_(max_message), from_(from) {}

  // Takes every whole frame at the front of `input`, unmasking it in place,
  // and calls `events` for each control frame and completed message. Stops at
  // the first incomplete frame (the caller keeps those bytes and calls again
  // with more appended), after a close frame, or at the first error. After
  // an error or a close the reader must not be fed again (if it is, it takes
  // nothing and reports nothing). Errors in a frame's header are reported as
  // soon as the header is in `input`, before its payload: a frame announcing
  // more than max_message is 1009 without the caller buffering any of it.
  // An unfragmented message is handed on from `input` itself, uncopied.
  WsReadResult read(std::span<std::uint8_t> input, WsEvents& events);

  // True while a fragmented message is half-read (the reader then holds its
  // fragments so far).
  [[nodiscard]] bool in_message() const noexcept { return in_message_; }

  // The heap the reader holds: 0 whenever in_message() is false.
  [[nodiscard]] std::size_t held_bytes() const noexcept { return fragments_.capacity(); }

 private:
  std::size_t max_message_;
  WsFrom from_;
  bool in_message_ = false;
  bool message_binary_ = false;
  bool done_ = false;  // after a close or an error: read() takes nothing more
  Bytes fragments_;    // empty (and unallocated) between messages
};

// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above
// U+10FFFF, no truncated sequence.
[[nodiscard]] bool is_valid_utf8(std::string_view text) noexcept;

// ---- Frames to the client ----------------------------------------------

// Appends one unfragmented, unmasked server frame with the shortest length
// encoding. A control frame's payload must be at most 125 bytes.
void append_ws_frame(Bytes& out, WsOpcode opcode, ByteView payload);

// Appends one unfragmented client frame, masked with `mask` (RFC 6455 §5.3:
// a client picks a fresh, unpredictable key per frame).
void append_masked_ws_frame(Bytes& out, WsOpcode opcode, ByteView payload,
                            const std::array<std::uint8_t, 4>& mask);

// Appends a close frame with `code` and `reason` (cut to fit the 125 bytes
// of a control frame, on a UTF-8 boundary). Code 1005 ("no status") must not
// be sent, so it writes a close frame without a payload.
void append_ws_close(Bytes& out, std::uint16_t code, std::string_view reason);

}  // namespace sotto::transport
