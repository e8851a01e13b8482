// SPDX-License-Identifier: Apache-2.0
// A blocking client of the sottod wire protocol for system tests: it speaks
// frames directly (lib/wire bodies over transport::WebSocketClient), without
// the protocol library, so tests control every request, answer and ack.
//
// Frames that arrive while the test waits for something else are kept: server
// requests (message.deliver, queue.empty, keys.low, ...) and responses go to
// separate queues, so pipelined sends and pushes can interleave freely.
// One thread per client.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "sotto/core/bytes.hpp"
#include "sotto/core/result.hpp"
#include "sotto/crypto/ed25519.hpp"
#include "sotto/crypto/x25519.hpp"
#include "sotto/transport/certificate.hpp"
#include "sotto/transport/client.hpp"
#include "sotto/wire/frame.hpp"
#include "sotto/wire/service.hpp"

namespace sotto::systest {

inline constexpr std::uint32_t kOk = 200;
inline constexpr std::chrono::milliseconds kDefaultTimeout{15'000};

// One device of one account (device 1, the only one account.create makes),
// with the keys a test needs to register and log in. Move-only (secrets).
struct TestAccount {
  std::string username;
  crypto::Ed25519KeyPair device_key;  // signs auth.login
  crypto::X25519KeyPair identity;     // signs the signed prekey
  std::uint32_t registration_id = 1;
  wire::AccountIdBytes id{};  // set by create_account
  std::uint32_t device_id = 1;

  // Fresh random keys.
  static TestAccount generate(std::string username, std::uint32_t registration_id = 1);
  // The 33-byte identity key as the server stores it (0x05 || X25519).
  [[nodiscard]] Bytes identity_key() const;
};

class WireClient {
 public:
  // TLS to host:port with the server pinned; the server's auth.challenge is
  // kept until login().
  static Result<std::unique_ptr<WireClient>> connect(
      std::uint16_t port, const transport::CertificatePin& pin,
      const std::string& host = "127.0.0.1",
      std::chrono::milliseconds timeout = std::chrono::milliseconds(10'000));
  ~WireClient();
  WireClient(const WireClient&) = delete;
  WireClient& operator=(const WireClient&) = delete;

  // --- Raw requests and frames ---

  // Sends a request and returns its id at once (pipelining).
  Result<std::uint64_t> send_request(const std::string& op, Bytes body = {});
  // send_request, then the response with that id.
  Result<wire::Response> call(const std::string& op, Bytes body = {},
                              std::chrono::milliseconds timeout = kDefaultTimeout);
  // The response to request `id`; network_error on timeout or a closed
  // connection.
  Result<wire::Response> wait_response(std::uint64_t id,
                                       std::chrono::milliseconds timeout = kDefaultTimeout);
  // The next response of any id: nullopt on timeout, network_error once the
  // connection is closed and every frame received before has been returned.
  Result<std::optional<wire::Response>> next_response(std::chrono::milliseconds timeout);
  // The next server request of any op, same conventions.
  Result<std::optional<wire::Request>> next_request(std::chrono::milliseconds timeout);
  // The next server request with `op` (others are kept); network_error on
  // timeout or a closed connection.
  Result<wire::Request> wait_request(const std::string& op,
                                     std::chrono::milliseconds timeout = kDefaultTimeout);
  // Answers server request `id` (200 acks a message.deliver).
  Status respond(std::uint64_t id, std::uint32_t status = kOk, std::string message = {});

  // --- Ops ---

  // account.create with a valid signed prekey and `one_time_prekeys` keys;
  // sets account.id. Works before login, on any connection.
  Status create_account(TestAccount& account, std::size_t one_time_prekeys = 0);
  // Answers the connection's auth.challenge with auth.login.
  Status login(const TestAccount& account);
  // message.send of one envelope (type 1) to device 1 of `to`; returns the
  // request id without waiting (pipelining).
  Result<std::uint64_t> send_message(const TestAccount& to, ByteView content,
                                     std::uint64_t timestamp = 1);

  // The content of a message.deliver request.
  static Result<wire::Envelope> parse_deliver(const wire::Request& deliver);

  [[nodiscard]] bool is_open() const;
  void close();
  [[nodiscard]] transport::WebSocketClient& raw() { return *client_; }

 private:
  WireClient(std::unique_ptr<transport::WebSocketClient> client,
             const transport::CertificatePin& pin);
  // Receives one frame into the queues: false on timeout, network_error once
  // closed.
  Result<bool> receive_one(std::chrono::milliseconds timeout);

  std::unique_ptr<transport::WebSocketClient> client_;
  transport::CertificatePin pin_;
  std::deque<wire::Request> requests_;
  std::deque<wire::Response> responses_;
  std::uint64_t next_id_ = 1;
};

}  // namespace sotto::systest
