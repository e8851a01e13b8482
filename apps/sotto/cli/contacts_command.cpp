// SPDX-License-Identifier: Apache-2.0
// sotto contacts [--json]
#include <iostream>

#include "commands.hpp"
#include "output.hpp"

namespace sotto::cli {

void add_contacts_command(CLI::App& app, const GlobalOptions& global, int& exit_code) {
  auto json = std::make_shared<bool>(false);
  auto* cmd = app.add_subcommand("contacts", "List the people you have talked to");
  cmd->add_flag("--json", *json, "One JSON object per contact and line");
  cmd->callback([json, &global, &exit_code] {
    auto c = open_client(global);
    if (!c) {
      exit_code = report_error(c.error());
      return;
    }
    auto contacts = (*c)->contacts();
    if (!contacts) {
      exit_code = report_error(contacts.error());
      return;
    }
    for (const auto& contact : *contacts) {
      if (*json) {
        std::cout << to_json(contact).dump() << "\n";
        continue;
      }
      std::cout << terminal_safe(contact.username) << "  "
                << (contact.verified ? "verified" : "not verified")
                << (contact.identity_changed ? "  IDENTITY CHANGED" : "") << "\n";
    }
  });
}

}  // namespace sotto::cli
