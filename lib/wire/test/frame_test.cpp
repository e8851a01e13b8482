// SPDX-License-Identifier: Apache-2.0
#include "sotto/wire/frame.hpp"

#include <gtest/gtest.h>

#include "pb_writer.hpp"
#include "sotto/core/encoding.hpp"

namespace sotto::wire {
namespace {

using test::pattern;
using test::PbWriter;

Errc parse_error(ByteView input) {
  auto r = parse_frame(input);
  EXPECT_FALSE(r) << hex_encode(input);
  return r ? Errc::internal : r.error().code;
}

Bytes wrap(std::uint32_t field, ByteView inner) { return PbWriter().bytes(field, inner).finish(); }

TEST(Frame, EncodesRequestLayout) {
  const Bytes wire = encode_frame(Request{7, "auth.login", Bytes{0xaa, 0xbb}});
  // Frame{1: Request{1: 7, 2: "auth.login", 3: aabb}}
  EXPECT_EQ(hex_encode(wire), "0a120807120a617574682e6c6f67696e1a02aabb");
  const Bytes expected = wrap(1, PbWriter()
                                     .varint(1, 7)
                                     .bytes(2, as_bytes("auth.login"))
                                     .bytes(3, Bytes{0xaa, 0xbb})
                                     .finish());
  EXPECT_EQ(wire, expected);
}

TEST(Frame, RoundTripsRequestAndResponse) {
  const Frame frames[] = {
      Request{0, "a", {}},
      Request{UINT64_MAX, "message.send", pattern(1000, 3)},
      Response{1, 200, "", {}},
      Response{42, 409, "mismatched devices", pattern(17, 9)},
  };
  for (const Frame& frame : frames) {
    auto parsed = parse_frame(encode_frame(frame));
    ASSERT_TRUE(parsed) << parsed.error().message;
    EXPECT_EQ(*parsed, frame);
  }
}

TEST(Frame, AcceptsFrameOfExactlyTheLimit) {
  Request r{1, "x", {}};
  const std::size_t overhead =
      encode_frame(Request{1, "x", Bytes(kMaxFrameSize - 64)}).size() - (kMaxFrameSize - 64);
  r.body = Bytes(kMaxFrameSize - overhead);
  const Bytes wire = encode_frame(r);
  ASSERT_EQ(wire.size(), kMaxFrameSize);
  EXPECT_TRUE(parse_frame(wire));
  r.body.push_back(0);
  EXPECT_EQ(parse_error(encode_frame(r)), Errc::invalid_message);
}

TEST(Frame, RefusesMissingParts) {
  EXPECT_EQ(parse_error({}), Errc::invalid_message);  // neither request nor response
  EXPECT_EQ(parse_error(wrap(1, PbWriter().bytes(2, as_bytes("op")).finish())),
            Errc::invalid_message);  // no id
  EXPECT_EQ(parse_error(wrap(1, PbWriter().varint(1, 3).finish())),
            Errc::invalid_message);  // no op
  EXPECT_EQ(parse_error(wrap(2, PbWriter().varint(2, 200).finish())),
            Errc::invalid_message);  // no id
  EXPECT_EQ(parse_error(wrap(2, PbWriter().varint(1, 3).finish())),
            Errc::invalid_message);  // no status
}

TEST(Frame, RefusesMalformedOpAndStatus) {
  for (std::string_view op :
       {"", "Auth.login", "a b", "a\n", "\xc3\xa9",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}) {
    EXPECT_EQ(parse_error(wrap(1, PbWriter().varint(1, 1).bytes(2, as_bytes(op)).finish())),
              Errc::invalid_message)
        << op;
  }
  EXPECT_TRUE(valid_op(std::string(kMaxOpSize, 'a')));
  for (std::uint64_t status : {0ull, 99ull, 600ull}) {
    EXPECT_EQ(parse_error(wrap(2, PbWriter().varint(1, 1).varint(2, status).finish())),
              Errc::invalid_message)
        << status;
  }
}

TEST(Frame, RefusesGarbage) {
  EXPECT_EQ(parse_error(Bytes{0x0a, 0x05, 0x08}), Errc::invalid_message);  // truncated
  EXPECT_EQ(parse_error(Bytes{0xff, 0xff, 0xff}), Errc::invalid_message);
  EXPECT_EQ(parse_error(Bytes(kMaxFrameSize + 1, 0)), Errc::invalid_message);
}

TEST(Frame, IgnoresUnknownFields) {
  const Bytes inner =
      PbWriter().varint(1, 5).bytes(2, as_bytes("keys.status")).varint(9, 1).finish();
  auto parsed = parse_frame(PbWriter().bytes(1, inner).varint(15, 3).finish());
  ASSERT_TRUE(parsed);
  EXPECT_EQ(*parsed, Frame(Request{5, "keys.status", {}}));
}

}  // namespace
}  // namespace sotto::wire
