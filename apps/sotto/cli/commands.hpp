// SPDX-License-Identifier: Apache-2.0
// The `sotto` subcommands (modelled on signal-cli). Each adds itself to the
// app; its callback stores the process exit code in `exit_code`.
#pragma once

#include <CLI/CLI.hpp>

#include "app_context.hpp"

namespace sotto::cli {

void add_register_command(CLI::App& app, const GlobalOptions& global, int& exit_code);
void add_send_command(CLI::App& app, const GlobalOptions& global, int& exit_code);
void add_receive_command(CLI::App& app, const GlobalOptions& global, int& exit_code);
void add_messages_command(CLI::App& app, const GlobalOptions& global, int& exit_code);
void add_contacts_command(CLI::App& app, const GlobalOptions& global, int& exit_code);
void add_verify_command(CLI::App& app, const GlobalOptions& global, int& exit_code);
void add_delete_account_command(CLI::App& app, const GlobalOptions& global, int& exit_code);
void add_daemon_command(CLI::App& app, const GlobalOptions& global, int& exit_code);

}  // namespace sotto::cli
