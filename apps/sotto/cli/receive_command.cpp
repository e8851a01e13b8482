// SPDX-License-Identifier: Apache-2.0
// sotto receive [--timeout SECONDS] [--json] [--no-read-receipts]
#include <algorithm>
#include <chrono>
#include <iostream>

#include "commands.hpp"
#include "output.hpp"

namespace sotto::cli {

void add_receive_command(CLI::App& app, const GlobalOptions& global, int& exit_code) {
  struct Args {
    double timeout = 5;
    bool json = false;
    bool no_read_receipts = false;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand(
      "receive", "Fetch waiting messages, then wait for new ones for --timeout seconds");
  cmd->add_option("-t,--timeout", args->timeout,
                  "Seconds to keep waiting after the backlog (negative: until interrupted)")
      ->capture_default_str();
  cmd->add_flag("--json", args->json, "One JSON object per event and line (for scripts)");
  cmd->add_flag("--no-read-receipts", args->no_read_receipts,
                "Do not tell senders that the printed messages were read");
  cmd->callback([args, &global, &exit_code] {
    auto c = open_client(global);
    if (!c) {
      exit_code = report_error(c.error());
      return;
    }
    std::vector<std::int64_t> shown;
    auto sink = [&](const client::Event& e) {
      if (args->json) {
        std::cout << to_json(e).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
                  << std::endl;
      } else {
        std::cout << to_human(e) << std::endl;
      }
      if (const auto* m = std::get_if<client::MessageReceived>(&e)) shown.push_back(m->local_id);
    };
    // Read receipts go out for what was printed, slice by slice.
    auto send_read_receipts = [&] {
      if (args->no_read_receipts || shown.empty()) return;
      auto marked = (*c)->mark_read(shown);
      shown.clear();
      if (marked) (void)(*c)->flush_outbox(sink);
    };
    // First the backlog, then new messages until the timeout.
    auto received = (*c)->receive(std::chrono::seconds(30), true, sink);
    send_read_receipts();
    const bool forever = args->timeout < 0;
    const auto end = std::chrono::steady_clock::now() +
                     std::chrono::milliseconds(static_cast<long>(std::max(0.0, args->timeout) * 1000));
    while (received) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          end - std::chrono::steady_clock::now());
      if (!forever && left.count() <= 0) break;
      auto slice = forever ? std::chrono::milliseconds(1000)
                           : std::min(left, std::chrono::milliseconds(1000));
      received = (*c)->receive(slice, false, sink);
      send_read_receipts();
    }
    if (!received) exit_code = report_error(received.error());
  });
}

}  // namespace sotto::cli
