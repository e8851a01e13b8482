// SPDX-License-Identifier: Apache-2.0
// sottod's settings: every one is a command-line flag and may also come from
// a TOML file given with --config (flags override the file). See
// sottod.example.toml for a commented file with every default.
#pragma once

#include <CLI/CLI.hpp>
#include <cstddef>
#include <cstdint>
#include <string>

#include "sotto/server/service.hpp"
#include "sotto/storage/types.hpp"
#include "sotto/transport/server.hpp"

namespace sotto::sottod {

struct Config {
  std::string data_dir;
  std::string listen = "127.0.0.1:7443";
  unsigned threads = 1;  // set to the core count by add_options
  std::string log_level = "info";
  std::string log_format = "text";  // or "json": one object per line

  // Transport.
  std::size_t max_connections = 100'000;
  std::size_t max_connections_per_ip = 512;
  unsigned handshake_timeout_s = 10;
  unsigned idle_timeout_s = 120;

  // Service.
  unsigned login_timeout_s = 30;
  unsigned message_ttl_days = 30;
  std::uint64_t queue_cap = 1'000'000;
  std::uint64_t queue_cap_mib = 2048;
  std::size_t max_content_size = 96 * 1024;
  std::size_t delivery_window = 64;
  std::uint32_t request_burst = 200;
  double request_rate = 100;
  std::uint32_t send_burst = 200;
  double send_rate = 20;
  std::uint32_t keys_fetch_burst = 60;
  double keys_fetch_rate = 1;
  unsigned expiry_interval_s = 60;
};

// Registers --config and one flag per Config field on `app`, with help that
// gives each one's unit and default. `config` holds the defaults on entry and
// the parsed values after app.parse().
void add_options(CLI::App& app, Config& config);

// The parts of `config` for each layer.
server::ServiceOptions service_options(const Config& config);
transport::ServerOptions server_options(const Config& config);
storage::MailboxLimits mailbox_limits(const Config& config);

}  // namespace sotto::sottod
