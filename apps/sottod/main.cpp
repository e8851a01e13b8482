// SPDX-License-Identifier: Apache-2.0
// sottod: serves the Sotto relay over TLS 1.3 WebSockets until SIGINT/SIGTERM.
// Logs say what happened to whom by id, never message contents or keys.
#include <signal.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>

#include "listen_address.hpp"
#include "sotto/crypto/rng.hpp"
#include "sotto/server/executor.hpp"
#include "sotto/server/service.hpp"
#include "sotto/storage/clock.hpp"
#include "sotto/storage/sqlite/sqlite_storage.hpp"
#include "sotto/transport/certificate.hpp"
#include "sotto/transport/server.hpp"

namespace fs = std::filesystem;

namespace {

constexpr const char* kDatabaseFile = "sotto.db";
constexpr const char* kIdentityFolder = "tls";
constexpr std::chrono::seconds kSweepInterval{60};
constexpr std::size_t kSweepBatch = 1000;

int run(const fs::path& data_dir, const sotto::sottod::ListenAddress& listen, unsigned threads,
        const sigset_t& stop_signals) {
  std::error_code ec;
  fs::create_directories(data_dir, ec);
  if (ec) {
    spdlog::error("cannot create data dir {}: {}", data_dir.string(), ec.message());
    return 1;
  }
  fs::permissions(data_dir, fs::perms::owner_all, fs::perm_options::replace, ec);

  auto identity = sotto::transport::load_or_create_server_identity(data_dir / kIdentityFolder);
  if (!identity) {
    spdlog::error("TLS identity: {}", identity.error().message);
    return 1;
  }
  sotto::storage::sqlite::Options store_options;
  store_options.path = (data_dir / kDatabaseFile).string();
  auto storage = sotto::storage::sqlite::SqliteStorage::open(store_options);
  if (!storage) {
    spdlog::error("database: {}", storage.error().message);
    return 1;
  }

  sotto::storage::SystemClock clock;
  sotto::server::ThreadPool pool(threads);
  auto service = std::make_unique<sotto::server::Service>(**storage, clock, sotto::crypto::os_rng(),
                                                          pool, identity->pin_bytes);
  sotto::transport::ServerOptions server_options;
  server_options.address = listen.host;
  server_options.port = listen.port;
  server_options.io_threads = threads;
  auto server = sotto::transport::WebSocketServer::start(server_options, *identity, *service);
  if (!server) {
    spdlog::error("listen on {}:{}: {}", listen.host, listen.port, server.error().message);
    return 1;
  }
  // The two lines scripts read: the pin clients must trust, and the port.
  std::cout << "certificate pin: " << identity->pin << "\n"
            << "listening on " << listen.host << ":" << (*server)->port() << std::endl;
  spdlog::info("sottod serving (data dir {}, {} threads)", data_dir.string(), threads);

  // Queued envelopes past their TTL are swept once a minute.
  std::mutex sweep_mu;
  std::condition_variable sweep_cv;
  bool stopping = false;
  std::thread sweeper([&] {
    std::unique_lock lock(sweep_mu);
    while (!sweep_cv.wait_for(lock, kSweepInterval, [&] { return stopping; })) {
      lock.unlock();
      for (;;) {
        auto swept = service->expire_messages(kSweepBatch);
        if (!swept) spdlog::warn("expiry sweep: {}", swept.error().message);
        if (!swept || *swept < kSweepBatch) break;
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
  storage->reset();
  spdlog::info("stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"sottod: the Sotto relay server"};
  std::string data_dir;
  std::string listen_text = "127.0.0.1:7443";
  unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  std::string log_level = "info";
  app.add_option("--data-dir", data_dir, "Folder for the database and TLS identity")->required();
  app.add_option("--listen", listen_text, "Address to listen on, HOST:PORT or [IPV6]:PORT")
      ->capture_default_str();
  app.add_option("--threads", threads, "I/O threads (and store worker threads)")
      ->check(CLI::Range(1u, 256u))
      ->capture_default_str();
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error, off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}))
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  auto listen = sotto::sottod::parse_listen_address(listen_text);
  if (!listen) {
    std::cerr << listen.error().message << "\n";
    return 2;
  }
  // Logs go to stderr so stdout carries only the pin and port lines.
  spdlog::set_default_logger(spdlog::stderr_color_mt("sottod"));
  spdlog::set_level(spdlog::level::from_str(log_level));
  spdlog::flush_on(spdlog::level::info);

  // Block the stop signals before any thread starts, so every thread inherits
  // the mask and only sigwait() in main sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  return run(data_dir, *listen, threads, stop_signals);
}
