// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include "pb_writer.hpp"
#include "sotto/core/encoding.hpp"
#include "sotto/wire/signal_message.hpp"

namespace sotto::wire {
namespace {

using test::frame;
using test::key33;
using test::pattern;
using test::PbWriter;

PreKeySignalMessage v3_message() {
  PreKeySignalMessage m;
  m.message_version = 3;
  m.registration_id = 0x1234;
  m.pre_key_id = 17;
  m.signed_pre_key_id = 5;
  m.base_key = key33(0x20);
  m.identity_key = key33(0x40);
  m.message = pattern(60, 0x33);
  return m;
}

PreKeySignalMessage v4_message() {
  PreKeySignalMessage m = v3_message();
  m.message_version = 4;
  m.pre_key_id.reset();
  m.kyber_pre_key_id = 0xfffffffe;
  m.kyber_ciphertext = pattern(1569, 0x08);
  return m;
}

void expect_same(const PreKeySignalMessage& a, const PreKeySignalMessage& b) {
  EXPECT_EQ(a.message_version, b.message_version);
  EXPECT_EQ(a.registration_id, b.registration_id);
  EXPECT_EQ(a.pre_key_id, b.pre_key_id);
  EXPECT_EQ(a.signed_pre_key_id, b.signed_pre_key_id);
  EXPECT_EQ(a.kyber_pre_key_id, b.kyber_pre_key_id);
  EXPECT_EQ(a.kyber_ciphertext, b.kyber_ciphertext);
  EXPECT_EQ(a.base_key, b.base_key);
  EXPECT_EQ(a.identity_key, b.identity_key);
  EXPECT_EQ(a.message, b.message);
}

Errc parse_error(ByteView input) {
  auto r = parse_prekey_signal_message(input);
  EXPECT_FALSE(r) << hex_encode(input);
  return r ? Errc::internal : r.error().code;
}

TEST(PreKeySignalMessage, EncodesFieldsInNumberOrder) {
  // protobuf-c (libsignal-protocol-c) packs in field-number order too, so a v3
  // message is byte-identical: 1 pre_key_id, 2 base_key, 3 identity_key,
  // 4 message, 5 registration_id, 6 signed_pre_key_id.
  PreKeySignalMessage m = v3_message();
  m.base_key = key33(0x00);
  m.identity_key = key33(0x00);
  m.message = Bytes{0x33, 0x01};
  m.registration_id = 300;
  const std::string key = "050102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20";
  std::string expected = "33";  // version byte
  expected += "0811";           // 1 pre_key_id = 17
  expected += "1221" + key;     // 2 base_key
  expected += "1a21" + key;     // 3 identity_key
  expected += "22023301";       // 4 message
  expected += "28ac02";         // 5 registration_id = 300
  expected += "3005";           // 6 signed_pre_key_id = 5
  EXPECT_EQ(hex_encode(encode_prekey_signal_message(m)), expected);
}

TEST(PreKeySignalMessage, OmitsAbsentOptionalFields) {
  PreKeySignalMessage m = v3_message();
  m.pre_key_id.reset();
  m.registration_id = 0;  // still written, as the C library does
  const Bytes expected = frame(0x33, PbWriter()
                                         .bytes(2, m.base_key)
                                         .bytes(3, m.identity_key)
                                         .bytes(4, m.message)
                                         .varint(5, 0)
                                         .varint(6, 5)
                                         .finish());
  EXPECT_EQ(encode_prekey_signal_message(m), expected);
}

TEST(PreKeySignalMessage, EncodesV4KyberFields) {
  const PreKeySignalMessage m = v4_message();
  const Bytes expected = frame(0x44, PbWriter()
                                         .bytes(2, m.base_key)
                                         .bytes(3, m.identity_key)
                                         .bytes(4, m.message)
                                         .varint(5, 0x1234)
                                         .varint(6, 5)
                                         .varint(7, 0xfffffffe)
                                         .bytes(8, m.kyber_ciphertext)
                                         .finish());
  EXPECT_EQ(encode_prekey_signal_message(m), expected);
}

TEST(PreKeySignalMessage, RoundTrips) {
  for (const PreKeySignalMessage& m : {v3_message(), v4_message()}) {
    auto parsed = parse_prekey_signal_message(encode_prekey_signal_message(m));
    ASSERT_TRUE(parsed) << parsed.error().message;
    expect_same(*parsed, m);
  }
}

TEST(PreKeySignalMessage, EveryTruncationIsInvalid) {
  const Bytes wire = encode_prekey_signal_message(v3_message());
  for (std::size_t n = 0; n < wire.size(); ++n) {
    EXPECT_EQ(parse_error(ByteView(wire).first(n)), Errc::invalid_message) << n;
  }
}

TEST(PreKeySignalMessage, TruncatedV4LosesBothKyberFieldsOrFails) {
  // Cutting exactly fields 7 and 8 leaves a well-formed message without Kyber
  // (the protocol layer rejects that for v4); no cut leaves just one of them.
  const Bytes wire = encode_prekey_signal_message(v4_message());
  for (std::size_t n = 0; n < wire.size(); ++n) {
    auto r = parse_prekey_signal_message(ByteView(wire).first(n));
    if (!r) {
      EXPECT_EQ(r.error().code, Errc::invalid_message);
      continue;
    }
    EXPECT_FALSE(r->kyber_pre_key_id) << n;
    EXPECT_TRUE(r->kyber_ciphertext.empty()) << n;
  }
}

TEST(PreKeySignalMessage, TrailingBytes) {
  const Bytes wire = encode_prekey_signal_message(v3_message());
  Bytes zero = wire;
  zero.push_back(0x00);  // tag 0 is never valid
  EXPECT_EQ(parse_error(zero), Errc::invalid_message);
  Bytes half_field = wire;
  half_field.push_back(0x08);  // a tag without its value
  EXPECT_EQ(parse_error(half_field), Errc::invalid_message);
  Bytes unknown = wire;
  append(unknown, PbWriter().varint(20, 1).finish());  // a later version's field: ignored
  auto r = parse_prekey_signal_message(unknown);
  ASSERT_TRUE(r);
  expect_same(*r, v3_message());
}

TEST(PreKeySignalMessage, VersionNibbles) {
  const Bytes good = encode_prekey_signal_message(v3_message());
  for (int hi = 0; hi < 16; ++hi) {
    Bytes wire = good;
    wire[0] = static_cast<std::uint8_t>((hi << 4) | 0x3);
    auto r = parse_prekey_signal_message(wire);
    if (hi == 3 || hi == 4) {
      ASSERT_TRUE(r) << hi;
      EXPECT_EQ(r->message_version, hi);
    } else {
      ASSERT_FALSE(r) << hi;
      EXPECT_EQ(r.error().code, hi < 3 ? Errc::legacy_version : Errc::unknown_version) << hi;
    }
  }
}

TEST(PreKeySignalMessage, SizeLimit) {
  PreKeySignalMessage m = v3_message();
  m.message.assign(kMaxMessageSize, 0x11);
  EXPECT_EQ(parse_error(encode_prekey_signal_message(m)), Errc::invalid_message);
}

TEST(PreKeySignalMessage, RequiredAndDefaultedFields) {
  const Bytes base = key33(1);
  const Bytes identity = key33(2);
  const Bytes inner = pattern(20, 3);
  // Bit i set = field i+1 present.
  auto build = [&](unsigned fields) {
    PbWriter w;
    if (fields & 1u) w.varint(1, 9);
    if (fields & 2u) w.bytes(2, base);
    if (fields & 4u) w.bytes(3, identity);
    if (fields & 8u) w.bytes(4, inner);
    if (fields & 16u) w.varint(5, 77);
    if (fields & 32u) w.varint(6, 8);
    return frame(0x33, w.finish());
  };
  constexpr unsigned kRequired = 2u | 4u | 8u | 32u;
  for (unsigned fields = 0; fields < 64; ++fields) {
    auto r = parse_prekey_signal_message(build(fields));
    if ((fields & kRequired) != kRequired) {
      ASSERT_FALSE(r) << fields;
      EXPECT_EQ(r.error().code, Errc::invalid_message);
      continue;
    }
    ASSERT_TRUE(r) << fields;
    EXPECT_EQ(r->pre_key_id, (fields & 1u) ? std::optional<std::uint32_t>(9) : std::nullopt);
    EXPECT_EQ(r->registration_id, (fields & 16u) ? 77u : 0u);
    EXPECT_EQ(r->signed_pre_key_id, 8u);
    EXPECT_EQ(r->base_key, base);
    EXPECT_EQ(r->identity_key, identity);
    EXPECT_EQ(r->message, inner);
  }
}

TEST(PreKeySignalMessage, KeysMustBe33Bytes) {
  for (std::size_t size : {0u, 32u, 34u}) {
    PreKeySignalMessage bad_base = v3_message();
    bad_base.base_key = pattern(size, 5);
    EXPECT_EQ(parse_error(encode_prekey_signal_message(bad_base)), Errc::invalid_message);
    PreKeySignalMessage bad_identity = v3_message();
    bad_identity.identity_key = pattern(size, 5);
    EXPECT_EQ(parse_error(encode_prekey_signal_message(bad_identity)), Errc::invalid_message);
  }
}

TEST(PreKeySignalMessage, KyberFieldsComeTogether) {
  PreKeySignalMessage id_only = v4_message();
  id_only.kyber_ciphertext.clear();
  EXPECT_EQ(parse_error(encode_prekey_signal_message(id_only)), Errc::invalid_message);

  PreKeySignalMessage ciphertext_only = v4_message();
  ciphertext_only.kyber_pre_key_id.reset();
  EXPECT_EQ(parse_error(encode_prekey_signal_message(ciphertext_only)), Errc::invalid_message);

  // An explicitly empty ciphertext next to an id is still "no ciphertext".
  Bytes empty_ct = encode_prekey_signal_message(id_only);
  append(empty_ct, PbWriter().bytes(8, {}).finish());
  EXPECT_EQ(parse_error(empty_ct), Errc::invalid_message);

  // ... and on its own it is simply absent.
  Bytes lone_empty_ct = encode_prekey_signal_message(v3_message());
  append(lone_empty_ct, PbWriter().bytes(8, {}).finish());
  auto r = parse_prekey_signal_message(lone_empty_ct);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->kyber_pre_key_id);
  EXPECT_TRUE(r->kyber_ciphertext.empty());
}

TEST(PreKeySignalMessage, AcceptsLibsignalDeclarationOrder) {
  // libsignal's schema declares 5, 1, 6, 7, 8, 2, 3, 4; order never matters to a parser.
  const PreKeySignalMessage m = v4_message();
  const Bytes wire = frame(0x44, PbWriter()
                                     .varint(5, m.registration_id)
                                     .varint(6, m.signed_pre_key_id)
                                     .varint(7, *m.kyber_pre_key_id)
                                     .bytes(8, m.kyber_ciphertext)
                                     .bytes(2, m.base_key)
                                     .bytes(3, m.identity_key)
                                     .bytes(4, m.message)
                                     .finish());
  auto r = parse_prekey_signal_message(wire);
  ASSERT_TRUE(r) << r.error().message;
  expect_same(*r, m);
}

}  // namespace
}  // namespace sotto::wire
