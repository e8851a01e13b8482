// SPDX-License-Identifier: Apache-2.0
// One simulated Sotto device (client_device.hpp): an account's keys, its
// connection to sottod, and the client side of the wire protocol (docs/server-design.md "Frames",
// "Ops"): request ids, answers matched to requests, auth.challenge kept for login, every server
// request answered (message.deliver is acked with 200 after the workload has seen it). Lives on the
// Loop's thread.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "client_device.hpp"
#include "sotto/core/bytes.hpp"
#include "sotto/crypto/ed25519.hpp"
#include "sotto/crypto/rng.hpp"
#include "sotto/wire/frame.hpp"
#include "sotto/wire/service.hpp"
#include "ws_connection.hpp"

namespace sotto::bench {

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

class SottoDevice final : public Device, public WsListener {
 public:
  SottoDevice(std::size_t index, AccountKeys keys);
  ~SottoDevice() override;

  [[nodiscard]] const wire::AccountIdBytes& account_id() const { return account_id_; }
  [[nodiscard]] std::uint32_t device_id() const { return device_id_; }
  [[nodiscard]] std::uint32_t registration_id() const { return keys_.registration_id; }
  [[nodiscard]] bool has_challenge() const override { return nonce_.has_value(); }
  [[nodiscard]] bool connected() const override { return connection_ && connection_->is_open(); }
  [[nodiscard]] std::size_t outstanding_sends() const override { return outstanding_sends_; }
  [[nodiscard]] std::size_t queued_bytes() const override {
    return connection_ ? connection_->queued_bytes() : 0;
  }
  [[nodiscard]] bool signals_queue_empty() const override { return true; }

  // For an account registered earlier (login without account.create).
  void set_account(const wire::AccountIdBytes& id, std::uint32_t device_id) {
    account_id_ = id;
    device_id_ = device_id;
  }
  [[nodiscard]] bool has_account() const override { return device_id_ != 0; }

  void connect(boost::asio::io_context& io, TlsClientContext& tls, const WsTarget& target) override;
  void create_account() override;
  // Signs the challenge with the pin of the server connected to.
  void login() override;
  // message.send of one envelope (the pool's ciphertext for `seq`, stamped)
  // to device 1 of `to`, which must be a SottoDevice.
  void send_message(const Device& to, std::uint64_t seq, const PayloadPool& pool) override;
  void close() override;

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

  AccountKeys keys_;
  wire::AccountIdBytes account_id_{};
  std::uint32_t device_id_ = 0;
  transport::CertificatePin pin_{};
  std::unique_ptr<WsConnection> connection_;
  std::optional<std::array<std::uint8_t, wire::kNonceSize>> nonce_;
  std::vector<Pending> pending_;  // small: the server allows 64 unanswered requests
  std::uint64_t next_id_ = 1;
  std::size_t outstanding_sends_ = 0;
};

}  // namespace sotto::bench
