// SPDX-License-Identifier: Apache-2.0
// JSON-RPC message rules without sockets.
#include "messages.hpp"

#include <gtest/gtest.h>

namespace sotto::cli::rpc::detail {
namespace {

using nlohmann::json;

TEST(RpcMessages, NestingCountsOnlyStructure) {
  EXPECT_FALSE(nesting_exceeds("[[1]]", 2));
  EXPECT_TRUE(nesting_exceeds("[[[1]]]", 2));
  EXPECT_TRUE(nesting_exceeds(R"({"a":{"b":{"c":1}}})", 2));
  EXPECT_FALSE(nesting_exceeds(R"(["[[[[", "{{{{"])", 1));
  EXPECT_FALSE(nesting_exceeds(R"(["\"[[[[", "\\", "{{{{"])", 1));  // escapes inside strings
  EXPECT_TRUE(nesting_exceeds(R"(["\\"[[[)", 1));  // the string ended at \\"
}

TEST(RpcMessages, BlankLinesAskNothing) {
  for (const char* line : {"", " ", "\t", "\r", "  \r"}) {
    Incoming in = classify_line(line, 10);
    EXPECT_TRUE(in.entries.empty()) << line;
    EXPECT_FALSE(in.whole_line_error) << line;
  }
}

TEST(RpcMessages, RequestAndNotification) {
  Incoming in = classify_line(R"({"jsonrpc":"2.0","method":"m","params":{"a":1},"id":5})", 10);
  ASSERT_EQ(in.entries.size(), 1u);
  ASSERT_TRUE(in.entries[0]);
  EXPECT_FALSE(in.batch);
  EXPECT_EQ(in.entries[0]->method, "m");
  EXPECT_EQ(in.entries[0]->params, json({{"a", 1}}));
  ASSERT_TRUE(in.entries[0]->id);
  EXPECT_EQ(*in.entries[0]->id, 5);

  in = classify_line(R"({"jsonrpc":"2.0","method":"m"})", 10);
  ASSERT_TRUE(in.entries.at(0));
  EXPECT_FALSE(in.entries[0]->id);
  EXPECT_TRUE(in.entries[0]->params.is_null());

  in = classify_line(R"({"jsonrpc":"2.0","method":"m","id":null})", 10);
  ASSERT_TRUE(in.entries.at(0));
  ASSERT_TRUE(in.entries[0]->id);  // "id": null is a request, not a notification
  EXPECT_TRUE(in.entries[0]->id->is_null());
}

TEST(RpcMessages, WholeLineErrors) {
  auto code = [](const Incoming& in) { return in.whole_line_error->at("error").at("code"); };
  Incoming in = classify_line("nope", 10);
  ASSERT_TRUE(in.whole_line_error);
  EXPECT_EQ(code(in), kParseError);
  in = classify_line("[]", 10);
  ASSERT_TRUE(in.whole_line_error);
  EXPECT_EQ(code(in), kInvalidRequest);
  in = classify_line("[1,2,3]", 2);
  ASSERT_TRUE(in.whole_line_error);
  EXPECT_EQ(code(in), kInvalidRequest);
  in = classify_line(std::string(kMaxNesting + 1, '[') + std::string(kMaxNesting + 1, ']'), 10);
  ASSERT_TRUE(in.whole_line_error);
  EXPECT_EQ(code(in), kParseError);
  in = classify_line(std::string(kMaxNesting, '[') + std::string(kMaxNesting, ']'), 10);
  EXPECT_FALSE(in.whole_line_error);  // parsed: an array is a batch of one bad entry
}

TEST(RpcMessages, BatchEntriesJudgedOneByOne) {
  Incoming in = classify_line(R"([{"jsonrpc":"2.0","method":"a","id":1}, 3, {"jsonrpc":"2.0"}])", 10);
  EXPECT_TRUE(in.batch);
  ASSERT_EQ(in.entries.size(), 3u);
  EXPECT_TRUE(in.entries[0]);
  ASSERT_FALSE(in.entries[1]);
  EXPECT_EQ(in.entries[1].error().at("error").at("code"), kInvalidRequest);
  ASSERT_FALSE(in.entries[2]);
}

TEST(RpcMessages, ResponsesAreSpecShaped) {
  EXPECT_EQ(result_response(1, "x"), json::parse(R"({"jsonrpc":"2.0","id":1,"result":"x"})"));
  EXPECT_EQ(error_response(nullptr, RpcError{kParseError, "Parse error", nullptr}),
            json::parse(R"({"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}})"));
  EXPECT_EQ(notification_message("receive", {{"a", 1}}),
            json::parse(R"({"jsonrpc":"2.0","method":"receive","params":{"a":1}})"));
  EXPECT_EQ(notification_message("ping", nullptr), json::parse(R"({"jsonrpc":"2.0","method":"ping"})"));
}

TEST(RpcMessages, SerializeIsOneLineAndNeverThrows) {
  json message = {{"text", "line1\nline2"}, {"bad", std::string("\xff\xfe")}};
  std::string line = serialize(message);
  ASSERT_FALSE(line.empty());
  EXPECT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1);  // the embedded newline is escaped
  EXPECT_FALSE(json::parse(line).is_discarded());
}

}  // namespace
}  // namespace sotto::cli::rpc::detail
