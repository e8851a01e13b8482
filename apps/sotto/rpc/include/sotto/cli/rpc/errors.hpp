// SPDX-License-Identifier: Apache-2.0
// JSON-RPC 2.0 error objects (https://www.jsonrpc.org/specification §5.1) and
// how they map onto sotto::Error, so a library failure crosses the daemon
// socket and comes back out of RpcClient with its Errc intact.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <tl/expected.hpp>

#include "sotto/core/result.hpp"

namespace sotto::cli::rpc {

// The "error" member of a response. `data` is omitted from the wire when null.
struct RpcError {
  int code = 0;
  std::string message;
  nlohmann::json data;
};

// What a method answers: its "result" or its "error".
using RpcOutcome = tl::expected<nlohmann::json, RpcError>;

// Codes fixed by JSON-RPC 2.0.
inline constexpr int kParseError = -32700;      // the line is not JSON (or nests too deep)
inline constexpr int kInvalidRequest = -32600;  // JSON, but not a Request object
inline constexpr int kMethodNotFound = -32601;
inline constexpr int kInvalidParams = -32602;
inline constexpr int kInternalError = -32603;  // a handler threw or dropped its Reply

// Ours, in the -32000..-32099 range JSON-RPC reserves for implementation-defined
// server errors.
// A sotto::Error from the library; data = {"errc": "<errc_name>"}.
inline constexpr int kOperationFailed = -32000;
// A line longer than RpcServerOptions::max_line_bytes; the server then closes
// the connection, because it cannot find where the next message starts.
inline constexpr int kLineTooLong = -32001;
// The server is at RpcServerOptions::max_connections; sent once, then closed.
inline constexpr int kTooManyConnections = -32002;

// {"code": ..., "message": ..., ["data": ...]}
nlohmann::json to_json(const RpcError& error);

// kOperationFailed carrying the Errc's stable name in data.errc and the
// error's message (which by contract holds no secrets).
RpcError to_rpc_error(const Error& error);

// The inverse for clients: data.errc names the Errc when the server sent one;
// otherwise the JSON-RPC code picks it (invalid request/params and parse
// errors -> bad_request, method not found -> not_found, anything else ->
// internal). The message keeps the code: "rpc error -32601: Method not found".
Error to_error(const RpcError& error);

// Flattens a call's outcome for callers that only need a Result.
Result<nlohmann::json> to_result(RpcOutcome outcome);

// Shorthands for handlers: reply(tl::unexpected(invalid_params("need \"to\"")))
RpcError invalid_params(std::string message);
RpcError internal_error(std::string message);

}  // namespace sotto::cli::rpc
