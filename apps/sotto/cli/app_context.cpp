// SPDX-License-Identifier: Apache-2.0
#include "app_context.hpp"

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <system_error>

namespace sotto::cli {

namespace fs = std::filesystem;

Result<std::string> resolve_data_dir(const GlobalOptions& options) {
  fs::path dir;
  if (!options.data_dir.empty()) {
    dir = options.data_dir;
  } else if (const char* env = std::getenv("SOTTO_DATA_DIR"); env != nullptr && *env != '\0') {
    dir = env;
  } else if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg != nullptr && *xdg != '\0') {
    dir = fs::path(xdg) / "sotto";
  } else if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    dir = fs::path(home) / ".local" / "share" / "sotto";
  } else {
    return fail(Errc::bad_request, "no data folder: pass --data-dir or set SOTTO_DATA_DIR");
  }
  std::error_code ec;
  if (!fs::exists(dir, ec)) {
    fs::create_directories(dir, ec);
    if (ec) return fail(Errc::internal, "cannot create " + dir.string() + ": " + ec.message());
    fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  }
  return dir.string();
}

Result<std::unique_ptr<client::Client>> open_client(const GlobalOptions& options) {
  auto dir = resolve_data_dir(options);
  if (!dir) return tl::unexpected(dir.error());
  return client::Client::open((fs::path(*dir) / "sotto.db").string());
}

int report_error(const Error& error) {
  std::cerr << "error: " << error.message << "\n";
  switch (error.code) {
    case Errc::network_error:
    case Errc::timed_out:
    case Errc::tls_pin_mismatch:
      return kExitNetwork;
    case Errc::untrusted_identity:
      return kExitUntrusted;
    default:
      return kExitError;
  }
}

}  // namespace sotto::cli
