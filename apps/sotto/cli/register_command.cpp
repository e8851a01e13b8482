// SPDX-License-Identifier: Apache-2.0
// sotto register NAME --server HOST:PORT --pin PIN
#include <iostream>

#include "commands.hpp"

namespace sotto::cli {

void add_register_command(CLI::App& app, const GlobalOptions& global, int& exit_code) {
  struct Args {
    std::string username;
    std::string server;
    std::string pin;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("register", "Create an account on a sottod server");
  cmd->add_option("username", args->username,
                  "3-32 characters: letters, digits, '_' and '.' (case does not matter)")
      ->required();
  cmd->add_option("--server", args->server, "The server, HOST:PORT")->required();
  cmd->add_option("--pin", args->pin,
                  "The server certificate's SHA-256 pin (64 hex digits, printed by sottod)")
      ->required();
  cmd->callback([args, &global, &exit_code] {
    auto endpoint = client::parse_endpoint(args->server, args->pin);
    if (!endpoint) {
      exit_code = report_error(endpoint.error());
      return;
    }
    auto c = open_client(global);
    if (!c) {
      exit_code = report_error(c.error());
      return;
    }
    auto registered = (*c)->register_account(*endpoint, args->username);
    if (!registered) {
      exit_code = report_error(registered.error());
      return;
    }
    std::cout << "registered '" << args->username << "' (account "
              << client::address_name((*c)->account().account_id) << ")\n";
  });
}

}  // namespace sotto::cli
