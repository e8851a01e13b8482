// SPDX-License-Identifier: Apache-2.0
#include "messages.hpp"

#include <utility>

namespace sotto::cli::rpc::detail {
namespace {

bool is_blank(std::string_view s) {
  for (char c : s) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return false;
  }
  return true;
}

// Spec §4: an id is a string, a number or null.
bool valid_id(const nlohmann::json& id) { return id.is_string() || id.is_number() || id.is_null(); }

nlohmann::json invalid_request(const nlohmann::json& id, std::string message) {
  return error_response(id, RpcError{kInvalidRequest, std::move(message), nullptr});
}

tl::expected<Request, nlohmann::json> parse_request(nlohmann::json value) {
  if (!value.is_object()) return tl::unexpected(invalid_request(nullptr, "Invalid Request: not an object"));
  // Echo the id when it is readable, so the client can match the error.
  nlohmann::json id = nullptr;
  auto id_it = value.find("id");
  bool has_id = id_it != value.end();
  if (has_id) {
    if (!valid_id(*id_it)) {
      return tl::unexpected(invalid_request(nullptr, "Invalid Request: id must be a string, number or null"));
    }
    id = *id_it;
  }
  auto version = value.find("jsonrpc");
  if (version == value.end() || *version != "2.0") {
    return tl::unexpected(invalid_request(id, "Invalid Request: jsonrpc must be \"2.0\""));
  }
  auto method = value.find("method");
  if (method == value.end() || !method->is_string()) {
    return tl::unexpected(invalid_request(id, "Invalid Request: method must be a string"));
  }
  Request request;
  request.method = method->get<std::string>();
  auto params = value.find("params");
  // "params": null is taken as absent: some clients send it.
  if (params != value.end() && !params->is_null()) {
    if (!params->is_object() && !params->is_array()) {
      return tl::unexpected(invalid_request(id, "Invalid Request: params must be an object or array"));
    }
    request.params = std::move(*params);
  }
  if (has_id) request.id = std::move(id);
  return request;
}

}  // namespace

bool nesting_exceeds(std::string_view text, int limit) {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"': in_string = true; break;
      case '[':
      case '{':
        if (++depth > limit) return true;
        break;
      case ']':
      case '}': --depth; break;
      default: break;
    }
  }
  return false;
}

Incoming classify_line(std::string_view line, std::size_t max_batch) {
  Incoming in;
  if (is_blank(line)) return in;
  if (nesting_exceeds(line, kMaxNesting)) {
    in.whole_line_error = error_response(
        nullptr, RpcError{kParseError, "Parse error: nesting deeper than " + std::to_string(kMaxNesting),
                          nullptr});
    return in;
  }
  auto value = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) {
    in.whole_line_error = error_response(nullptr, RpcError{kParseError, "Parse error", nullptr});
    return in;
  }
  if (!value.is_array()) {
    in.entries.push_back(parse_request(std::move(value)));
    return in;
  }
  // Spec §6: an empty batch is one Invalid Request, not an empty array.
  if (value.empty()) {
    in.whole_line_error = invalid_request(nullptr, "Invalid Request: empty batch");
    return in;
  }
  if (value.size() > max_batch) {
    in.whole_line_error =
        invalid_request(nullptr, "Invalid Request: batch larger than " + std::to_string(max_batch));
    return in;
  }
  in.batch = true;
  in.entries.reserve(value.size());
  for (auto& entry : value) in.entries.push_back(parse_request(std::move(entry)));
  return in;
}

nlohmann::json result_response(const nlohmann::json& id, nlohmann::json result) {
  return {{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}};
}

nlohmann::json error_response(const nlohmann::json& id, const RpcError& error) {
  return {{"jsonrpc", "2.0"}, {"id", id}, {"error", to_json(error)}};
}

nlohmann::json notification_message(std::string_view method, nlohmann::json params) {
  nlohmann::json out = {{"jsonrpc", "2.0"}, {"method", method}};
  if (!params.is_null()) out["params"] = std::move(params);
  return out;
}

std::string serialize(const nlohmann::json& message) {
  std::string line = message.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  line.push_back('\n');
  return line;
}

}  // namespace sotto::cli::rpc::detail
