// SPDX-License-Identifier: Apache-2.0
// One simulated device: an account's keys, its connection to sottod, and the
// client side of the wire protocol (docs/server-design.md "Frames", "Ops"):
// request ids, answers matched to requests, auth.challenge kept for login,
// every server request answered (message.deliver is acked with 200 after the
// workload has seen it). Lives on the Loop's thread.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sotto/core/bytes.hpp"
#include "sotto/crypto/ed25519.hpp"
#include "sotto/crypto/rng.hpp"
#include "sotto/wire/frame.hpp"
#include "sotto/wire/service.hpp"
#include "ws_connection.hpp"

namespace boost::asio {
class io_context;
}

namespace sotto::bench {

class Device;

// What a device reports to whoever drives it (the setup phases, then a
// workload). Called on the Loop's thread.
class DeviceEvents {
 public:
  virtual ~DeviceEvents() = default;
  virtual void on_connected(Device& device, const std::string& error) = 0;
  // An auth.challenge arrived (the device keeps the nonce for login()).
  virtual void on_challenge(Device&) {}
  virtual void on_created(Device& device, std::uint32_t status, const std::string& message) = 0;
  virtual void on_logged_in(Device& device, std::uint32_t status, const std::string& message) = 0;
  // The answer to a message.send, with the tag given to send_message().
  virtual void on_send_answer(Device&, std::uint64_t /*tag*/, std::uint32_t /*status*/) {}
  // A message.deliver; the device acks it with 200 when this returns.
  virtual void on_deliver(Device&, const wire::Envelope&) {}
  virtual void on_queue_empty(Device&) {}
  virtual void on_closed(Device& device, const std::string& why) = 0;
  // The server sent something this client cannot make sense of.
  virtual void on_protocol_error(Device& device, const std::string& what) = 0;
};

// Everything account.create and auth.login need, made before any connection
// so key generation does not count against the server.
struct AccountKeys {
  std::string username;
  crypto::Ed25519KeyPair device_key;
  std::uint32_t registration_id = 0;
  Bytes create_body;  // encoded wire::AccountCreate
};

// `rng` makes every key: a seeded one gives the same account again in
// another process (W2's workers log in to accounts registered earlier).
AccountKeys make_account_keys(std::string username, crypto::Rng& rng);

class Device final : public WsListener {
 public:
  Device(std::size_t index, AccountKeys keys);
  ~Device() override;

  [[nodiscard]] std::size_t index() const { return index_; }
  [[nodiscard]] const std::string& username() const { return keys_.username; }
  [[nodiscard]] const wire::AccountIdBytes& account_id() const { return account_id_; }
  [[nodiscard]] std::uint32_t device_id() const { return device_id_; }
  [[nodiscard]] std::uint32_t registration_id() const { return keys_.registration_id; }
  [[nodiscard]] bool has_challenge() const { return nonce_.has_value(); }
  [[nodiscard]] bool online() const { return online_; }
  [[nodiscard]] bool connected() const { return connection_ && connection_->is_open(); }
  // message.send requests not yet answered.
  [[nodiscard]] std::size_t outstanding_sends() const { return outstanding_sends_; }
  [[nodiscard]] std::size_t queued_bytes() const {
    return connection_ ? connection_->queued_bytes() : 0;
  }

  void set_events(DeviceEvents* events) { events_ = events; }
  // For an account registered earlier (login without account.create).
  void set_account(const wire::AccountIdBytes& id, std::uint32_t device_id) {
    account_id_ = id;
    device_id_ = device_id;
  }
  [[nodiscard]] bool has_account() const { return device_id_ != 0; }

  // Opens a new connection (a previous one is dropped).
  void connect(boost::asio::io_context& io, TlsClientContext& tls, const WsTarget& target);
  void create_account();
  // Needs a challenge (has_challenge()); on_logged_in follows.
  void login(const transport::CertificatePin& pin);
  // message.send of one envelope to device 1 of `to`.
  void send_message(const Device& to, std::uint32_t envelope_type, Bytes content,
                    std::uint64_t timestamp_ms, std::uint64_t tag);
  void close();

  // WsListener
  void on_connected(const std::string& error) override;
  void on_message(ByteView message) override;
  void on_closed(const std::string& why) override;

 private:
  enum class Kind : std::uint8_t { create, login, send };
  struct Pending {
    std::uint64_t id;
    Kind kind;
    std::uint64_t tag;
  };

  void request(const char* op, Bytes body, Kind kind, std::uint64_t tag);
  void on_request(const wire::Request& request);
  void on_response(const wire::Response& response);
  void respond(std::uint64_t id, std::uint32_t status);

  std::size_t index_;
  AccountKeys keys_;
  wire::AccountIdBytes account_id_{};
  std::uint32_t device_id_ = 0;
  DeviceEvents* events_ = nullptr;
  std::unique_ptr<WsConnection> connection_;
  std::optional<std::array<std::uint8_t, wire::kNonceSize>> nonce_;
  std::vector<Pending> pending_;  // small: the server allows 64 unanswered requests
  std::uint64_t next_id_ = 1;
  std::size_t outstanding_sends_ = 0;
  bool online_ = false;
};

}  // namespace sotto::bench
