// SPDX-License-Identifier: Apache-2.0
#include "sotto/wire/fingerprint.hpp"

#include <gtest/gtest.h>

#include "pb_writer.hpp"
#include "sotto/core/encoding.hpp"
#include "sotto/wire/signal_message.hpp"

namespace sotto::wire {
namespace {

using test::pattern;
using test::PbWriter;

CombinedFingerprints sample() {
  CombinedFingerprints f;
  f.version = 1;
  f.local = pattern(32, 0x00);
  f.remote = pattern(32, 0x80);
  return f;
}

Errc parse_error(ByteView input) {
  auto r = parse_combined_fingerprints(input);
  EXPECT_FALSE(r) << hex_encode(input);
  return r ? Errc::internal : r.error().code;
}

TEST(CombinedFingerprints, EncodesSignalsLayout) {
  // libsignal's test vector (Alice, scannable v1) starts 080112220a20 and has
  // 1a220a20 before the remote half; libsignal-protocol-c writes the same.
  const std::string hex = hex_encode(encode_combined_fingerprints(sample()));
  EXPECT_EQ(hex,
            "0801"
            "1222"
            "0a20" +
                hex_encode(pattern(32, 0x00)) +
                "1a22"
                "0a20" +
                hex_encode(pattern(32, 0x80)));
}

TEST(CombinedFingerprints, RoundTrips) {
  const CombinedFingerprints f = sample();
  auto r = parse_combined_fingerprints(encode_combined_fingerprints(f));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->version, f.version);
  EXPECT_EQ(r->local, f.local);
  EXPECT_EQ(r->remote, f.remote);
}

TEST(CombinedFingerprints, EveryTruncationIsInvalid) {
  const Bytes wire = encode_combined_fingerprints(sample());
  for (std::size_t n = 0; n < wire.size(); ++n) {
    EXPECT_EQ(parse_error(ByteView(wire).first(n)), Errc::invalid_message) << n;
  }
}

TEST(CombinedFingerprints, TrailingBytes) {
  Bytes wire = encode_combined_fingerprints(sample());
  wire.push_back(0x00);
  EXPECT_EQ(parse_error(wire), Errc::invalid_message);
}

TEST(CombinedFingerprints, IgnoresTheCLibrarysIdentifierField) {
  const Bytes wire =
      PbWriter()
          .varint(1, 2)
          .bytes(2, PbWriter().bytes(1, pattern(32, 1)).bytes(2, pattern(5, 9)).finish())
          .bytes(3, PbWriter().bytes(1, pattern(32, 2)).finish())
          .finish();
  auto r = parse_combined_fingerprints(wire);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->version, 2u);
  EXPECT_EQ(r->local, pattern(32, 1));
  EXPECT_EQ(r->remote, pattern(32, 2));
}

TEST(CombinedFingerprints, MissingParts) {
  const Bytes local = PbWriter().bytes(1, pattern(32, 1)).finish();
  const Bytes remote = PbWriter().bytes(1, pattern(32, 2)).finish();
  const Bytes empty_logical;  // present, but without content
  EXPECT_EQ(parse_error(PbWriter().bytes(2, local).bytes(3, remote).finish()),
            Errc::invalid_message);
  EXPECT_EQ(parse_error(PbWriter().varint(1, 1).bytes(3, remote).finish()), Errc::invalid_message);
  EXPECT_EQ(parse_error(PbWriter().varint(1, 1).bytes(2, local).finish()), Errc::invalid_message);
  EXPECT_EQ(parse_error(PbWriter().varint(1, 1).bytes(2, empty_logical).bytes(3, remote).finish()),
            Errc::invalid_message);
  EXPECT_EQ(parse_error(PbWriter().varint(1, 1).bytes(2, local).bytes(3, empty_logical).finish()),
            Errc::invalid_message);
  EXPECT_EQ(parse_error({}), Errc::invalid_message);
}

TEST(CombinedFingerprints, MalformedNestedMessage) {
  const Bytes wire = PbWriter()
                         .varint(1, 1)
                         .bytes(2, Bytes{0x0a, 0x20, 0x00})  // content runs past its message
                         .bytes(3, PbWriter().bytes(1, pattern(32, 2)).finish())
                         .finish();
  EXPECT_EQ(parse_error(wire), Errc::invalid_message);
}

TEST(CombinedFingerprints, SizeLimit) {
  CombinedFingerprints f = sample();
  f.local.assign(kMaxMessageSize, 0);
  EXPECT_EQ(parse_error(encode_combined_fingerprints(f)), Errc::invalid_message);
}

}  // namespace
}  // namespace sotto::wire
