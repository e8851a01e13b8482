// SPDX-License-Identifier: Apache-2.0
#include "sotto/cli/rpc/errors.hpp"

#include <optional>
#include <string_view>
#include <utility>

namespace sotto::cli::rpc {
namespace {

// Errc has no count; names past the last value fall back to "internal", so a
// bounded scan finds every real one.
constexpr int kMaxErrc = 256;

std::optional<Errc> errc_from_name(std::string_view name) {
  for (int i = 0; i < kMaxErrc; ++i) {
    auto code = static_cast<Errc>(i);
    if (errc_name(code) == name) return code;
  }
  return std::nullopt;
}

Errc errc_for_code(int code) {
  switch (code) {
    case kParseError:
    case kInvalidRequest:
    case kInvalidParams:
    case kLineTooLong: return Errc::bad_request;
    case kMethodNotFound: return Errc::not_found;
    case kTooManyConnections: return Errc::limit_exceeded;
    default: return Errc::internal;
  }
}

}  // namespace

nlohmann::json to_json(const RpcError& error) {
  nlohmann::json out = {{"code", error.code}, {"message", error.message}};
  if (!error.data.is_null()) out["data"] = error.data;
  return out;
}

RpcError to_rpc_error(const Error& error) {
  return RpcError{kOperationFailed, error.message, {{"errc", std::string(errc_name(error.code))}}};
}

Error to_error(const RpcError& error) {
  Errc code = errc_for_code(error.code);
  if (error.data.is_object()) {
    auto it = error.data.find("errc");
    if (it != error.data.end() && it->is_string()) {
      if (auto named = errc_from_name(it->get_ref<const std::string&>())) code = *named;
    }
  }
  if (error.code == kOperationFailed) return Error{code, error.message};
  return Error{code, "rpc error " + std::to_string(error.code) + ": " + error.message};
}

Result<nlohmann::json> to_result(RpcOutcome outcome) {
  if (!outcome) return tl::unexpected(to_error(outcome.error()));
  return std::move(*outcome);
}

RpcError invalid_params(std::string message) {
  return RpcError{kInvalidParams, std::move(message), nullptr};
}

RpcError internal_error(std::string message) {
  return RpcError{kInternalError, std::move(message), nullptr};
}

}  // namespace sotto::cli::rpc
