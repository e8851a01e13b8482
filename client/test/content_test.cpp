// SPDX-License-Identifier: Apache-2.0
#include "sotto/client/content.hpp"

#include <gtest/gtest.h>

namespace sotto::client {
namespace {

TEST(Content, TextRoundTripsAndIsPaddedTo160) {
  Content c;
  c.sender_username = "alice";
  c.data = DataMessage{"hello", 1234};
  auto encoded = encode_content(c);
  ASSERT_TRUE(encoded);
  EXPECT_EQ(encoded->size() % kPaddingBlock, 0u);
  auto parsed = parse_content(encoded->expose());
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->sender_username, "alice");
  ASSERT_TRUE(parsed->data);
  EXPECT_EQ(parsed->data->body, "hello");
  EXPECT_EQ(parsed->data->timestamp, 1234u);
  EXPECT_FALSE(parsed->receipt);
}

TEST(Content, ReceiptRoundTrips) {
  Content c;
  c.receipt = Receipt{ReceiptType::read, {1, 2, 3}};
  auto encoded = encode_content(c);
  ASSERT_TRUE(encoded);
  auto parsed = parse_content(encoded->expose());
  ASSERT_TRUE(parsed);
  ASSERT_TRUE(parsed->receipt);
  EXPECT_EQ(parsed->receipt->type, ReceiptType::read);
  EXPECT_EQ(parsed->receipt->timestamps, (std::vector<std::uint64_t>{1, 2, 3}));
}

TEST(Content, LengthsHideTheTextWithinABlock) {
  Content a;
  a.data = DataMessage{"hi", 1};
  Content b;
  b.data = DataMessage{std::string(100, 'x'), 1};
  EXPECT_EQ(encode_content(a)->size(), encode_content(b)->size());
}

TEST(Content, RefusesEmptyAndOversized) {
  EXPECT_EQ(encode_content(Content{}).error().code, Errc::bad_request);
  Content big;
  big.data = DataMessage{std::string(kMaxBodySize + 1, 'x'), 1};
  EXPECT_EQ(encode_content(big).error().code, Errc::bad_request);
}

TEST(Content, HostileInputIsInvalidMessage) {
  EXPECT_EQ(parse_content({}).error().code, Errc::invalid_message);
  const Bytes zeros(160, 0);
  EXPECT_EQ(parse_content(zeros).error().code, Errc::invalid_message);
  Bytes no_marker(160, 0);
  no_marker[0] = 0x0a;
  EXPECT_EQ(parse_content(no_marker).error().code, Errc::invalid_message);
  // Valid padding around garbage protobuf.
  Bytes garbage{0xff, 0xff, 0xff, 0x80};
  EXPECT_EQ(parse_content(garbage).error().code, Errc::invalid_message);
  // Valid padding around an empty Content (no message, no receipt).
  Bytes empty{0x80};
  EXPECT_EQ(parse_content(empty).error().code, Errc::invalid_message);
}

}  // namespace
}  // namespace sotto::client
