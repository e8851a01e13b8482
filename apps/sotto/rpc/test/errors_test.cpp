// SPDX-License-Identifier: Apache-2.0
#include "sotto/cli/rpc/errors.hpp"

#include <gtest/gtest.h>

namespace sotto::cli::rpc {
namespace {

TEST(RpcErrors, ErrcSurvivesTheRoundTrip) {
  for (Errc code : {Errc::bad_request, Errc::untrusted_identity, Errc::network_error,
                    Errc::not_found, Errc::internal, Errc::rate_limited}) {
    RpcError wire = to_rpc_error(Error{code, "context"});
    EXPECT_EQ(wire.code, kOperationFailed);
    Error back = to_error(wire);
    EXPECT_EQ(back.code, code) << errc_name(code);
    EXPECT_EQ(back.message, "context");
  }
}

TEST(RpcErrors, StandardCodesMapToErrc) {
  EXPECT_EQ(to_error(RpcError{kParseError, "Parse error", nullptr}).code, Errc::bad_request);
  EXPECT_EQ(to_error(RpcError{kInvalidParams, "x", nullptr}).code, Errc::bad_request);
  EXPECT_EQ(to_error(RpcError{kMethodNotFound, "x", nullptr}).code, Errc::not_found);
  EXPECT_EQ(to_error(RpcError{kInternalError, "x", nullptr}).code, Errc::internal);
  EXPECT_EQ(to_error(RpcError{-1, "x", nullptr}).code, Errc::internal);
  EXPECT_EQ(to_error(RpcError{kMethodNotFound, "Method not found", nullptr}).message,
            "rpc error -32601: Method not found");
  // An unknown errc name falls back to the code's mapping.
  EXPECT_EQ(to_error(RpcError{kOperationFailed, "x", {{"errc", "no_such_errc"}}}).code,
            Errc::internal);
}

TEST(RpcErrors, JsonOmitsNullData) {
  EXPECT_EQ(to_json(RpcError{-32601, "Method not found", nullptr}),
            nlohmann::json({{"code", -32601}, {"message", "Method not found"}}));
  EXPECT_EQ(to_json(RpcError{-32000, "m", {{"errc", "x"}}}).at("data"), nlohmann::json({{"errc", "x"}}));
}

TEST(RpcErrors, ToResultFlattens) {
  EXPECT_EQ(*to_result(RpcOutcome(nlohmann::json(5))), 5);
  auto failed = to_result(RpcOutcome(tl::unexpected(to_rpc_error(Error{Errc::no_session, "m"}))));
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, Errc::no_session);
}

}  // namespace
}  // namespace sotto::cli::rpc
