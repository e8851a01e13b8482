// SPDX-License-Identifier: Apache-2.0
#include "sotto/wire/signal_message.hpp"

#include <gtest/gtest.h>

#include "pb_writer.hpp"
#include "sotto/core/encoding.hpp"

namespace sotto::wire {
namespace {

using test::frame;
using test::key33;
using test::pattern;
using test::PbWriter;

const Bytes kMac = pattern(kMacSize, 0xA0);

SignalMessage v3_message() {
  SignalMessage m;
  m.message_version = 3;
  m.ratchet_key = key33(0x10);
  m.counter = 7;
  m.previous_counter = 0;
  m.ciphertext = pattern(48, 0x80);
  return m;
}

SignalMessage v4_message() {
  SignalMessage m = v3_message();
  m.message_version = 4;
  m.counter = 300;  // a two-byte varint
  m.previous_counter = 2;
  m.pq_ratchet = Bytes{0x01, 0x01, 0x01, 0x00};
  m.addresses = pattern(36, 0x40);
  return m;
}

Bytes with_mac(Bytes body) {
  append(body, kMac);
  return body;
}

void expect_same(const SignalMessage& a, const SignalMessage& b) {
  EXPECT_EQ(a.message_version, b.message_version);
  EXPECT_EQ(a.ratchet_key, b.ratchet_key);
  EXPECT_EQ(a.counter, b.counter);
  EXPECT_EQ(a.previous_counter, b.previous_counter);
  EXPECT_EQ(a.ciphertext, b.ciphertext);
  EXPECT_EQ(a.pq_ratchet, b.pq_ratchet);
  EXPECT_EQ(a.addresses, b.addresses);
}

Errc parse_error(ByteView input) {
  auto r = parse_signal_message(input);
  EXPECT_FALSE(r) << hex_encode(input);
  return r ? Errc::internal : r.error().code;
}

TEST(SignalMessage, EncodesTheBytesLibsignalProtocolCWrites) {
  // 0x33, then fields 1..4 in number order; previous_counter is written even
  // when it is 0, as the C library does.
  SignalMessage m = v3_message();
  m.ratchet_key = key33(0x00);
  m.ciphertext = Bytes{0xde, 0xad};
  const std::string expected =
      "33"
      "0a21"
      "050102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20"
      "1007"
      "1800"
      "2202dead";
  EXPECT_EQ(hex_encode(encode_signal_message_body(m)), expected);
}

TEST(SignalMessage, EncodesV4FieldsAfterTheV3Ones) {
  const SignalMessage m = v4_message();
  const Bytes expected = frame(0x44, PbWriter()
                                         .bytes(1, m.ratchet_key)
                                         .varint(2, 300)
                                         .varint(3, 2)
                                         .bytes(4, m.ciphertext)
                                         .bytes(5, m.pq_ratchet)
                                         .bytes(6, m.addresses)
                                         .finish());
  EXPECT_EQ(encode_signal_message_body(m), expected);
}

TEST(SignalMessage, RoundTripsAndViewsAliasTheInput) {
  for (const SignalMessage& m : {v3_message(), v4_message()}) {
    const Bytes body = encode_signal_message_body(m);
    const Bytes wire = with_mac(body);
    auto parsed = parse_signal_message(wire);
    ASSERT_TRUE(parsed) << parsed.error().message;
    expect_same(parsed->message, m);
    EXPECT_EQ(parsed->body.data(), wire.data());
    EXPECT_EQ(parsed->body.size(), body.size());
    EXPECT_EQ(parsed->mac.data(), wire.data() + body.size());
    EXPECT_EQ(parsed->mac.size(), kMacSize);
    EXPECT_EQ(Bytes(parsed->mac.begin(), parsed->mac.end()), kMac);
  }
}

TEST(SignalMessage, EveryTruncationIsInvalid) {
  const Bytes wire = with_mac(encode_signal_message_body(v3_message()));
  for (std::size_t n = 0; n < wire.size(); ++n) {
    EXPECT_EQ(parse_error(ByteView(wire).first(n)), Errc::invalid_message) << n;
  }
}

TEST(SignalMessage, TruncatedV4NeverYieldsOtherRequiredFields) {
  // Cutting off whole trailing v4 fields can leave a valid (shorter) message;
  // what parses must still carry the original required fields.
  const SignalMessage m = v4_message();
  const Bytes wire = with_mac(encode_signal_message_body(m));
  for (std::size_t n = 0; n < wire.size(); ++n) {
    auto r = parse_signal_message(ByteView(wire).first(n));
    if (!r) {
      EXPECT_EQ(r.error().code, Errc::invalid_message);
      continue;
    }
    EXPECT_EQ(r->message.ratchet_key, m.ratchet_key);
    EXPECT_EQ(r->message.ciphertext, m.ciphertext);
  }
}

TEST(SignalMessage, TrailingBytesShiftTheMacIntoTheProtobuf) {
  Bytes wire = with_mac(encode_signal_message_body(v3_message()));
  wire.back() = 0x00;  // the old MAC's last byte becomes a (forbidden) tag 0
  append(wire, Bytes(kMacSize, 0x00));
  EXPECT_EQ(parse_error(wire), Errc::invalid_message);
}

TEST(SignalMessage, VersionNibbles) {
  const Bytes good = with_mac(encode_signal_message_body(v3_message()));
  for (int hi = 0; hi < 16; ++hi) {
    Bytes wire = good;
    wire[0] = static_cast<std::uint8_t>((hi << 4) | 0x3);
    auto r = parse_signal_message(wire);
    if (hi == 3 || hi == 4) {
      ASSERT_TRUE(r) << hi;
      EXPECT_EQ(r->message.message_version, hi);
    } else {
      ASSERT_FALSE(r) << hi;
      EXPECT_EQ(r.error().code, hi < 3 ? Errc::legacy_version : Errc::unknown_version) << hi;
    }
  }
}

TEST(SignalMessage, LowNibbleIsIgnored) {
  Bytes wire = with_mac(encode_signal_message_body(v3_message()));
  wire[0] = 0x34;  // a v3 message from a sender whose current version is 4
  auto r = parse_signal_message(wire);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->message.message_version, 3);
}

TEST(SignalMessage, SizeLimit) {
  SignalMessage m = v3_message();
  m.ciphertext.clear();
  const std::size_t overhead = with_mac(encode_signal_message_body(m)).size();
  // A ciphertext this long needs a 3-byte length prefix instead of 1.
  m.ciphertext.assign(kMaxMessageSize - overhead - 2, 0x42);
  const Bytes at_limit = with_mac(encode_signal_message_body(m));
  ASSERT_EQ(at_limit.size(), kMaxMessageSize);
  EXPECT_TRUE(parse_signal_message(at_limit));

  m.ciphertext.push_back(0x42);
  const Bytes over = with_mac(encode_signal_message_body(m));
  ASSERT_EQ(over.size(), kMaxMessageSize + 1);
  EXPECT_EQ(parse_error(over), Errc::invalid_message);
}

TEST(SignalMessage, OversizeIsRejectedBeforeTheVersion) {
  Bytes wire(kMaxMessageSize + 1, 0x00);  // version nibble 0 would be legacy_version
  EXPECT_EQ(parse_error(wire), Errc::invalid_message);
}

TEST(SignalMessage, RequiredFields) {
  const Bytes key = key33(1);
  const Bytes ct = pattern(16, 2);
  auto build = [&](bool k, bool c, bool p, bool t) {
    PbWriter w;
    if (k) w.bytes(1, key);
    if (c) w.varint(2, 5);
    if (p) w.varint(3, 4);
    if (t) w.bytes(4, ct);
    return frame(0x33, w.finish(), kMac);
  };
  EXPECT_TRUE(parse_signal_message(build(true, true, true, true)));
  EXPECT_EQ(parse_error(build(false, true, true, true)), Errc::invalid_message);
  EXPECT_EQ(parse_error(build(true, false, true, true)), Errc::invalid_message);
  EXPECT_EQ(parse_error(build(true, true, true, false)), Errc::invalid_message);
  EXPECT_EQ(parse_error(build(false, false, false, false)), Errc::invalid_message);

  auto no_previous = parse_signal_message(build(true, true, false, true));
  ASSERT_TRUE(no_previous);
  EXPECT_EQ(no_previous->message.previous_counter, 0u);
  EXPECT_EQ(no_previous->message.counter, 5u);
}

TEST(SignalMessage, EmptyCiphertextIsPresent) {
  // Presence is what the reference parsers check; the protocol layer then
  // fails to decrypt it.
  const Bytes wire =
      frame(0x33, PbWriter().bytes(1, key33(1)).varint(2, 0).bytes(4, {}).finish(), kMac);
  auto r = parse_signal_message(wire);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->message.ciphertext.empty());
}

TEST(SignalMessage, RatchetKeyMustBe33Bytes) {
  for (std::size_t size : {0u, 1u, 32u, 34u, 65u}) {
    const Bytes wire = frame(
        0x33, PbWriter().bytes(1, pattern(size, 5)).varint(2, 1).bytes(4, pattern(16, 0)).finish(),
        kMac);
    EXPECT_EQ(parse_error(wire), Errc::invalid_message) << size;
  }
}

TEST(SignalMessage, MalformedProtobuf) {
  // Length prefix running past the end, a truncated varint, wire type 7, tag 0.
  for (const Bytes& pb : {Bytes{0x0a, 0x21, 0x05}, Bytes{0x10, 0x80}, Bytes{0x0f, 0x00},
                          Bytes{0x00, 0x00}, Bytes{0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f}}) {
    EXPECT_EQ(parse_error(frame(0x33, pb, kMac)), Errc::invalid_message) << hex_encode(pb);
  }
}

TEST(SignalMessage, FieldOrderDuplicatesAndUnknownFields) {
  const SignalMessage m = v4_message();
  const Bytes wire = frame(0x44,
                           PbWriter()
                               .bytes(6, m.addresses)
                               .varint(15, 99)  // unknown: ignored
                               .bytes(4, pattern(3, 0))
                               .bytes(4, m.ciphertext)  // the last occurrence wins
                               .varint(3, 2)
                               .bytes(5, m.pq_ratchet)
                               .varint(2, 300)
                               .bytes(1, m.ratchet_key)
                               .finish(),
                           kMac);
  auto r = parse_signal_message(wire);
  ASSERT_TRUE(r) << r.error().message;
  expect_same(r->message, m);
}

TEST(SignalMessage, EmptyOptionalV4FieldsReadAsAbsent) {
  const Bytes wire = frame(0x44,
                           PbWriter()
                               .bytes(1, key33(0))
                               .varint(2, 1)
                               .varint(3, 0)
                               .bytes(4, pattern(16, 0))
                               .bytes(5, {})
                               .bytes(6, {})
                               .finish(),
                           kMac);
  auto r = parse_signal_message(wire);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->message.pq_ratchet.empty());
  EXPECT_TRUE(r->message.addresses.empty());
  // And they are omitted when re-encoded.
  EXPECT_EQ(encode_signal_message_body(r->message).size(), r->body.size() - 4);
}

}  // namespace
}  // namespace sotto::wire
