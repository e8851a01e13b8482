// SPDX-License-Identifier: Apache-2.0
// What every command needs: the data folder, the opened client, and the exit
// codes the CLI promises scripts.
#pragma once

#include <memory>
#include <string>

#include "sotto/client/client.hpp"
#include "sotto/core/result.hpp"

namespace sotto::cli {

// Exit codes (docs/client.md "CLI").
inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;       // bad input, refused by the server, local failure
inline constexpr int kExitNetwork = 3;     // the server could not be reached (work kept queued)
inline constexpr int kExitUntrusted = 4;   // an identity changed after it was verified

struct GlobalOptions {
  std::string data_dir;  // empty: $SOTTO_DATA_DIR, else $XDG_DATA_HOME/sotto, else ~/.local/share/sotto
};

// The folder actually used (created with mode 0700 if missing).
Result<std::string> resolve_data_dir(const GlobalOptions& options);
Result<std::unique_ptr<client::Client>> open_client(const GlobalOptions& options);
// Prints "error: <message>" to stderr and returns the exit code for `error`.
int report_error(const Error& error);

}  // namespace sotto::cli
