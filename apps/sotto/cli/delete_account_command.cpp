// SPDX-License-Identifier: Apache-2.0
// sotto delete-account --yes
#include <iostream>

#include "commands.hpp"

namespace sotto::cli {

void add_delete_account_command(CLI::App& app, const GlobalOptions& global, int& exit_code) {
  auto yes = std::make_shared<bool>(false);
  auto* cmd = app.add_subcommand(
      "delete-account",
      "Delete your account on the server and every local key and message (cannot be undone)");
  cmd->add_flag("--yes", *yes, "Confirm")->required();
  // `yes` is captured to keep the flag's storage alive until the callback runs.
  cmd->callback([yes, &global, &exit_code] {
    auto c = open_client(global);
    if (!c) {
      exit_code = report_error(c.error());
      return;
    }
    auto deleted = (*c)->delete_account();
    if (!deleted) {
      exit_code = report_error(deleted.error());
      return;
    }
    std::cout << "account deleted\n";
  });
}

}  // namespace sotto::cli
