// SPDX-License-Identifier: Apache-2.0
// sotto send USER MESSAGE…   (MESSAGE "-" reads it from stdin)
#include <iostream>
#include <iterator>

#include "commands.hpp"
#include "output.hpp"

namespace sotto::cli {

void add_send_command(CLI::App& app, const GlobalOptions& global, int& exit_code) {
  struct Args {
    std::string recipient;
    std::vector<std::string> words;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand(
      "send", "Send a message to a user; it waits in the outbox if the server is unreachable");
  cmd->add_option("recipient", args->recipient, "The recipient's username")->required();
  cmd->add_option("message", args->words, "The text (several words are joined; '-' reads stdin)")
      ->required();
  cmd->add_flag("--json", args->json, "Print the result as one JSON object");
  cmd->callback([args, &global, &exit_code] {
    std::string text;
    if (args->words.size() == 1 && args->words[0] == "-") {
      text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    } else {
      for (const auto& w : args->words) text += (text.empty() ? "" : " ") + w;
    }
    auto c = open_client(global);
    if (!c) {
      exit_code = report_error(c.error());
      return;
    }
    auto sink = [json = args->json](const client::Event& e) {
      if (json) {
        std::cout << to_json(e).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
                  << "\n";
      } else {
        std::cerr << to_human(e) << "\n";
      }
    };
    auto sent = (*c)->send_text(args->recipient, text, sink);
    if (!sent) {
      exit_code = report_error(sent.error());
      return;
    }
    if (args->json) {
      nlohmann::json j{{"type", "sent"},
                       {"timestamp", sent->timestamp},
                       {"deliveredToServer", sent->delivered_to_server}};
      if (!sent->delivered_to_server) j["pending"] = sent->pending_reason;
      std::cout << j.dump() << "\n";
    } else if (sent->delivered_to_server) {
      std::cout << "sent (timestamp " << sent->timestamp << ")\n";
    } else {
      std::cout << "queued, will retry (" << sent->pending_reason << ")\n";
    }
    if (!sent->delivered_to_server) exit_code = kExitNetwork;
  });
}

}  // namespace sotto::cli
