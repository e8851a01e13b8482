// SPDX-License-Identifier: Apache-2.0
#include "sotto/wire/sender_key_message.hpp"

#include <gtest/gtest.h>

#include "pb_writer.hpp"
#include "sotto/core/encoding.hpp"
#include "sotto/wire/signal_message.hpp"

namespace sotto::wire {
namespace {

using test::frame;
using test::pattern;
using test::PbWriter;

const Bytes kSignature = pattern(kSignatureSize, 0xC0);

SenderKeyMessageV3 sample() {
  SenderKeyMessageV3 m;
  m.chain_id = 0x7fffffff;
  m.iteration = 0;
  m.ciphertext = pattern(32, 0x90);
  return m;
}

Bytes signed_wire(const SenderKeyMessageV3& m) {
  Bytes wire = encode_sender_key_message_body(m);
  append(wire, kSignature);
  return wire;
}

Errc parse_error(ByteView input) {
  auto r = parse_sender_key_message_v3(input);
  EXPECT_FALSE(r) << hex_encode(input);
  return r ? Errc::internal : r.error().code;
}

TEST(SenderKeyMessageV3, EncodesTheCLibraryLayout) {
  SenderKeyMessageV3 m;
  m.chain_id = 1;
  m.iteration = 0;  // written even when 0
  m.ciphertext = Bytes{0xab, 0xcd};
  EXPECT_EQ(hex_encode(encode_sender_key_message_body(m)),
            "33"
            "0801"
            "1000"
            "1a02abcd");
}

TEST(SenderKeyMessageV3, RoundTripsAndViewsAliasTheInput) {
  const SenderKeyMessageV3 m = sample();
  const Bytes body = encode_sender_key_message_body(m);
  const Bytes wire = signed_wire(m);
  auto r = parse_sender_key_message_v3(wire);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->message.chain_id, m.chain_id);
  EXPECT_EQ(r->message.iteration, m.iteration);
  EXPECT_EQ(r->message.ciphertext, m.ciphertext);
  EXPECT_EQ(r->body.data(), wire.data());
  EXPECT_EQ(r->body.size(), body.size());
  EXPECT_EQ(r->signature.data(), wire.data() + body.size());
  EXPECT_EQ(r->signature.size(), kSignatureSize);
  EXPECT_EQ(Bytes(r->signature.begin(), r->signature.end()), kSignature);
}

TEST(SenderKeyMessageV3, EveryTruncationIsInvalid) {
  const Bytes wire = signed_wire(sample());
  for (std::size_t n = 0; n < wire.size(); ++n) {
    EXPECT_EQ(parse_error(ByteView(wire).first(n)), Errc::invalid_message) << n;
  }
}

TEST(SenderKeyMessageV3, TrailingBytesShiftTheSignatureIntoTheProtobuf) {
  Bytes wire = encode_sender_key_message_body(sample());
  append(wire, Bytes(kSignatureSize + 1, 0x00));
  EXPECT_EQ(parse_error(wire), Errc::invalid_message);
}

TEST(SenderKeyMessageV3, OnlyVersion3) {
  const Bytes good = signed_wire(sample());
  for (int hi = 0; hi < 16; ++hi) {
    Bytes wire = good;
    wire[0] = static_cast<std::uint8_t>((hi << 4) | 0x3);
    auto r = parse_sender_key_message_v3(wire);
    if (hi == 3) {
      EXPECT_TRUE(r);
    } else {
      ASSERT_FALSE(r) << hi;
      EXPECT_EQ(r.error().code, hi < 3 ? Errc::legacy_version : Errc::unknown_version) << hi;
    }
  }
}

TEST(SenderKeyMessageV3, SizeLimit) {
  SenderKeyMessageV3 m = sample();
  m.ciphertext.assign(kMaxMessageSize, 0);
  EXPECT_EQ(parse_error(signed_wire(m)), Errc::invalid_message);
}

TEST(SenderKeyMessageV3, RequiredFields) {
  for (unsigned fields = 0; fields < 8; ++fields) {
    PbWriter w;
    if (fields & 1u) w.varint(1, 3);
    if (fields & 2u) w.varint(2, 4);
    if (fields & 4u) w.bytes(3, pattern(16, 0));
    auto r = parse_sender_key_message_v3(frame(0x33, w.finish(), kSignature));
    if (fields == 7u) {
      ASSERT_TRUE(r);
      EXPECT_EQ(r->message.chain_id, 3u);
      EXPECT_EQ(r->message.iteration, 4u);
    } else {
      ASSERT_FALSE(r) << fields;
      EXPECT_EQ(r.error().code, Errc::invalid_message);
    }
  }
}

TEST(SenderKeyMessageV3, RustLayoutIsNotMistakenForTheCOne) {
  // libsignal's v4 layout: 1 distribution uuid (bytes), 2 chain_id, 3 iteration,
  // 4 ciphertext. Field 1 has the wrong wire type for a uint32 and field 3 the
  // wrong one for bytes, so it cannot parse as the C layout.
  const Bytes wire = frame(0x33,
                           PbWriter()
                               .bytes(1, pattern(16, 0))
                               .varint(2, 1)
                               .varint(3, 0)
                               .bytes(4, pattern(16, 0))
                               .finish(),
                           kSignature);
  EXPECT_EQ(parse_error(wire), Errc::invalid_message);
}

}  // namespace
}  // namespace sotto::wire
