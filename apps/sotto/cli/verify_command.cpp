// SPDX-License-Identifier: Apache-2.0
// sotto verify USER [--mark | --trust | --scanned HEX] [--no-qr]
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "commands.hpp"
#include "output.hpp"
#include "sotto/cli/terminal/qr.hpp"
#include "sotto/cli/terminal/safety_number.hpp"
#include "sotto/core/encoding.hpp"

namespace sotto::cli {

namespace {

terminal::QrStyle qr_style() {
  const bool colour = ::isatty(STDOUT_FILENO) != 0 && std::getenv("NO_COLOR") == nullptr;
  return colour ? terminal::QrStyle::kAnsi : terminal::QrStyle::kDarkBackground;
}

}  // namespace

void add_verify_command(CLI::App& app, const GlobalOptions& global, int& exit_code) {
  struct Args {
    std::string username;
    bool mark = false;
    bool trust = false;
    std::string scanned;
    bool no_qr = false;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand(
      "verify",
      "Show the safety number with a user (and its QR code); compare it with theirs in person");
  cmd->add_option("username", args->username, "The other user")->required();
  auto* mark = cmd->add_flag("--mark", args->mark,
                             "You compared the numbers and they match: mark the user verified");
  cmd->add_flag("--trust", args->trust,
                "Accept a changed identity without verifying it (not recommended)")
      ->excludes(mark);
  cmd->add_option("--scanned", args->scanned,
                  "Hex of the code scanned from their screen: checked, then marked verified");
  cmd->add_flag("--no-qr", args->no_qr, "Do not draw the QR code");
  cmd->add_flag("--json", args->json, "Print the result as one JSON object");
  cmd->callback([args, &global, &exit_code] {
    auto c = open_client(global);
    if (!c) {
      exit_code = report_error(c.error());
      return;
    }
    auto sink = [](const client::Event& e) { std::cerr << to_human(e) << "\n"; };
    if (args->trust) {
      auto trusted = (*c)->trust_new_identity(args->username, sink);
      if (!trusted) exit_code = report_error(trusted.error());
      else std::cout << "accepted the new identity of '" << args->username << "' (not verified)\n";
      return;
    }
    if (args->mark || !args->scanned.empty()) {
      std::optional<Bytes> scanned;
      if (!args->scanned.empty()) {
        auto bytes = hex_decode(args->scanned);
        if (!bytes) {
          exit_code = report_error(Error{Errc::bad_request, "--scanned must be hex"});
          return;
        }
        scanned = std::move(*bytes);
      }
      auto marked = (*c)->mark_verified(args->username, std::move(scanned), sink);
      if (!marked) exit_code = report_error(marked.error());
      else std::cout << "'" << args->username << "' is now verified\n";
      return;
    }
    auto number = (*c)->safety_number(args->username, sink);
    if (!number) {
      exit_code = report_error(number.error());
      return;
    }
    if (args->json) {
      std::cout << nlohmann::json{{"username", number->username},
                                  {"safetyNumber", number->digits},
                                  {"scannable", hex_encode(number->scannable)},
                                  {"verified", number->verified},
                                  {"identityChanged", number->identity_changed}}
                       .dump()
                << "\n";
      return;
    }
    std::cout << "Safety number with " << terminal_safe(number->username) << ":\n\n"
              << terminal::group_digits(number->digits) << "\n\n";
    if (!args->no_qr) {
      auto qr = terminal::render_qr(number->scannable, {qr_style(), 4});
      if (qr) std::cout << *qr << "\n";
    }
    std::cout << (number->verified ? "Status: verified\n" : "Status: not verified\n");
    if (number->identity_changed) {
      std::cout << "WARNING: this identity changed since you last accepted it.\n";
    }
    std::cout << "If the numbers match on both devices, run: sotto verify "
              << terminal_safe(number->username) << " --mark\n";
  });
}

}  // namespace sotto::cli
