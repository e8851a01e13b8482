// SPDX-License-Identifier: Apache-2.0
// The RFC 6455 codec on bytes alone: the upgrade, the reader of client
// frames (built here, masked, the way a browser would send them) and the
// writer of server frames.
#include "sotto/transport/ws_codec.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace sotto::transport {
namespace {

// ---- Client frames -----------------------------------------------------

struct FrameOptions {
  bool fin = true;
  std::uint8_t rsv = 0;  // the three RSV bits, 0..7
  bool masked = true;
  int length_bytes = -1;                     // 0, 2 or 8 extended length bytes; -1: the shortest
  std::optional<std::uint64_t> announced{};  // a length other than the payload's
  std::array<std::uint8_t, 4> mask{0x37, 0xFA, 0x21, 0x3D};
};

Bytes client_frame(std::uint8_t opcode, ByteView payload, const FrameOptions& o = {}) {
  const std::uint64_t length = o.announced.value_or(payload.size());
  int ext = o.length_bytes;
  if (ext < 0) ext = length < 126 ? 0 : length <= 0xFFFF ? 2 : 8;
  Bytes f;
  f.push_back(static_cast<std::uint8_t>((o.fin ? 0x80 : 0) | (o.rsv << 4) | opcode));
  const std::uint8_t mask_bit = o.masked ? 0x80 : 0;
  if (ext == 0) {
    f.push_back(static_cast<std::uint8_t>(mask_bit | length));
  } else {
    f.push_back(static_cast<std::uint8_t>(mask_bit | (ext == 2 ? 126 : 127)));
    for (int shift = 8 * (ext - 1); shift >= 0; shift -= 8) {
      f.push_back(static_cast<std::uint8_t>(length >> shift));
    }
  }
  if (o.masked) f.insert(f.end(), o.mask.begin(), o.mask.end());
  for (std::size_t i = 0; i < payload.size(); ++i) {
    f.push_back(static_cast<std::uint8_t>(payload[i] ^ (o.masked ? o.mask[i % 4] : 0)));
  }
  return f;
}

Bytes client_frame(std::uint8_t opcode, std::string_view payload, const FrameOptions& o = {}) {
  return client_frame(opcode, as_bytes(payload), o);
}

Bytes close_payload(std::uint16_t code, std::string_view reason) {
  Bytes p{static_cast<std::uint8_t>(code >> 8), static_cast<std::uint8_t>(code)};
  append(p, as_bytes(reason));
  return p;
}

Bytes filler(std::size_t size) {
  Bytes b(size);
  for (std::size_t i = 0; i < size; ++i) b[i] = static_cast<std::uint8_t>(i * 7 + 3);
  return b;
}

// ---- What the reader reports -------------------------------------------

struct Event {
  enum class Kind { message, ping, pong, close };
  Kind kind = Kind::message;
  bool binary = false;
  Bytes payload;
  std::uint16_t code = 0;
  std::string reason;

  bool operator==(const Event&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Event& e) {
  static constexpr const char* kNames[] = {"message", "ping", "pong", "close"};
  os << kNames[static_cast<int>(e.kind)];
  if (e.kind == Event::Kind::message) os << (e.binary ? " binary" : " text");
  if (e.kind == Event::Kind::close) os << " " << e.code << " '" << e.reason << "'";
  return os << " (" << e.payload.size() << " bytes)";
}

Event message(bool binary, ByteView payload) {
  return {Event::Kind::message, binary, Bytes(payload.begin(), payload.end()), 0, {}};
}
Event message(bool binary, std::string_view payload) { return message(binary, as_bytes(payload)); }
Event ping(std::string_view payload) {
  return {Event::Kind::ping, false, to_bytes(payload), 0, {}};
}
Event pong() { return {Event::Kind::pong, false, {}, 0, {}}; }
Event close_event(std::uint16_t code, std::string_view reason) {
  return {Event::Kind::close, false, {}, code, std::string(reason)};
}

class Recorder : public WsEvents {
 public:
  void on_message(bool binary, ByteView payload) override {
    events.push_back(message(binary, payload));
    last_data = payload.data();
  }
  void on_ping(ByteView payload) override { events.push_back(ping(as_string(payload))); }
  void on_pong() override { events.push_back(pong()); }
  void on_close(std::uint16_t code, std::string_view reason) override {
    events.push_back(close_event(code, reason));
  }

  std::vector<Event> events;
  const std::uint8_t* last_data = nullptr;
};

struct Outcome {
  std::vector<Event> events;
  std::size_t consumed = 0;  // in total
  std::optional<WsError> error;
};

// The whole input in one read().
Outcome read_all(Bytes input, std::size_t max_message = 1 << 20) {
  WsReader reader(max_message);
  Recorder rec;
  const WsReadResult r = reader.read(input, rec);
  EXPECT_LE(r.consumed, input.size());
  return {rec.events, r.consumed, r.error};
}

// As a connection would: one more byte at a time, appended to what the
// reader left, which is dropped from the front as it is consumed.
Outcome read_bytewise(const Bytes& input, std::size_t max_message = 1 << 20) {
  WsReader reader(max_message);
  Recorder rec;
  Outcome out;
  Bytes pending;
  for (std::uint8_t byte : input) {
    pending.push_back(byte);
    const WsReadResult r = reader.read(pending, rec);
    EXPECT_LE(r.consumed, pending.size());
    out.consumed += r.consumed;
    pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(r.consumed));
    if (r.error) {
      out.error = r.error;
      break;
    }
    if (!rec.events.empty() && rec.events.back().kind == Event::Kind::close) break;
  }
  out.events = rec.events;
  return out;
}

// ---- Reader: data ------------------------------------------------------

TEST(WsReader, RoundTripsEveryLengthEncoding) {
  for (std::size_t size : {0, 1, 125, 126, 1000, 65535, 65536, 70000}) {
    for (bool binary : {false, true}) {
      const Bytes payload = filler(size);
      Bytes frame = client_frame(binary ? 0x2 : 0x1, payload);
      const std::size_t header = 2 + (size < 126 ? 0 : size <= 0xFFFF ? 2 : 8) + 4;
      ASSERT_EQ(frame.size(), header + size);

      WsReader reader(1 << 20);
      Recorder rec;
      const WsReadResult r = reader.read(frame, rec);
      EXPECT_FALSE(r.error);
      EXPECT_EQ(r.consumed, frame.size()) << size;
      ASSERT_EQ(rec.events.size(), 1u) << size;
      EXPECT_EQ(rec.events[0], message(binary, payload)) << size;
      // Unmasked in place and handed on from the input, not copied.
      if (size > 0) {
        EXPECT_EQ(rec.last_data, frame.data() + header);
        EXPECT_TRUE(std::equal(payload.begin(), payload.end(), frame.begin() + header));
      }
      EXPECT_EQ(reader.held_bytes(), 0u);
    }
  }
}

TEST(WsReader, StopsAtAnIncompleteFrameAndResumes) {
  const Bytes first = client_frame(0x1, "one");
  const Bytes second = client_frame(0x2, filler(300));
  Bytes input = concat({first, second});
  input.resize(input.size() - 1);

  WsReader reader(1 << 20);
  Recorder rec;
  WsReadResult r = reader.read(input, rec);
  EXPECT_FALSE(r.error);
  EXPECT_EQ(r.consumed, first.size());
  EXPECT_EQ(rec.events, std::vector<Event>{message(false, "one")});

  Bytes rest(second.begin(), second.end());  // the tail, now complete
  r = reader.read(rest, rec);
  EXPECT_FALSE(r.error);
  EXPECT_EQ(r.consumed, second.size());
  ASSERT_EQ(rec.events.size(), 2u);
  EXPECT_EQ(rec.events[1], message(true, filler(300)));
}

Bytes mixed_stream() {
  Bytes s;
  append(s, client_frame(0x1, "hello"));
  append(s, client_frame(0x2, filler(200)));
  append(s, client_frame(0x9, "are you there"));
  append(s, client_frame(0x1, "frag", {.fin = false}));
  append(s, client_frame(0xA, ""));
  append(s, client_frame(0x0, "mented", {.fin = false, .mask = {1, 2, 3, 4}}));
  append(s, client_frame(0x0, "", {.fin = false}));
  append(s, client_frame(0x0, filler(70000)));
  append(s, client_frame(0x2, ""));
  append(s, client_frame(0x8, close_payload(1000, "bye")));
  return s;
}

std::vector<Event> mixed_events() {
  Bytes fragmented = to_bytes("fragmented");
  append(fragmented, filler(70000));
  return {message(false, "hello"),    message(true, filler(200)), ping("are you there"),   pong(),
          message(false, fragmented), message(true, ""),          close_event(1000, "bye")};
}

TEST(WsReader, ByteByByteGivesTheSameEvents) {
  const Bytes stream = mixed_stream();
  const Outcome whole = read_all(stream);
  EXPECT_FALSE(whole.error);
  EXPECT_EQ(whole.consumed, stream.size());
  EXPECT_EQ(whole.events, mixed_events());

  const Outcome bytewise = read_bytewise(stream);
  EXPECT_FALSE(bytewise.error);
  EXPECT_EQ(bytewise.consumed, stream.size());
  EXPECT_EQ(bytewise.events, mixed_events());
}

TEST(WsReader, ReassemblesFragmentsAroundAPingAndThenHoldsNothing) {
  WsReader reader(1 << 20);
  Recorder rec;
  Bytes part1 = concat({client_frame(0x2, "Hel", {.fin = false}), client_frame(0x9, "p"),
                        client_frame(0x0, "lo", {.fin = false})});
  WsReadResult r = reader.read(part1, rec);
  EXPECT_FALSE(r.error);
  EXPECT_EQ(r.consumed, part1.size());
  EXPECT_TRUE(reader.in_message());
  EXPECT_GT(reader.held_bytes(), 0u);
  EXPECT_EQ(rec.events, std::vector<Event>{ping("p")});

  Bytes part2 = client_frame(0x0, "!");
  r = reader.read(part2, rec);
  EXPECT_FALSE(r.error);
  EXPECT_EQ(r.consumed, part2.size());
  EXPECT_FALSE(reader.in_message());
  EXPECT_EQ(reader.held_bytes(), 0u);  // freed, not just cleared
  EXPECT_EQ(rec.events, (std::vector<Event>{ping("p"), message(true, "Hello!")}));

  // The reader is usable for the next message.
  Bytes part3 = client_frame(0x1, "next");
  r = reader.read(part3, rec);
  EXPECT_FALSE(r.error);
  EXPECT_EQ(rec.events.back(), message(false, "next"));
}

TEST(WsReader, ZeroLengthFramesAreMessages) {
  const Outcome out =
      read_all(concat({client_frame(0x1, ""), client_frame(0x2, "", {.fin = false}),
                       client_frame(0x0, "", {.fin = false}), client_frame(0x0, "")}));
  EXPECT_FALSE(out.error);
  EXPECT_EQ(out.events, (std::vector<Event>{message(false, ""), message(true, "")}));
}

// ---- Reader: limits ----------------------------------------------------

TEST(WsReader, MaxMessageIsInclusive) {
  for (std::size_t max : {100, 1000, 70000}) {
    const Outcome out = read_all(client_frame(0x2, filler(max)), max);
    EXPECT_FALSE(out.error) << max;
    EXPECT_EQ(out.events, std::vector<Event>{message(true, filler(max))}) << max;
  }
}

TEST(WsReader, OverMaxIs1009FromTheHeaderAlone) {
  for (std::size_t max : {100, 1000, 70000}) {
    Bytes frame = client_frame(0x2, filler(max + 1));
    const std::size_t length_end = 2 + (max + 1 < 126 ? 0 : max + 1 <= 0xFFFF ? 2 : 8);
    Bytes header(frame.begin(), frame.begin() + static_cast<std::ptrdiff_t>(length_end));
    const Outcome out = read_all(header, max);  // no mask key, no payload yet
    ASSERT_TRUE(out.error) << max;
    EXPECT_EQ(out.error->close_code, 1009) << max;
    EXPECT_EQ(out.consumed, 0u);
    EXPECT_TRUE(out.events.empty());
  }
}

TEST(WsReader, FragmentedMessageOverMaxIs1009) {
  const std::size_t max = 10;
  Outcome ok = read_all(
      concat({client_frame(0x1, "12345", {.fin = false}), client_frame(0x0, "12345")}), max);
  EXPECT_FALSE(ok.error);
  EXPECT_EQ(ok.events, std::vector<Event>{message(false, "1234512345")});

  const Bytes first = client_frame(0x1, "12345", {.fin = false});
  Bytes second = client_frame(0x0, "123456");
  second.resize(2);  // the header's first bytes are enough
  Outcome over = read_all(concat({first, second}), max);
  ASSERT_TRUE(over.error);
  EXPECT_EQ(over.error->close_code, 1009);
  EXPECT_EQ(over.consumed, first.size());
  EXPECT_TRUE(over.events.empty());
}

TEST(WsReader, ControlFramesAreNotBoundByMaxMessage) {
  const Outcome out = read_all(client_frame(0x9, std::string(125, 'x')), 10);
  EXPECT_FALSE(out.error);
  EXPECT_EQ(out.events, std::vector<Event>{ping(std::string(125, 'x'))});
}

// ---- Reader: protocol errors -------------------------------------------

struct BadFrame {
  const char* what;
  Bytes bytes;  // the offending frame
  std::uint16_t code;
  bool header_only;  // detectable before the payload (and the mask key) is there
  Bytes before{};    // valid frames that put the reader in the state it needs
};

std::vector<BadFrame> bad_frames() {
  std::vector<BadFrame> v;
  for (std::uint8_t rsv : {1, 2, 4}) {
    v.push_back({"rsv", client_frame(0x1, "x", {.rsv = rsv}), 1002, true});
  }
  for (std::uint8_t op : {3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF}) {
    v.push_back({"reserved opcode", client_frame(op, "x"), 1002, true});
  }
  v.push_back({"unmasked", client_frame(0x1, "x", {.masked = false}), 1002, true});
  v.push_back({"unmasked ping", client_frame(0x9, "", {.masked = false}), 1002, true});
  v.push_back({"fragmented ping", client_frame(0x9, "x", {.fin = false}), 1002, true});
  v.push_back({"fragmented close", client_frame(0x8, "", {.fin = false}), 1002, true});
  v.push_back({"ping over 125", client_frame(0x9, std::string(126, 'x')), 1002, true});
  v.push_back({"close over 125", client_frame(0x8, close_payload(1000, std::string(124, 'x'))),
               1002, true});
  v.push_back({"pong over 125", client_frame(0xA, std::string(200, 'x')), 1002, true});
  v.push_back({"continuation first", client_frame(0x0, "x"), 1002, true});
  v.push_back({"continuation first, not fin", client_frame(0x0, "x", {.fin = false}), 1002, true});
  v.push_back({"text in a fragmented message", client_frame(0x1, "b"), 1002, true,
               client_frame(0x1, "a", {.fin = false})});
  v.push_back({"binary in a fragmented message", client_frame(0x2, "b"), 1002, true,
               client_frame(0x2, "a", {.fin = false})});
  v.push_back(
      {"text after fragments", client_frame(0x1, "c"), 1002, true,
       concat({client_frame(0x2, "a", {.fin = false}), client_frame(0x0, "b", {.fin = false})})});
  v.push_back(
      {"16-bit length under 126", client_frame(0x2, filler(125), {.length_bytes = 2}), 1002, true});
  v.push_back({"16-bit length of 0", client_frame(0x2, "", {.length_bytes = 2}), 1002, true});
  v.push_back({"64-bit length under 65536", client_frame(0x2, filler(65535), {.length_bytes = 8}),
               1002, true});
  v.push_back(
      {"64-bit length of 200", client_frame(0x2, filler(200), {.length_bytes = 8}), 1002, true});
  v.push_back(
      {"64-bit length, top bit", client_frame(0x2, "", {.announced = 1ull << 63}), 1002, true});
  v.push_back({"64-bit length, all ones", client_frame(0x2, "", {.announced = ~0ull}), 1002, true});
  v.push_back({"close of 1 byte", client_frame(0x8, "\x03"), 1002, false});
  for (std::uint16_t code :
       {0, 1, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 6000, 65535}) {
    v.push_back({"close code", client_frame(0x8, close_payload(code, "")), 1002, false});
  }
  v.push_back({"close reason, lone continuation byte",
               client_frame(0x8, close_payload(1000, "ok\x80")), 1007, false});
  v.push_back(
      {"close reason, overlong", client_frame(0x8, close_payload(1000, "\xC0\xAF")), 1007, false});
  v.push_back({"close reason, surrogate", client_frame(0x8, close_payload(1001, "\xED\xA0\x80")),
               1007, false});
  v.push_back(
      {"close reason, truncated", client_frame(0x8, close_payload(4000, "\xE2\x82")), 1007, false});
  return v;
}

TEST(WsReader, EveryProtocolErrorHasItsCode) {
  for (const BadFrame& bad : bad_frames()) {
    // After a good message, which is delivered: the error stops the reader.
    const Bytes good = concat({client_frame(0x1, "fine"), bad.before});
    Bytes input = concat({good, bad.bytes, client_frame(0x1, "never")});
    WsReader reader(1 << 20);
    Recorder rec;
    const WsReadResult r = reader.read(input, rec);
    ASSERT_TRUE(r.error) << bad.what;
    EXPECT_EQ(r.error->close_code, bad.code) << bad.what;
    EXPECT_FALSE(r.error->reason.empty()) << bad.what;
    EXPECT_EQ(r.consumed, good.size()) << bad.what;
    EXPECT_EQ(rec.events, std::vector<Event>{message(false, "fine")}) << bad.what;
    EXPECT_EQ(reader.held_bytes(), 0u) << bad.what;

    // Fed again anyway, it takes nothing and says nothing.
    const WsReadResult again = reader.read(input, rec);
    EXPECT_EQ(again.consumed, 0u) << bad.what;
    EXPECT_FALSE(again.error) << bad.what;
    EXPECT_EQ(rec.events.size(), 1u) << bad.what;

    // One byte at a time: the same error, and no sooner event.
    const Outcome bytewise = read_bytewise(concat({bad.before, bad.bytes}));
    ASSERT_TRUE(bytewise.error) << bad.what;
    EXPECT_EQ(bytewise.error->close_code, bad.code) << bad.what;
  }
}

TEST(WsReader, HeaderErrorsNeedNoPayload) {
  for (const BadFrame& bad : bad_frames()) {
    if (!bad.header_only) continue;
    // The header up to its length, without the mask key or any payload.
    const std::uint8_t length7 = bad.bytes[1] & 0x7F;
    const std::size_t length_end = 2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0);
    const Outcome out = read_all(concat({bad.before, ByteView(bad.bytes).first(length_end)}));
    ASSERT_TRUE(out.error) << bad.what;
    EXPECT_EQ(out.error->close_code, bad.code) << bad.what;
  }
}

TEST(WsReader, ErrorInsideAFragmentedMessageFreesIt) {
  WsReader reader(1 << 20);
  Recorder rec;
  Bytes first = client_frame(0x2, filler(5000), {.fin = false});
  ASSERT_FALSE(reader.read(first, rec).error);
  EXPECT_GT(reader.held_bytes(), 0u);
  Bytes bad = client_frame(0x2, "x");
  const WsReadResult r = reader.read(bad, rec);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->close_code, 1002);
  EXPECT_EQ(reader.held_bytes(), 0u);
  EXPECT_FALSE(reader.in_message());
}

// ---- Reader: close -----------------------------------------------------

TEST(WsReader, AcceptsTheCodesAPeerMaySend) {
  for (std::uint16_t code : {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014,
                             3000, 3999, 4000, 4999}) {
    const Outcome out = read_all(client_frame(0x8, close_payload(code, "r\xC3\xA9sum\xC3\xA9")));
    EXPECT_FALSE(out.error) << code;
    EXPECT_EQ(out.events, std::vector<Event>{close_event(code, "r\xC3\xA9sum\xC3\xA9")}) << code;
  }
}

TEST(WsReader, EmptyCloseIs1005AndNothingIsReadAfterIt) {
  const Bytes close = client_frame(0x8, "");
  Bytes input = concat({client_frame(0x1, "a"), close, client_frame(0x1, "b")});
  WsReader reader(1 << 20);
  Recorder rec;
  const WsReadResult r = reader.read(input, rec);
  EXPECT_FALSE(r.error);
  EXPECT_EQ(r.consumed, input.size() - client_frame(0x1, "b").size());
  EXPECT_EQ(rec.events, (std::vector<Event>{message(false, "a"), close_event(1005, "")}));
  const std::size_t after = r.consumed;
  std::span<std::uint8_t> tail(input.data() + after, input.size() - after);
  EXPECT_EQ(reader.read(tail, rec).consumed, 0u);
  EXPECT_EQ(rec.events.size(), 2u);
}

TEST(WsReader, CloseWithAMaximalReason) {
  const std::string reason(123, 'z');
  const Outcome out = read_all(client_frame(0x8, close_payload(1000, reason)));
  EXPECT_FALSE(out.error);
  EXPECT_EQ(out.events, std::vector<Event>{close_event(1000, reason)});
}

// ---- UTF-8 -------------------------------------------------------------

TEST(WsUtf8, AcceptsValidText) {
  for (std::string_view s : {std::string_view(""), std::string_view("plain ascii"),
                             std::string_view("\x00", 1), std::string_view("\x7F"),
                             std::string_view("\xC2\x80"),          // U+0080
                             std::string_view("\xC3\xA9"),          // é
                             std::string_view("\xDF\xBF"),          // U+07FF
                             std::string_view("\xE0\xA0\x80"),      // U+0800
                             std::string_view("\xE2\x82\xAC"),      // €
                             std::string_view("\xED\x9F\xBF"),      // U+D7FF
                             std::string_view("\xEE\x80\x80"),      // U+E000
                             std::string_view("\xEF\xBF\xBF"),      // U+FFFF
                             std::string_view("\xF0\x90\x80\x80"),  // U+10000
                             std::string_view("\xF0\x9F\x98\x80"),  // 😀
                             std::string_view("\xF4\x8F\xBF\xBF"),  // U+10FFFF
                             std::string_view("a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80z")}) {
    EXPECT_TRUE(is_valid_utf8(s)) << testing::PrintToString(std::string(s));
  }
}

TEST(WsUtf8, RefusesInvalidText) {
  for (std::string_view s : {
           "\x80",              // lone continuation
           "\xBF",              // lone continuation
           "\xC0\x80",          // overlong NUL
           "\xC1\xBF",          // overlong
           "\xE0\x80\x80",      // overlong
           "\xE0\x9F\xBF",      // overlong U+07FF
           "\xF0\x80\x80\x80",  // overlong
           "\xF0\x8F\xBF\xBF",  // overlong U+FFFF
           "\xED\xA0\x80",      // U+D800
           "\xED\xBF\xBF",      // U+DFFF
           "\xF4\x90\x80\x80",  // U+110000
           "\xF5\x80\x80\x80",  // lead over F4
           "\xF8\x88\x80\x80\x80",
           "\xFE",
           "\xFF",
           "\xC3",              // truncated
           "\xE2\x82",          // truncated
           "\xF0\x9F\x98",      // truncated
           "\xC3\x28",          // bad continuation
           "\xE2\x28\xA1",      // bad continuation
           "\xE2\x82\x28",      // bad continuation
           "\xF0\x9F\x98\x28",  // bad continuation
           "ok\xC3",            // truncated at the end
       }) {
    EXPECT_FALSE(is_valid_utf8(s)) << testing::PrintToString(std::string(s));
  }
}

// ---- Writer ------------------------------------------------------------

TEST(WsWriter, UsesTheShortestLengthEncoding) {
  struct Case {
    std::size_t size;
    std::vector<std::uint8_t> header;
  };
  const Case cases[] = {
      {0, {0x82, 0}},
      {125, {0x82, 125}},
      {126, {0x82, 126, 0x00, 126}},
      {65535, {0x82, 126, 0xFF, 0xFF}},
      {65536, {0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0}},
  };
  for (const Case& c : cases) {
    const Bytes payload = filler(c.size);
    Bytes out{0xEE};  // appended after what is there
    append_ws_frame(out, WsOpcode::binary, payload);
    ASSERT_EQ(out.size(), 1 + c.header.size() + c.size) << c.size;
    EXPECT_EQ(out[0], 0xEE);
    EXPECT_EQ(
        Bytes(out.begin() + 1, out.begin() + 1 + static_cast<std::ptrdiff_t>(c.header.size())),
        c.header)
        << c.size;
    EXPECT_TRUE(std::equal(payload.begin(), payload.end(),
                           out.begin() + 1 + static_cast<std::ptrdiff_t>(c.header.size())));
  }
}

TEST(WsWriter, WritesEachOpcodeWithFin) {
  for (WsOpcode op : {WsOpcode::text, WsOpcode::binary, WsOpcode::ping, WsOpcode::pong}) {
    Bytes out;
    append_ws_frame(out, op, as_bytes("abc"));
    EXPECT_EQ(out, (Bytes{static_cast<std::uint8_t>(0x80 | static_cast<std::uint8_t>(op)), 3, 'a',
                          'b', 'c'}));
  }
}

TEST(WsWriter, CloseCarriesCodeAndReason) {
  Bytes out;
  append_ws_close(out, 1009, "too big");
  EXPECT_EQ(out, concat({Bytes{0x88, 9, 0x03, 0xF1}, to_bytes("too big")}));

  out.clear();
  append_ws_close(out, 1005, "ignored");
  EXPECT_EQ(out, (Bytes{0x88, 0}));
}

TEST(WsWriter, CloseReasonIsCutOnACharacterBoundary) {
  Bytes out;
  append_ws_close(out, 1000, std::string(300, 'a'));
  ASSERT_EQ(out.size(), 2u + 125u);
  EXPECT_EQ(out[1], 125);

  // 122 ASCII bytes and a 2-byte character fill 124 > 123: the character goes.
  std::string reason = std::string(122, 'a') + "\xC3\xA9";
  out.clear();
  append_ws_close(out, 1000, reason);
  ASSERT_EQ(out[1], 2 + 122);
  EXPECT_TRUE(is_valid_utf8(as_string(ByteView(out).subspan(4))));

  // 120 ASCII bytes and a 4-byte character, cut in its third byte.
  reason = std::string(120, 'a') + "\xF0\x9F\x98\x80";
  out.clear();
  append_ws_close(out, 1000, reason);
  ASSERT_EQ(out[1], 2 + 120);

  // Exactly 123 bytes fit whole.
  reason = std::string(119, 'a') + "\xF0\x9F\x98\x80";
  out.clear();
  append_ws_close(out, 1000, reason);
  ASSERT_EQ(out[1], 125);
  EXPECT_EQ(as_string(ByteView(out).subspan(4)), reason);
}

TEST(WsWriter, ServerFramesAreRefusedByTheClientFrameReader) {
  // Unmasked: the reader is for the client's direction only.
  Bytes out;
  append_ws_frame(out, WsOpcode::text, as_bytes("hi"));
  const Outcome r = read_all(out);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->close_code, 1002);
}

// ---- Upgrade -----------------------------------------------------------

constexpr std::string_view kServer = "sottod";

std::string request(std::string_view fields, std::string_view start = "GET /chat HTTP/1.1") {
  return std::string(start) + "\r\n" + std::string(fields) + "\r\n";
}

const std::string kGoodFields =
    "Host: server.example.com\r\n"
    "Upgrade: websocket\r\n"
    "Connection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    "Origin: http://example.com\r\n"
    "Sec-WebSocket-Version: 13\r\n";

void expect_refused(const std::string& input, std::string_view status, const char* what) {
  const UpgradeOutcome out = parse_upgrade(input, kServer);
  ASSERT_EQ(out.kind, UpgradeOutcome::Kind::refused) << what;
  EXPECT_EQ(out.response.rfind("HTTP/1.1 " + std::string(status) + " ", 0), 0u)
      << what << ": " << out.response;
  EXPECT_NE(out.response.find("\r\nContent-Length: 0\r\n"), std::string::npos) << what;
  EXPECT_NE(out.response.find("\r\nConnection: close\r\n"), std::string::npos) << what;
  EXPECT_EQ(out.response.substr(out.response.size() - 4), "\r\n\r\n") << what;
}

// RFC 6455 §1.3: this key gives s3pPLMBiTxaQ9kYGzzhZRbK+xOo= (base64 of SHA-1
// b37a4f2cc0624f1690f64606cf385945b2bec4ea).
TEST(WsUpgrade, AcceptsTheRfcExample) {
  const std::string head = request(kGoodFields);
  const UpgradeOutcome out = parse_upgrade(head, kServer);
  ASSERT_EQ(out.kind, UpgradeOutcome::Kind::accepted) << out.response;
  EXPECT_EQ(out.consumed, head.size());
  EXPECT_EQ(out.response,
            "HTTP/1.1 101 Switching Protocols\r\n"
            "Upgrade: websocket\r\n"
            "Connection: Upgrade\r\n"
            "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
            "Server: sottod\r\n\r\n");
}

TEST(WsUpgrade, EveryPrefixNeedsMore) {
  const std::string head = request(kGoodFields);
  for (std::size_t n = 0; n < head.size(); ++n) {
    const UpgradeOutcome out = parse_upgrade(std::string_view(head).substr(0, n), kServer);
    EXPECT_EQ(out.kind, UpgradeOutcome::Kind::need_more) << n;
    EXPECT_TRUE(out.response.empty());
  }
}

TEST(WsUpgrade, ConsumedStopsAtTheHeadWhenFramesFollow) {
  const std::string head = request(kGoodFields);
  const Bytes frames = concat({client_frame(0x1, "pipelined"), client_frame(0x9, "p")});
  const std::string input = head + std::string(as_string(frames));
  const UpgradeOutcome out = parse_upgrade(input, kServer);
  ASSERT_EQ(out.kind, UpgradeOutcome::Kind::accepted);
  EXPECT_EQ(out.consumed, head.size());

  Bytes rest = to_bytes(std::string_view(input).substr(out.consumed));
  const Outcome read = read_all(rest);
  EXPECT_FALSE(read.error);
  EXPECT_EQ(read.events, (std::vector<Event>{message(false, "pipelined"), ping("p")}));
}

TEST(WsUpgrade, AcceptsTokenListsAndAnyCase) {
  const std::string head = request(
      "host: a\r\nUPGRADE: WebSocket\r\nconnection: keep-alive, upgrade\r\n"
      "sec-websocket-key: AAAAAAAAAAAAAAAAAAAAAA==\r\nsec-websocket-version: 13\r\n"
      "Content-Length: 0\r\n");
  const UpgradeOutcome out = parse_upgrade(head, kServer);
  ASSERT_EQ(out.kind, UpgradeOutcome::Kind::accepted) << out.response;
  EXPECT_EQ(out.consumed, head.size());
}

TEST(WsUpgrade, Version8Is426) {
  std::string fields = kGoodFields;
  fields.replace(fields.find("Version: 13"), 11, "Version: 8");
  expect_refused(request(fields), "426", "version 8");
  const UpgradeOutcome out = parse_upgrade(request(fields), kServer);
  EXPECT_NE(out.response.find("\r\nSec-WebSocket-Version: 13\r\n"), std::string::npos);
}

std::string without(std::string fields, std::string_view name) {
  const std::size_t at = fields.find(name);
  EXPECT_NE(at, std::string::npos) << name;
  fields.erase(at, fields.find("\r\n", at) + 2 - at);
  return fields;
}

std::string replaced(std::string fields, std::string_view name, std::string_view line) {
  const std::size_t at = fields.find(name);
  EXPECT_NE(at, std::string::npos) << name;
  fields.replace(at, fields.find("\r\n", at) - at, line);
  return fields;
}

TEST(WsUpgrade, Refuses400) {
  expect_refused(request(without(kGoodFields, "Sec-WebSocket-Key")), "400", "no key");
  expect_refused(request(without(kGoodFields, "Sec-WebSocket-Version")), "400", "no version");
  expect_refused(request(without(kGoodFields, "Host")), "400", "no host");
  expect_refused(request(without(kGoodFields, "Upgrade:")), "400", "no upgrade");
  expect_refused(request(without(kGoodFields, "Connection")), "400", "no connection");
  expect_refused(request(replaced(kGoodFields, "Connection", "Connection: keep-alive")), "400",
                 "connection without upgrade");
  expect_refused(request(replaced(kGoodFields, "Upgrade:", "Upgrade: h2c")), "400",
                 "upgrade to something else");
  expect_refused(
      request(replaced(kGoodFields, "Sec-WebSocket-Key", "Sec-WebSocket-Key: dGhlIHNhbXBsZQ==")),
      "400", "10-byte key");
  expect_refused(request(replaced(kGoodFields, "Sec-WebSocket-Key",
                                  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ")),
                 "400", "unpadded key");
  expect_refused(request(replaced(kGoodFields, "Sec-WebSocket-Key",
                                  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQAA")),
                 "400", "24 characters of 18 bytes");
  expect_refused(request(replaced(kGoodFields, "Sec-WebSocket-Key",
                                  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25j*Q==")),
                 "400", "key outside base64");
  expect_refused(request(replaced(kGoodFields, "Sec-WebSocket-Key",
                                  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZSBub25jZQ==")),
                 "400", "key of 22 bytes");
  expect_refused(request(kGoodFields + "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==\r\n"), "400",
                 "two keys");
  expect_refused(request(kGoodFields, "POST /chat HTTP/1.1"), "400", "POST");
  expect_refused(request(kGoodFields, "PUT /chat HTTP/1.1"), "400", "PUT");
  expect_refused(request(kGoodFields, "GET /chat HTTP/1.0"), "400", "HTTP/1.0");
  expect_refused(request(kGoodFields, "GET /chat HTTP/2.0"), "400", "HTTP/2.0");
  expect_refused(request(kGoodFields, "GET /chat"), "400", "no version in the request line");
  expect_refused(request(kGoodFields + "Content-Length: 5\r\n") + "hello", "400", "a body");
  expect_refused(request(kGoodFields + "Transfer-Encoding: chunked\r\n") + "0\r\n\r\n", "400",
                 "a chunked body");
  expect_refused(request(kGoodFields + "Bad Field: x\r\n"), "400", "a malformed field");
  expect_refused(std::string("\r\n\r\n"), "400", "no request line");
}

TEST(WsUpgrade, RefusesAnotherMethodWithoutWaiting) {
  expect_refused("P", "400", "one byte");
  expect_refused("GEt", "400", "lower case");
  expect_refused(std::string("\x16\x03\x01\x02\x00", 5), "400", "a TLS record");
  EXPECT_EQ(parse_upgrade("GE", kServer).kind, UpgradeOutcome::Kind::need_more);
}

TEST(WsUpgrade, BoundsTheHead) {
  // Exactly kMaxUpgradeRequest bytes, end marker included, is accepted.
  std::string head = request(kGoodFields + "X-Pad: \r\n");
  const std::size_t pad = kMaxUpgradeRequest - head.size();
  head = request(kGoodFields + "X-Pad: " + std::string(pad, 'p') + "\r\n");
  ASSERT_EQ(head.size(), kMaxUpgradeRequest);
  const UpgradeOutcome ok = parse_upgrade(head, kServer);
  EXPECT_EQ(ok.kind, UpgradeOutcome::Kind::accepted) << ok.response;
  EXPECT_EQ(ok.consumed, kMaxUpgradeRequest);

  // One more byte is too long, whether or not the end is in the input.
  const std::string over = request(kGoodFields + "X-Pad: " + std::string(pad + 1, 'p') + "\r\n");
  expect_refused(over, "431", "a head one byte over");
  expect_refused(over.substr(0, kMaxUpgradeRequest), "431", "the bound without an end");
  expect_refused("GET / HTTP/1.1\r\n" + std::string(20000, 'x'), "431", "a long line");

  // Under the bound without an end, it waits.
  EXPECT_EQ(parse_upgrade(over.substr(0, kMaxUpgradeRequest - 1), kServer).kind,
            UpgradeOutcome::Kind::need_more);
}

TEST(WsUpgrade, KeepsControlCharactersOutOfTheServerField) {
  const UpgradeOutcome out = parse_upgrade(request(kGoodFields), "evil\r\nX-Injected: 1");
  ASSERT_EQ(out.kind, UpgradeOutcome::Kind::accepted);
  EXPECT_EQ(out.response.find("\r\nX-Injected"), std::string::npos);
  EXPECT_NE(out.response.find("\r\nServer: evilX-Injected: 1\r\n\r\n"), std::string::npos);
}

}  // namespace
}  // namespace sotto::transport
