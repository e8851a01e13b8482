// SPDX-License-Identifier: Apache-2.0
#include "config.hpp"

#include <algorithm>
#include <chrono>
#include <thread>

namespace sotto::sottod {

namespace {

constexpr std::int64_t kMsPerSecond = 1000;
constexpr std::uint64_t kMiB = std::uint64_t{1} << 20;

}  // namespace

void add_options(CLI::App& app, Config& c) {
  c.threads = std::max(1u, std::thread::hardware_concurrency());
  app.set_config("--config", "",
                 "Read settings from this TOML file (keys are the flag names without the "
                 "leading dashes, e.g. data-dir = \"/var/lib/sotto\"); flags given on the "
                 "command line override the file");
  // A misspelt key in the file is an error, not a silently ignored setting.
  app.allow_config_extras(CLI::config_extras_mode::error);

  app.add_option("--data-dir", c.data_dir, "Folder for the database and the TLS identity")
      ->required();
  app.add_option("--listen", c.listen, "Address to listen on, HOST:PORT or [IPV6]:PORT")
      ->capture_default_str();
  app.add_option("--threads", c.threads,
                 "I/O threads, and as many service worker threads (default: the core count)")
      ->check(CLI::Range(1u, 256u))
      ->capture_default_str();
  app.add_option("--log-level", c.log_level, "trace, debug, info, warn, error or off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}))
      ->capture_default_str();
  app.add_option("--log-format", c.log_format,
                 "text (for people) or json (one object per line: time, level, msg; for log "
                 "collectors). Logs name accounts and connections by id, never keys or contents")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();

  auto* limits = "Connections";
  app.add_option("--max-connections", c.max_connections,
                 "Open connections in total; over it new ones are closed at accept")
      ->check(CLI::Range(std::size_t{1}, std::size_t{10'000'000}))
      ->capture_default_str()
      ->group(limits);
  app.add_option("--max-connections-per-ip", c.max_connections_per_ip,
                 "Open connections per source IPv4 address or IPv6 /64; over it new ones are "
                 "closed at accept (0: no cap)")
      ->capture_default_str()
      ->group(limits);
  app.add_option("--handshake-timeout", c.handshake_timeout_s,
                 "Seconds a client has for the TLS and WebSocket handshakes (and the closing one)")
      ->check(CLI::Range(1u, 3600u))
      ->capture_default_str()
      ->group(limits);
  app.add_option("--idle-timeout", c.idle_timeout_s,
                 "Seconds of silence after which a connection is dropped (pinged at half time)")
      ->check(CLI::Range(1u, 86'400u))
      ->capture_default_str()
      ->group(limits);
  app.add_option("--login-timeout", c.login_timeout_s,
                 "Seconds a new connection has to log in (or after account.create, to log in "
                 "next) before it is closed with 1008 (0: no deadline)")
      ->check(CLI::Range(0u, 86'400u))
      ->capture_default_str()
      ->group(limits);

  auto* queues = "Message queues";
  app.add_option("--message-ttl-days", c.message_ttl_days,
                 "Days a queued message waits for its device before it is deleted and its sender "
                 "gets a message.expired notice")
      ->check(CLI::Range(1u, 3650u))
      ->capture_default_str()
      ->group(queues);
  app.add_option("--queue-cap", c.queue_cap,
                 "Messages queued per device at most; a send over it is answered 507")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40))
      ->capture_default_str()
      ->group(queues);
  app.add_option("--queue-cap-mib", c.queue_cap_mib,
                 "MiB of messages queued per device at most; a send over it is answered 507")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 30))
      ->capture_default_str()
      ->group(queues);
  app.add_option("--max-content-size", c.max_content_size,
                 "Bytes of ciphertext per envelope at most; a larger send is answered 413")
      ->check(CLI::Range(std::size_t{1}, std::size_t{200 * 1024}))
      ->capture_default_str()
      ->group(queues);
  app.add_option("--delivery-window", c.delivery_window,
                 "Messages sent to a device and not yet acknowledged, at most")
      ->check(CLI::Range(std::size_t{1}, std::size_t{4096}))
      ->capture_default_str()
      ->group(queues);
  app.add_option("--expiry-interval", c.expiry_interval_s,
                 "Seconds between sweeps for expired messages")
      ->check(CLI::Range(1u, 86'400u))
      ->capture_default_str()
      ->group(queues);

  auto* rates =
      "Rate limits (token buckets; over them requests are answered 429 with "
      "retry_after_ms; a burst of 0 turns a limit off)";
  app.add_option("--request-burst", c.request_burst, "Requests per connection at once, any op")
      ->capture_default_str()
      ->group(rates);
  app.add_option("--request-rate", c.request_rate, "Requests per connection per second, sustained")
      ->check(CLI::PositiveNumber)
      ->capture_default_str()
      ->group(rates);
  app.add_option("--send-burst", c.send_burst,
                 "message.send requests per account at once, over all its devices")
      ->capture_default_str()
      ->group(rates);
  app.add_option("--send-rate", c.send_rate,
                 "message.send requests per account per second, sustained")
      ->check(CLI::PositiveNumber)
      ->capture_default_str()
      ->group(rates);
  app.add_option("--keys-fetch-burst", c.keys_fetch_burst,
                 "keys.fetch requests per requesting account at once (each takes someone's "
                 "one-time prekeys)")
      ->capture_default_str()
      ->group(rates);
  app.add_option("--keys-fetch-rate", c.keys_fetch_rate,
                 "keys.fetch requests per requesting account per second, sustained")
      ->check(CLI::PositiveNumber)
      ->capture_default_str()
      ->group(rates);
}

server::ServiceOptions service_options(const Config& c) {
  server::ServiceOptions o;
  o.delivery_window = c.delivery_window;
  o.message_ttl_ms = static_cast<std::int64_t>(c.message_ttl_days) * storage::kDayMs;
  o.max_content_size = c.max_content_size;
  o.connection_requests = {c.request_burst, c.request_rate};
  o.account_sends = {c.send_burst, c.send_rate};
  o.account_key_fetches = {c.keys_fetch_burst, c.keys_fetch_rate};
  o.login_timeout_ms = static_cast<std::int64_t>(c.login_timeout_s) * kMsPerSecond;
  return o;
}

transport::ServerOptions server_options(const Config& c) {
  transport::ServerOptions o;
  o.io_threads = c.threads;
  o.max_connections = c.max_connections;
  o.max_connections_per_ip = c.max_connections_per_ip;
  o.handshake_timeout = std::chrono::seconds(c.handshake_timeout_s);
  o.idle_timeout = std::chrono::seconds(c.idle_timeout_s);
  return o;
}

storage::MailboxLimits mailbox_limits(const Config& c) {
  return {c.queue_cap, c.queue_cap_mib * kMiB};
}

}  // namespace sotto::sottod
