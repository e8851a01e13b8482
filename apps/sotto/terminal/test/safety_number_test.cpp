// SPDX-License-Identifier: Apache-2.0
#include "sotto/cli/terminal/safety_number.hpp"

#include <gtest/gtest.h>

namespace sotto::cli::terminal {
namespace {

TEST(SafetyNumber, SixtyDigitsInThreeLinesOfFourGroups) {
  std::string digits;
  for (int i = 0; i < 60; ++i) digits.push_back(static_cast<char>('0' + i % 10));
  EXPECT_EQ(group_digits(digits),
            "01234 56789 01234 56789\n"
            "01234 56789 01234 56789\n"
            "01234 56789 01234 56789");
}

TEST(SafetyNumber, EveryDigitKeptInOrder) {
  std::string digits = "058376194720563819274650182736495012837465019283746501928374";
  ASSERT_EQ(digits.size(), 60u);
  std::string grouped = group_digits(digits);
  EXPECT_EQ(grouped.size(), 60u + 11u);  // 9 spaces, 2 newlines, no trailing newline
  std::string back;
  for (char c : grouped) {
    if (c != ' ' && c != '\n') back.push_back(c);
  }
  EXPECT_EQ(back, digits);
}

TEST(SafetyNumber, OtherLengthsAreGroupedTheSameWay) {
  EXPECT_EQ(group_digits(""), "");
  EXPECT_EQ(group_digits("123"), "123");
  EXPECT_EQ(group_digits("1234567"), "12345 67");
  EXPECT_EQ(group_digits(std::string(21, '9')), "99999 99999 99999 99999\n9");
}

}  // namespace
}  // namespace sotto::cli::terminal
