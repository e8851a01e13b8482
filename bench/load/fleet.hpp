// SPDX-License-Identifier: Apache-2.0
// Many devices brought online together: keys made up front (Sotto), then
// three phases (client_device.hpp says what each means per protocol), each with at most
// `concurrency` operations in flight and timed on its own so each has a rate: connect (TCP +
// TLS 1.3 + WebSocket upgrade, up to the server's auth.challenge), account.create, auth.login.
// Source addresses rotate over 127.0.0.2, 127.0.0.3, ... by device.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "client_device.hpp"
#include "loop.hpp"
#include "options.hpp"
#include "ws_connection.hpp"

namespace sotto::bench {

struct ServerEndpoint {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  transport::CertificatePin pin{};
  // Local addresses to connect from, used in turn; empty: the kernel's choice.
  std::vector<std::string> sources;

  Protocol protocol = Protocol::sotto;
  // Peers: every account's password (MQTT: the broker's password file has it).
  std::string password = "p";
  std::string xmpp_domain = "localhost";
  // XMPP has no answer to a message: 0 answers each on send; n > 0 sends a
  // ping after every n messages (and on flush_sends()), and its result
  // answers the messages before it (c2s handles a stream's stanzas in order).
  std::size_t xmpp_barrier_every = 0;
  int mqtt_qos = 0;  // of PUBLISH and SUBSCRIBE
};

struct PhaseStats {
  std::size_t attempted = 0;
  std::size_t succeeded = 0;
  double seconds = 0;
  [[nodiscard]] double rate() const { return seconds > 0 ? succeeded / seconds : 0; }
};

struct SetupStats {
  std::size_t devices = 0;
  double keys_seconds = 0;  // client-side key generation, not the server's work
  PhaseStats connect;
  PhaseStats create;
  PhaseStats login;
  std::vector<std::string> errors;  // the first few, verbatim
  std::size_t failures = 0;
  [[nodiscard]] nlohmann::json to_json() const;
};

class Fleet : public DeviceEvents {
 public:
  Fleet(Loop& loop, ServerEndpoint server);
  ~Fleet() override;  // stops the loop first, then frees the devices

  // Makes `count` more devices, named <prefix><first_name + i>. Sotto: the
  // keys of name n come from a ChaCha20 stream seeded with (key_seed, n),
  // so another process can make the same account's keys again.
  void add(std::size_t count, std::size_t first_name, const std::string& prefix,
           std::uint64_t key_seed);
  // Connects every device added since the last call, registers those that
  // have no account yet, and logs them in (unless `login` is false). Blocks
  // the caller; the devices' events go to the fleet meanwhile.
  SetupStats bring_online(std::size_t concurrency, bool login = true);
  // Online devices with an open connection (loop thread).
  [[nodiscard]] std::size_t online_count() const;
  // Errors noted since the start (loop thread).
  [[nodiscard]] std::size_t failures() const { return failures_; }

  [[nodiscard]] std::vector<std::unique_ptr<Device>>& devices() { return devices_; }
  [[nodiscard]] const ServerEndpoint& server() const { return server_; }
  [[nodiscard]] WsTarget target_for(const Device& device) const;
  [[nodiscard]] Loop& loop() { return loop_; }
  [[nodiscard]] TlsClientContext& tls() { return tls_; }

  // Detaches every device from its driver, closes the connections (waiting
  // up to `grace` for the closing handshakes) and stops the loop. After
  // this no callback runs, so drivers may be destroyed.
  void shutdown(std::chrono::milliseconds grace);

  // Opens a new connection for `device` (e.g. an offline recipient coming
  // back). On the loop's thread.
  void reconnect(Device& device);

  // DeviceEvents, for the setup phases.
  void on_connected(Device& device, const std::string& error) override;
  void on_challenge(Device& device) override;
  void on_created(Device& device, std::uint32_t status, const std::string& message) override;
  void on_logged_in(Device& device, std::uint32_t status, const std::string& message) override;
  void on_closed(Device& device, const std::string& why) override;
  void on_protocol_error(Device& device, const std::string& what) override;

 private:
  enum class Phase { idle, connect, create, login };
  PhaseStats run_phase(Phase phase, std::size_t concurrency);
  void start_next();  // loop thread
  void start(Device& device);
  void finish(Device& device, bool ok, const std::string& error);
  void note_error(const std::string& error);

  Loop& loop_;
  ServerEndpoint server_;
  TlsClientContext tls_;
  std::vector<std::unique_ptr<Device>> devices_;
  std::size_t first_new_ = 0;  // devices_[first_new_..] are not set up yet

  // Loop thread, during a phase.
  Phase phase_ = Phase::idle;
  std::vector<Device*> pending_;
  std::vector<std::uint8_t> busy_;  // by device index: in the current phase
  std::vector<std::uint8_t> failed_;
  std::vector<std::uint8_t> waiting_challenge_;
  std::size_t next_ = 0;
  std::size_t active_ = 0;
  std::size_t finished_ = 0;
  std::size_t succeeded_ = 0;
  std::size_t concurrency_ = 1;
  std::shared_ptr<std::promise<void>> phase_done_;
  std::vector<std::string> errors_;
  std::size_t failures_ = 0;
};

}  // namespace sotto::bench
