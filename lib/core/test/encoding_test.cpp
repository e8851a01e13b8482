// SPDX-License-Identifier: Apache-2.0
#include "sotto/core/encoding.hpp"

#include <gtest/gtest.h>

namespace sotto {
namespace {

TEST(Base64, Rfc4648Vectors) {
  const char* plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
  const char* coded[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
  for (int i = 0; i < 7; ++i) {
    EXPECT_EQ(base64_encode(as_bytes(plain[i])), coded[i]);
    auto back = base64_decode(coded[i]);
    ASSERT_TRUE(back.has_value()) << coded[i];
    EXPECT_EQ(as_string(*back), plain[i]);
  }
}

TEST(Base64, RejectsMalformed) {
  for (const char* bad : {"Zg=", "Z===", "Zm9v!A==", "Zh==", "=Zg=", "Zg==Zg=="}) {
    auto r = base64_decode(bad);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error().code, Errc::invalid_encoding);
  }
}

TEST(Hex, RoundTripAndErrors) {
  Bytes b{0x00, 0x7f, 0x80, 0xff};
  EXPECT_EQ(hex_encode(b), "007f80ff");
  EXPECT_EQ(*hex_decode("007F80ff"), b);
  EXPECT_FALSE(hex_decode("abc").has_value());
  EXPECT_FALSE(hex_decode("zz").has_value());
}

}  // namespace
}  // namespace sotto
