// SPDX-License-Identifier: Apache-2.0
// sotto: the Sotto command-line client. One local account per data folder.
#include <CLI/CLI.hpp>

#include "commands.hpp"

int main(int argc, char** argv) {
  using namespace sotto::cli;
  CLI::App app{
      "sotto: end-to-end encrypted messaging from the terminal.\n"
      "Start with `sotto register NAME --server HOST:PORT --pin PIN` (sottod prints the pin),\n"
      "then `sotto send FRIEND 'hello'` and `sotto receive`."};
  app.require_subcommand(1);
  GlobalOptions global;
  app.add_option("--data-dir", global.data_dir,
                 "Folder holding this account's database (default: $SOTTO_DATA_DIR, else "
                 "$XDG_DATA_HOME/sotto, else ~/.local/share/sotto)");
  int exit_code = kExitOk;
  add_register_command(app, global, exit_code);
  add_send_command(app, global, exit_code);
  add_receive_command(app, global, exit_code);
  add_messages_command(app, global, exit_code);
  add_contacts_command(app, global, exit_code);
  add_verify_command(app, global, exit_code);
  add_delete_account_command(app, global, exit_code);
  add_daemon_command(app, global, exit_code);
  CLI11_PARSE(app, argc, argv);
  return exit_code;
}
