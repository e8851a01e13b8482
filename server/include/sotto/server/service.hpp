// SPDX-License-Identifier: Apache-2.0
// The service logic of sottod: authentication, accounts, keys and the message
// relay, as a transport::ServerHandler. It stores and forwards opaque
// ciphertext and never links the protocol library (docs/server-design.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "sotto/crypto/rng.hpp"
#include "sotto/server/executor.hpp"
#include "sotto/storage/clock.hpp"
#include "sotto/storage/storage.hpp"
#include "sotto/transport/certificate.hpp"
#include "sotto/transport/server.hpp"

namespace sotto::server {

struct ServiceOptions {
  // message.deliver requests in flight (sent, not yet answered) per device.
  std::size_t delivery_window = 64;
  // How long a queued envelope waits for its device.
  std::int64_t message_ttl_ms = 30 * storage::kDayMs;
  // Largest content per envelope in a message.send (413 beyond).
  std::size_t max_content_size = 96 * 1024;
};

// Response statuses (HTTP meaning).
inline constexpr std::uint32_t kStatusOk = 200;
inline constexpr std::uint32_t kStatusBadRequest = 400;
inline constexpr std::uint32_t kStatusUnauthorized = 401;
inline constexpr std::uint32_t kStatusNotFound = 404;
inline constexpr std::uint32_t kStatusConflict = 409;
inline constexpr std::uint32_t kStatusGone = 410;
inline constexpr std::uint32_t kStatusTooLarge = 413;
inline constexpr std::uint32_t kStatusUnprocessable = 422;
inline constexpr std::uint32_t kStatusInternal = 500;
inline constexpr std::uint32_t kStatusQueueFull = 507;

// Thread-safe. Handler callbacks only queue work: requests of one connection
// run in order on `executor` (one at a time), message.send answers after the
// mailbox's durable commit, and deliveries are pushed from the executor.
//
// Lifetime: `storage`, `clock`, `rng` and `executor` must outlive the service.
// Before destroying it, stop the transport server and call wait_idle(), so no
// executor task or store callback still refers to it.
class Service final : public transport::ServerHandler {
 public:
  Service(storage::Storage& storage, storage::Clock& clock, crypto::Rng& rng, Executor& executor,
          const transport::CertificatePin& pin, ServiceOptions options = {});
  ~Service() override;
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  void on_open(const transport::ConnectionPtr& connection) override;
  void on_frame(const transport::ConnectionPtr& connection, wire::Frame frame) override;
  void on_close(const transport::ConnectionPtr& connection) override;

  // Blocks until no task or store operation of this service is outstanding.
  // Must not be called from an executor task.
  void wait_idle();

  // Deletes up to `limit` envelopes whose time ran out (by the injected clock)
  // and pushes message.expired to each sender that is online (an offline
  // sender is not told: see the report). Blocking: call it from a timer
  // thread, not a transport callback. Returns how many were deleted.
  Result<std::size_t> expire_messages(std::size_t limit);

  // Devices with an authenticated connection (metrics, tests).
  [[nodiscard]] std::size_t online_devices() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace sotto::server
