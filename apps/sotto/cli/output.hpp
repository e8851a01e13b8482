// SPDX-License-Identifier: Apache-2.0
// How the CLI shows client events: one human line each (with text from other
// people made safe for a terminal), or one JSON object per line for scripts.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "sotto/client/events.hpp"
#include "sotto/client/store.hpp"

namespace sotto::cli {

// Control characters (and so terminal escape sequences) in text that came
// from someone else are shown as \xNN, so a message cannot move the cursor,
// recolour or retitle the user's terminal.
std::string terminal_safe(std::string_view untrusted);

std::string hex_id(const client::AccountId& id);
// "bob", or "unknown account 0123…" when the sender could not be named.
std::string display_name(const client::Sender& sender);

nlohmann::json to_json(const client::Event& event);
// One line (no trailing newline). Identity changes get a loud multi-line
// warning when the old identity had been verified.
std::string to_human(const client::Event& event);

nlohmann::json to_json(const client::Contact& contact);

}  // namespace sotto::cli
