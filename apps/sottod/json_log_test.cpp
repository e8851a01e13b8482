// SPDX-License-Identifier: Apache-2.0
#include "json_log.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>
#include <sstream>

namespace sotto::sottod {
namespace {

TEST(JsonLog, EscapesWhatWouldBreakTheLine) {
  EXPECT_EQ(json_escape("plain"), "plain");
  EXPECT_EQ(json_escape("a\"b\\c"), "a\\\"b\\\\c");
  EXPECT_EQ(json_escape("line\nnext\ttab\r"), "line\\nnext\\ttab\\r");
  EXPECT_EQ(json_escape(std::string("\x01\x1b\x7f", 3)), "\\u0001\\u001b\\u007f");
}

TEST(JsonLog, EachRecordIsOneJsonObject) {
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
  auto logger = std::make_shared<spdlog::logger>("test", sink);
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(logger);
  use_json_log_lines();
  spdlog::info("store error: near \"x\": syntax error\nsecond line");
  spdlog::set_default_logger(previous);

  std::string line = out.str();
  ASSERT_FALSE(line.empty());
  ASSERT_EQ(line.back(), '\n');
  line.pop_back();
  EXPECT_EQ(line.find('\n'), std::string::npos);
  auto parsed = nlohmann::json::parse(line);
  EXPECT_EQ(parsed["level"], "info");
  EXPECT_EQ(parsed["msg"], "store error: near \"x\": syntax error\nsecond line");
  EXPECT_TRUE(parsed["time"].get<std::string>().ends_with("Z"));
}

}  // namespace
}  // namespace sotto::sottod
