// SPDX-License-Identifier: Apache-2.0
// The server being measured: a sottod either started here (a fresh data dir per run,
// through the system tests' Sottod wrapper) with the per-client limits that
// protect a real deployment relaxed, or one already running (--connect): a
// sottod or a peer server (XMPP, MQTT) over plain TCP.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "fleet.hpp"
#include "sotto/core/result.hpp"

namespace sotto::systest {
class Sottod;
}

namespace sotto::bench {

struct ServerSettings {
  std::filesystem::path sottod;  // start this binary; empty: use `connect`
  std::string connect;           // HOST:PORT of a running server
  std::string pin;               // its certificate pin (hex), with `connect` (Sotto only)
  Protocol protocol = Protocol::sotto;
  std::string name;  // how reports call the server (default: sottod, or the protocol)
  pid_t pid = 0;     // its pid, for CPU and memory; 0: unknown
  unsigned threads = 2;
  std::vector<std::string> extra_args;  // more sottod flags; they win over ours
  bool keep_data = false;               // keep the data dir (and logs) afterwards
};

// The flags the bench gives sottod. The defaults protect a server from
// abusive clients: one source address may hold 512 connections, an account
// may send 20 messages/s, a connection may make 100 requests/s and must log
// in within 30 s. A load generator is all of those abusers at once, so they
// are switched off; everything else (TLS, durability, delivery window, queue
// caps) stays as shipped.
std::vector<std::string> relaxed_limit_flags();

class ServerUnderTest {
 public:
  static Result<std::unique_ptr<ServerUnderTest>> start(const ServerSettings& settings);
  ~ServerUnderTest();

  [[nodiscard]] ServerEndpoint endpoint(std::size_t source_addresses) const;
  [[nodiscard]] pid_t pid() const { return pid_; }
  [[nodiscard]] const std::string& pin() const { return pin_; }
  [[nodiscard]] std::uint16_t port() const { return port_; }
  [[nodiscard]] const std::string& host() const { return host_; }
  [[nodiscard]] nlohmann::json describe() const;
  // SIGTERM and a clean exit (started servers only).
  Status stop();
  // stop(), then start again on the same data dir and port: a fresh process
  // (W2 measures memory from a baseline without the registration's heap).
  // bad_request for a server the bench did not start.
  Status restart();
  [[nodiscard]] bool started_here() const { return sottod_ != nullptr; }

 private:
  ServerUnderTest() = default;
  std::unique_ptr<systest::Sottod> sottod_;
  std::filesystem::path data_dir_;
  bool keep_data_ = false;
  std::string host_ = "127.0.0.1";
  std::uint16_t port_ = 0;
  std::string pin_;
  transport::CertificatePin pin_bytes_{};
  Protocol protocol_ = Protocol::sotto;
  std::string name_ = "sottod";
  pid_t pid_ = 0;
  std::vector<std::string> args_;
};

}  // namespace sotto::bench
