// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include <algorithm>

#include "pb_writer.hpp"
#include "sotto/core/encoding.hpp"
#include "sotto/wire/sender_key_message.hpp"
#include "sotto/wire/signal_message.hpp"

namespace sotto::wire {
namespace {

using test::frame;
using test::key33;
using test::pattern;
using test::PbWriter;

const Bytes kChainKey = pattern(32, 0x60);

SenderKeyDistributionMessageV3 sample() {
  SenderKeyDistributionMessageV3 m;
  m.chain_id = 0x12345678;
  m.iteration = 2000;
  m.chain_key = crypto::SecretKey<32>::from(kChainKey);
  m.signing_key = key33(0x70);
  return m;
}

Bytes chain_key_of(const SenderKeyDistributionMessageV3& m) {
  const auto k = m.chain_key.expose();
  return Bytes(k.begin(), k.end());
}

Errc parse_error(ByteView input) {
  auto r = parse_sender_key_distribution_message_v3(input);
  EXPECT_FALSE(r) << hex_encode(input);
  return r ? Errc::internal : r.error().code;
}

Bytes build(unsigned fields, ByteView chain_key, ByteView signing_key) {
  PbWriter w;
  if (fields & 1u) w.varint(1, 1);
  if (fields & 2u) w.varint(2, 2);
  if (fields & 4u) w.bytes(3, chain_key);
  if (fields & 8u) w.bytes(4, signing_key);
  return frame(0x33, w.finish());
}

TEST(SenderKeyDistributionMessageV3, EncodesTheCLibraryLayout) {
  const Bytes expected = frame(0x33, PbWriter()
                                         .varint(1, 0x12345678)
                                         .varint(2, 2000)
                                         .bytes(3, kChainKey)
                                         .bytes(4, key33(0x70))
                                         .finish());
  EXPECT_EQ(encode_sender_key_distribution_message_v3(sample()), expected);
  EXPECT_EQ(hex_encode(ByteView(expected).first(10)),
            "3308f8acd19101"
            "10d00f");
}

TEST(SenderKeyDistributionMessageV3, RoundTrips) {
  const SenderKeyDistributionMessageV3 m = sample();
  auto r = parse_sender_key_distribution_message_v3(encode_sender_key_distribution_message_v3(m));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->chain_id, m.chain_id);
  EXPECT_EQ(r->iteration, m.iteration);
  EXPECT_EQ(chain_key_of(*r), kChainKey);
  EXPECT_EQ(r->signing_key, m.signing_key);
}

TEST(SenderKeyDistributionMessageV3, EveryTruncationIsInvalid) {
  const Bytes wire = encode_sender_key_distribution_message_v3(sample());
  for (std::size_t n = 0; n < wire.size(); ++n) {
    EXPECT_EQ(parse_error(ByteView(wire).first(n)), Errc::invalid_message) << n;
  }
}

TEST(SenderKeyDistributionMessageV3, TrailingBytes) {
  Bytes wire = encode_sender_key_distribution_message_v3(sample());
  wire.push_back(0x00);
  EXPECT_EQ(parse_error(wire), Errc::invalid_message);
}

TEST(SenderKeyDistributionMessageV3, OnlyVersion3) {
  const Bytes good = encode_sender_key_distribution_message_v3(sample());
  for (int hi = 0; hi < 16; ++hi) {
    Bytes wire = good;
    wire[0] = static_cast<std::uint8_t>((hi << 4) | 0x3);
    auto r = parse_sender_key_distribution_message_v3(wire);
    if (hi == 3) {
      EXPECT_TRUE(r);
    } else {
      ASSERT_FALSE(r) << hi;
      EXPECT_EQ(r.error().code, hi < 3 ? Errc::legacy_version : Errc::unknown_version) << hi;
    }
  }
}

TEST(SenderKeyDistributionMessageV3, SizeLimit) {
  Bytes wire = build(15, kChainKey, key33(0));
  append(wire, PbWriter().bytes(9, Bytes(kMaxMessageSize, 0)).finish());
  EXPECT_EQ(parse_error(wire), Errc::invalid_message);
}

TEST(SenderKeyDistributionMessageV3, RequiredFields) {
  for (unsigned fields = 0; fields < 16; ++fields) {
    auto r = parse_sender_key_distribution_message_v3(build(fields, kChainKey, key33(0)));
    if (fields == 15u) {
      EXPECT_TRUE(r);
    } else {
      ASSERT_FALSE(r) << fields;
      EXPECT_EQ(r.error().code, Errc::invalid_message);
    }
  }
}

TEST(SenderKeyDistributionMessageV3, KeyLengths) {
  for (std::size_t size : {0u, 16u, 31u, 33u, 64u}) {
    EXPECT_EQ(parse_error(build(15, pattern(size, 1), key33(0))), Errc::invalid_message) << size;
  }
  for (std::size_t size : {0u, 32u, 34u}) {
    EXPECT_EQ(parse_error(build(15, kChainKey, pattern(size, 1))), Errc::invalid_message) << size;
  }
}

TEST(SenderKeyDistributionMessageV3, LastChainKeyWins) {
  // A repeated field replaces the earlier value (protobuf semantics); the
  // earlier, longer value must not leak into the result.
  Bytes wire = build(15, pattern(48, 0xEE), key33(0));
  append(wire, PbWriter().bytes(3, kChainKey).finish());
  auto r = parse_sender_key_distribution_message_v3(wire);
  ASSERT_TRUE(r);
  EXPECT_EQ(chain_key_of(*r), kChainKey);
}

}  // namespace
}  // namespace sotto::wire
