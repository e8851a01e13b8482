// SPDX-License-Identifier: Apache-2.0
// RFC 6455 §5 frames: the reader of a client's frames, the writer of the
// server's, and the strict UTF-8 check that close reasons need.
#include <algorithm>
#include <array>
#include <cstring>
#include <string_view>
#include <utility>

#include "sotto/transport/ws_codec.hpp"

namespace sotto::transport {

namespace {

constexpr std::size_t kMaxControlPayload = 125;
constexpr std::size_t kMaskSize = 4;

struct FrameHeader {
  bool fin = false;
  WsOpcode opcode = WsOpcode::continuation;
  std::uint64_t length = 0;
  std::size_t size = 0;  // of the header, mask key included
  std::array<std::uint8_t, kMaskSize> mask{};
};

enum class HeaderStatus { incomplete, ok, error };

bool is_control(WsOpcode opcode) { return (static_cast<std::uint8_t>(opcode) & 0x8) != 0; }

bool is_known_opcode(std::uint8_t op) { return op <= 0x2 || (op >= 0x8 && op <= 0xA); }

std::uint64_t read_be(std::span<const std::uint8_t> bytes) {
  std::uint64_t v = 0;
  for (std::uint8_t b : bytes) v = (v << 8) | b;
  return v;
}

HeaderStatus protocol_error(WsError& error, const char* reason) {
  error.close_code = 1002;
  error.reason = reason;
  return HeaderStatus::error;
}

// Checks a frame header at the front of `rest` against the reader's state as
// soon as enough of it is there to decide: 2 bytes settle the flags, opcode,
// mask bit and control-frame rules; the extended length settles the size.
// `buffered` is what a fragmented message has gathered so far.
HeaderStatus read_header(std::span<const std::uint8_t> rest, bool masked, bool in_message,
                         std::size_t buffered, std::size_t max_message, FrameHeader& h,
                         WsError& error) {
  if (rest.size() < 2) return HeaderStatus::incomplete;
  const std::uint8_t b0 = rest[0];
  const std::uint8_t b1 = rest[1];
  if ((b0 & 0x70) != 0) return protocol_error(error, "reserved bits set");
  const std::uint8_t op = b0 & 0x0F;
  if (!is_known_opcode(op)) return protocol_error(error, "reserved opcode");
  // Clients mask every frame, servers none (§5.1).
  if (masked && (b1 & 0x80) == 0) return protocol_error(error, "unmasked client frame");
  if (!masked && (b1 & 0x80) != 0) return protocol_error(error, "masked server frame");
  h.fin = (b0 & 0x80) != 0;
  h.opcode = static_cast<WsOpcode>(op);
  const std::uint8_t length7 = b1 & 0x7F;

  if (is_control(h.opcode)) {
    if (!h.fin) return protocol_error(error, "fragmented control frame");
    if (length7 > kMaxControlPayload) return protocol_error(error, "control frame over 125 bytes");
  } else if (h.opcode == WsOpcode::continuation) {
    if (!in_message) return protocol_error(error, "continuation without a message");
  } else if (in_message) {
    return protocol_error(error, "new message inside a fragmented one");
  }

  std::size_t extended = 0;
  if (length7 < 126) {
    h.length = length7;
  } else if (length7 == 126) {
    extended = 2;
    if (rest.size() < 2 + extended) return HeaderStatus::incomplete;
    h.length = read_be(rest.subspan(2, extended));
    if (h.length < 126) return protocol_error(error, "non-minimal length");
  } else {
    extended = 8;
    if (rest.size() < 2 + extended) return HeaderStatus::incomplete;
    h.length = read_be(rest.subspan(2, extended));
    if ((h.length >> 63) != 0) return protocol_error(error, "length with the top bit set");
    if (h.length <= 0xFFFF) return protocol_error(error, "non-minimal length");
  }

  if (!is_control(h.opcode)) {
    const std::size_t before = h.opcode == WsOpcode::continuation ? buffered : 0;
    // before <= max_message always holds (it was checked frame by frame).
    if (h.length > max_message - before) {
      error.close_code = 1009;
      error.reason = "message too big";
      return HeaderStatus::error;
    }
  }

  h.size = 2 + extended + (masked ? kMaskSize : 0);
  if (rest.size() < h.size) return HeaderStatus::incomplete;
  if (masked) {
    std::copy_n(rest.begin() + static_cast<std::ptrdiff_t>(2 + extended), kMaskSize,
                h.mask.begin());
  }
  return HeaderStatus::ok;
}

// XORs 8 bytes at a time: server CPU per message is mostly this loop.
void unmask(std::span<std::uint8_t> payload, const std::array<std::uint8_t, kMaskSize>& mask) {
  std::array<std::uint8_t, 8> key8{};
  std::copy(mask.begin(), mask.end(), key8.begin());
  std::copy(mask.begin(), mask.end(), key8.begin() + kMaskSize);
  std::uint64_t key = 0;
  std::memcpy(&key, key8.data(), sizeof key);
  std::size_t i = 0;
  for (; i + 8 <= payload.size(); i += 8) {
    std::uint64_t word = 0;
    std::memcpy(&word, payload.data() + i, sizeof word);
    word ^= key;
    std::memcpy(payload.data() + i, &word, sizeof word);
  }
  for (; i < payload.size(); ++i) payload[i] ^= mask[i & 3];
}

// The codes RFC 6455 §7.4 lets an endpoint put in a close frame: the defined
// ones except 1004-1006 and 1015, the IANA-registered 1012-1014, and the
// ranges for libraries and applications.
bool is_valid_close_code(std::uint16_t code) {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
         (code >= 3000 && code <= 4999);
}

void append_be(Bytes& out, std::uint64_t value, int bytes) {
  for (int shift = 8 * (bytes - 1); shift >= 0; shift -= 8) {
    out.push_back(static_cast<std::uint8_t>(value >> shift));
  }
}

}  // namespace

bool is_valid_utf8(std::string_view text) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* const end = p + text.size();
  while (p < end) {
    const unsigned lead = *p;
    if (lead < 0x80) {
      ++p;
      continue;
    }
    // Unicode Table 3-7: the lead byte fixes the length and the range of the
    // second byte, which is where overlongs, surrogates and > U+10FFFF show.
    std::size_t trail = 0;
    unsigned low = 0x80;
    unsigned high = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
      trail = 1;
    } else if (lead == 0xE0) {
      trail = 2;
      low = 0xA0;
    } else if ((lead >= 0xE1 && lead <= 0xEC) || lead == 0xEE || lead == 0xEF) {
      trail = 2;
    } else if (lead == 0xED) {
      trail = 2;
      high = 0x9F;
    } else if (lead == 0xF0) {
      trail = 3;
      low = 0x90;
    } else if (lead >= 0xF1 && lead <= 0xF3) {
      trail = 3;
    } else if (lead == 0xF4) {
      trail = 3;
      high = 0x8F;
    } else {
      return false;  // a continuation byte, C0/C1 or F5-FF
    }
    if (static_cast<std::size_t>(end - p) <= trail) return false;
    if (p[1] < low || p[1] > high) return false;
    for (std::size_t i = 2; i <= trail; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
    }
    p += trail + 1;
  }
  return true;
}

WsReadResult WsReader::read(std::span<std::uint8_t> input, WsEvents& events) {
  WsReadResult result;
  if (done_) return result;
  auto fail = [&](WsError error) {
    done_ = true;
    in_message_ = false;
    Bytes().swap(fragments_);
    result.error = std::move(error);
    return result;
  };

  std::size_t pos = 0;
  for (;;) {
    const std::span<std::uint8_t> rest = input.subspan(pos);
    FrameHeader h;
    WsError error;
    switch (read_header(rest, from_ == WsFrom::client, in_message_, fragments_.size(), max_message_,
                        h, error)) {
      case HeaderStatus::incomplete:
        return result;
      case HeaderStatus::error:
        return fail(std::move(error));
      case HeaderStatus::ok:
        break;
    }
    if (rest.size() - h.size < h.length) return result;      // the payload is not all here
    const auto length = static_cast<std::size_t>(h.length);  // <= rest.size()
    const std::span<std::uint8_t> payload = rest.subspan(h.size, length);
    if (from_ == WsFrom::client) unmask(payload, h.mask);
    const std::size_t frame_end = pos + h.size + length;

    switch (h.opcode) {
      case WsOpcode::ping:
        result.consumed = pos = frame_end;
        events.on_ping(payload);
        break;
      case WsOpcode::pong:
        result.consumed = pos = frame_end;
        events.on_pong();
        break;
      case WsOpcode::close: {
        if (length == 1) return fail({1002, "close payload of 1 byte"});
        std::uint16_t code = 1005;
        std::string_view reason;
        if (length >= 2) {
          code = static_cast<std::uint16_t>(read_be(payload.first(2)));
          if (!is_valid_close_code(code)) return fail({1002, "invalid close code"});
          reason = as_string(payload.subspan(2));
          if (!is_valid_utf8(reason)) return fail({1007, "close reason is not UTF-8"});
        }
        done_ = true;
        in_message_ = false;
        Bytes().swap(fragments_);
        result.consumed = frame_end;
        events.on_close(code, reason);
        return result;
      }
      case WsOpcode::text:
      case WsOpcode::binary:
        result.consumed = pos = frame_end;
        if (h.fin) {
          events.on_message(h.opcode == WsOpcode::binary, payload);
        } else {
          in_message_ = true;
          message_binary_ = h.opcode == WsOpcode::binary;
          fragments_.assign(payload.begin(), payload.end());
        }
        break;
      case WsOpcode::continuation: {
        result.consumed = pos = frame_end;
        const std::size_t needed = fragments_.size() + length;  // <= max_message_
        if (needed > fragments_.capacity()) {
          // Geometric growth, but never past what a message may reach.
          fragments_.reserve(std::min(std::max(needed, 2 * fragments_.capacity()), max_message_));
        }
        fragments_.insert(fragments_.end(), payload.begin(), payload.end());
        if (h.fin) {
          // The reader lets go of the buffer before handing it on, so it holds
          // no heap between messages whatever the callback does.
          const Bytes message = std::move(fragments_);
          fragments_ = Bytes();
          in_message_ = false;
          events.on_message(message_binary_, message);
        }
        break;
      }
    }
  }
}

namespace {

// The header of an unfragmented frame; with `mask`, the mask bit and key.
// (No reserve: callers append many frames to one buffer, which must grow
// geometrically, not to the exact size each time.)
void append_header(Bytes& out, WsOpcode opcode, std::size_t size, const std::uint8_t* mask) {
  const std::uint8_t mask_bit = mask != nullptr ? 0x80 : 0;
  out.push_back(static_cast<std::uint8_t>(0x80 | static_cast<std::uint8_t>(opcode)));
  if (size < 126) {
    out.push_back(static_cast<std::uint8_t>(mask_bit | size));
  } else if (size <= 0xFFFF) {
    out.push_back(mask_bit | 126);
    append_be(out, size, 2);
  } else {
    out.push_back(mask_bit | 127);
    append_be(out, size, 8);
  }
  if (mask != nullptr) out.insert(out.end(), mask, mask + kMaskSize);
}

}  // namespace

void append_ws_frame(Bytes& out, WsOpcode opcode, ByteView payload) {
  append_header(out, opcode, payload.size(), nullptr);
  out.insert(out.end(), payload.begin(), payload.end());
}

void append_masked_ws_frame(Bytes& out, WsOpcode opcode, ByteView payload,
                            const std::array<std::uint8_t, 4>& mask) {
  append_header(out, opcode, payload.size(), mask.data());
  const std::size_t start = out.size();
  out.insert(out.end(), payload.begin(), payload.end());
  unmask(std::span<std::uint8_t>(out).subspan(start), mask);  // XOR both ways
}

void append_ws_close(Bytes& out, std::uint16_t code, std::string_view reason) {
  if (code == 1005) {
    append_ws_frame(out, WsOpcode::close, {});
    return;
  }
  constexpr std::size_t kMaxReason = kMaxControlPayload - 2;
  std::size_t keep = std::min(reason.size(), kMaxReason);
  // Back off to the start of a character (never into the middle of one).
  while (keep > 0 && keep < reason.size() &&
         (static_cast<unsigned char>(reason[keep]) & 0xC0) == 0x80) {
    --keep;
  }
  std::array<std::uint8_t, kMaxControlPayload> payload{};
  payload[0] = static_cast<std::uint8_t>(code >> 8);
  payload[1] = static_cast<std::uint8_t>(code);
  std::copy_n(reason.begin(), keep, payload.begin() + 2);
  append_ws_frame(out, WsOpcode::close, ByteView(payload.data(), 2 + keep));
}

}  // namespace sotto::transport
