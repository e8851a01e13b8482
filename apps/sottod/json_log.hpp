// SPDX-License-Identifier: Apache-2.0
// Structured logs: each record as one JSON object per line,
// {"time":"2026-11-27T23:55:14.962Z","level":"info","msg":"..."}, with the
// message escaped so any text stays one valid JSON string.
#pragma once

#include <string>
#include <string_view>

namespace sotto::sottod {

// Switches the default spdlog logger to JSON lines.
void use_json_log_lines();

// `text` as the inside of a JSON string (quotes, backslashes and control
// characters escaped; bytes ≥ 0x80 passed through).
std::string json_escape(std::string_view text);

}  // namespace sotto::sottod
