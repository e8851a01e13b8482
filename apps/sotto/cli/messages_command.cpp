// SPDX-License-Identifier: Apache-2.0
// sotto messages [USER] [--limit N] [--json]: the stored history.
#include <iostream>

#include "commands.hpp"
#include "output.hpp"

namespace sotto::cli {

namespace {

const char* status_name(client::MessageStatus status) {
  switch (status) {
    case client::MessageStatus::queued: return "queued";
    case client::MessageStatus::sent: return "sent";
    case client::MessageStatus::delivered: return "delivered";
    case client::MessageStatus::read: return "read";
    case client::MessageStatus::unread: return "unread";
  }
  return "unknown";
}

}  // namespace

void add_messages_command(CLI::App& app, const GlobalOptions& global, int& exit_code) {
  struct Args {
    std::string username;
    std::size_t limit = 50;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("messages", "Show stored messages (sent and received)");
  cmd->add_option("username", args->username, "Only the conversation with this contact");
  cmd->add_option("-n,--limit", args->limit, "How many of the newest messages")
      ->capture_default_str();
  cmd->add_flag("--json", args->json, "One JSON object per message and line");
  cmd->callback([args, &global, &exit_code] {
    auto c = open_client(global);
    if (!c) {
      exit_code = report_error(c.error());
      return;
    }
    std::optional<std::string> who;
    if (!args->username.empty()) who = args->username;
    auto messages = (*c)->history(who, args->limit);
    if (!messages) {
      exit_code = report_error(messages.error());
      return;
    }
    auto contacts = (*c)->contacts();
    auto name_of = [&](const client::AccountId& id) -> std::string {
      if (contacts) {
        for (const auto& k : *contacts) {
          if (k.account_id == id) return k.username;
        }
      }
      return hex_id(id);
    };
    for (const auto& m : *messages) {
      const bool in = m.direction == client::MessageDirection::incoming;
      if (args->json) {
        nlohmann::json j{{"id", m.id},
                         {"direction", in ? "in" : "out"},
                         {"peer", name_of(m.peer)},
                         {"peerAccount", hex_id(m.peer)},
                         {"timestamp", m.timestamp},
                         {"status", status_name(m.status)},
                         {"body", m.body}};
        std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
      } else {
        std::cout << (in ? "<- " : "-> ") << terminal_safe(name_of(m.peer)) << " ["
                  << status_name(m.status) << "] " << terminal_safe(m.body) << "\n";
      }
    }
  });
}

}  // namespace sotto::cli
