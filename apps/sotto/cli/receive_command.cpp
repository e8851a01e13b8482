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
    // Messages printed since the last checkpoint: marked reported (and read,
    // with read receipts) after each slice, so a killed receive loses
    // neither a print nor a receipt for long.
    std::vector<std::int64_t> shown;
    auto print = [&](const client::Event& e) {
      if (args->json) {
        std::cout << to_json(e).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
                  << std::endl;
      } else {
        std::cout << to_human(e) << std::endl;
      }
      if (const auto* m = std::get_if<client::MessageReceived>(&e)) shown.push_back(m->local_id);
    };
    auto checkpoint = [&] {
      if (shown.empty()) return;
      (void)(*c)->mark_reported(shown);
      if (!args->no_read_receipts) {
        auto marked = (*c)->mark_read(shown);
        if (marked) (void)(*c)->flush_outbox(print);
      }
      shown.clear();
    };
    // What an earlier, interrupted receive stored but never printed.
    auto earlier = (*c)->unreported_messages();
    if (!earlier) {
      exit_code = report_error(earlier.error());
      return;
    }
    for (const auto& m : *earlier) print(m);
    checkpoint();

    using Clock = std::chrono::steady_clock;
    constexpr auto kSlice = std::chrono::milliseconds(1000);
    // The backlog first (bounded), then new messages until the timeout.
    Status received = ok();
    const auto backlog_end = Clock::now() + std::chrono::seconds(60);
    do {
      received = (*c)->receive(kSlice, true, print);
      checkpoint();
    } while (received && !(*c)->backlog_drained() && Clock::now() < backlog_end);
    const bool forever = args->timeout < 0;
    const auto end = Clock::now() + std::chrono::milliseconds(
                                        static_cast<long>(std::max(0.0, args->timeout) * 1000));
    while (received) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - Clock::now());
      if (!forever && left.count() <= 0) break;
      received = (*c)->receive(forever ? kSlice : std::min(left, kSlice), false, print);
      checkpoint();
    }
    if (!received) exit_code = report_error(received.error());
  });
}

}  // namespace sotto::cli
