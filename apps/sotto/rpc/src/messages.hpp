// SPDX-License-Identifier: Apache-2.0
// JSON-RPC 2.0 message rules (spec §4-§6), free of sockets so they are unit
// tested on their own: what one received line asks for, and the exact
// responses to send back. Private to sotto_rpc.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <vector>

#include "sotto/cli/rpc/errors.hpp"

namespace sotto::cli::rpc::detail {

// Deepest array/object nesting a line may have. nlohmann parses iteratively,
// but dump(), comparison and handlers walking params recurse: a hostile 1 MiB
// line of '[' would otherwise overflow the I/O thread's stack.
inline constexpr int kMaxNesting = 64;

// True when `text` nests arrays/objects deeper than `limit` (strings skipped).
bool nesting_exceeds(std::string_view text, int limit);

struct Request {
  std::string method;
  nlohmann::json params;             // null when absent
  std::optional<nlohmann::json> id;  // nullopt: a notification, never answered
};

// A received line, classified. Invalid entries carry the error response to
// send (spec §5: such a response has "id": null unless the id was readable).
struct Incoming {
  bool batch = false;
  std::vector<tl::expected<Request, nlohmann::json>> entries;
  // A response answering the whole line (parse error, empty or oversized
  // batch); entries is empty then.
  std::optional<nlohmann::json> whole_line_error;
};

// Nothing to do (no entries, no error) for a blank line. A trailing '\r' is
// ignored so CRLF clients work.
Incoming classify_line(std::string_view line, std::size_t max_batch);

nlohmann::json result_response(const nlohmann::json& id, nlohmann::json result);
nlohmann::json error_response(const nlohmann::json& id, const RpcError& error);
nlohmann::json notification_message(std::string_view method, nlohmann::json params);

// One line, '\n' included. Invalid UTF-8 in strings (e.g. an exception's
// what()) is replaced by U+FFFD rather than throwing.
std::string serialize(const nlohmann::json& message);

}  // namespace sotto::cli::rpc::detail
