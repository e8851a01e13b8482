// SPDX-License-Identifier: Apache-2.0
#include "serve.hpp"

#include <signal.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <condition_variable>
#include <iostream>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>

#include "json_log.hpp"
#include "sotto/core/host_port.hpp"
#include "sotto/crypto/rng.hpp"
#include "sotto/server/executor.hpp"
#include "sotto/server/service.hpp"
#include "sotto/storage/clock.hpp"
#include "sotto/transport/certificate.hpp"
#include "sotto/transport/server.hpp"

namespace sotto::sottod {

namespace fs = std::filesystem;

namespace {

constexpr const char* kIdentityFolder = "tls";
// Login deadlines are checked this often, so they hold to about a second.
constexpr std::chrono::seconds kHousekeepingTick{1};
constexpr std::size_t kSweepBatch = 1000;

int run(const Config& config, const HostPort& listen, const sigset_t& stop_signals,
        const StoreOpener& open_store) {
  const fs::path data_dir = config.data_dir;
  std::error_code ec;
  fs::create_directories(data_dir, ec);
  if (ec) {
    spdlog::error("cannot create data dir {}: {}", data_dir.string(), ec.message());
    return 1;
  }
  fs::permissions(data_dir, fs::perms::owner_all, fs::perm_options::replace, ec);

  auto identity = transport::load_or_create_server_identity(data_dir / kIdentityFolder);
  if (!identity) {
    spdlog::error("TLS identity: {}", identity.error().message);
    return 1;
  }
  auto store = open_store(data_dir, config);
  if (!store) {
    spdlog::error("{}", store.error().message);  // the opener says which store
    return 1;
  }

  storage::SystemClock clock;
  server::ThreadPool pool(config.threads);
  auto service = std::make_unique<server::Service>(**store, clock, crypto::os_rng(), pool,
                                                   identity->pin_bytes, service_options(config));
  transport::ServerOptions transport_options = server_options(config);
  transport_options.address = listen.host;
  transport_options.port = listen.port;
  auto server = transport::WebSocketServer::start(transport_options, *identity, *service);
  if (!server) {
    spdlog::error("listen on {}:{}: {}", listen.host, listen.port, server.error().message);
    return 1;
  }
  // The two lines scripts read: the pin clients must trust, and the port.
  std::cout << "certificate pin: " << identity->pin << "\n"
            << "listening on " << listen.host << ":" << (*server)->port() << std::endl;
  spdlog::info("sottod serving (data dir {}, {} threads)", data_dir.string(), config.threads);
  spdlog::info(
      "limits: {} connections, {} per IP (0: no cap), login timeout {} s, message TTL {} days, "
      "queue cap {} messages / {} MiB, requests {}+{}/s per connection, message.send {}+{}/s and "
      "keys.fetch {}+{}/s per account",
      config.max_connections, config.max_connections_per_ip, config.login_timeout_s,
      config.message_ttl_days, config.queue_cap, config.queue_cap_mib, config.request_burst,
      config.request_rate, config.send_burst, config.send_rate, config.keys_fetch_burst,
      config.keys_fetch_rate);

  // Housekeeping: connections past their login deadline are closed every
  // tick; queued envelopes past their TTL are swept every expiry interval.
  std::mutex sweep_mu;
  std::condition_variable sweep_cv;
  bool stopping = false;
  std::thread sweeper([&] {
    const auto expiry_interval = std::chrono::seconds(config.expiry_interval_s);
    auto next_expiry = std::chrono::steady_clock::now() + expiry_interval;
    std::unique_lock lock(sweep_mu);
    while (!sweep_cv.wait_for(lock, kHousekeepingTick, [&] { return stopping; })) {
      lock.unlock();
      service->close_idle_logins();
      if (std::chrono::steady_clock::now() >= next_expiry) {
        next_expiry = std::chrono::steady_clock::now() + expiry_interval;
        for (;;) {
          auto swept = service->expire_messages(kSweepBatch);
          if (!swept) spdlog::warn("expiry sweep: {}", swept.error().message);
          if (!swept || *swept < kSweepBatch) break;
        }
      }
      lock.lock();
    }
  });

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  spdlog::info("signal {}: stopping", signal_number);
  {
    std::lock_guard lock(sweep_mu);
    stopping = true;
  }
  sweep_cv.notify_all();
  sweeper.join();

  // Order matters: no new frames, then no outstanding work, then the store.
  (*server)->stop();
  service->wait_idle();
  pool.shutdown();
  service.reset();
  store->reset();
  spdlog::info("stopped");
  return 0;
}

}  // namespace

int serve_main(int argc, char** argv, const char* description, const StoreOpener& open_store) {
  CLI::App app{description};
  Config config;
  add_options(app, config);
  CLI11_PARSE(app, argc, argv);

  auto listen = parse_host_port(config.listen);
  if (!listen) {
    std::cerr << "--listen: " << listen.error().message << "\n";
    return 2;
  }
  // Logs go to stderr so stdout carries only the pin and port lines.
  spdlog::set_default_logger(spdlog::stderr_color_mt("sottod"));
  spdlog::set_level(spdlog::level::from_str(config.log_level));
  if (config.log_format == "json") use_json_log_lines();
  spdlog::flush_on(spdlog::level::info);

  // Block the stop signals before any thread starts, so every thread inherits
  // the mask and only sigwait() in main sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  return run(config, *listen, stop_signals, open_store);
}

}  // namespace sotto::sottod
