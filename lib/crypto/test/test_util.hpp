// SPDX-License-Identifier: Apache-2.0
// Small helpers shared by the crypto unit tests.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "sotto/core/bytes.hpp"
#include "sotto/core/encoding.hpp"

namespace sotto::crypto::test {

inline Bytes hex(std::string_view text) {
  auto r = hex_decode(text);
  EXPECT_TRUE(r.has_value()) << "bad hex in test: " << text;
  return r ? *r : Bytes{};
}

template <class Container>
std::string to_hex(const Container& c) {
  return hex_encode(ByteView(c.data(), c.size()));
}

}  // namespace sotto::crypto::test
