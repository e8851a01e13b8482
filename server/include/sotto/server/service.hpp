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

// A token bucket: up to `burst` requests at once, then `per_second` on
// average. Over it the request is answered 429 with a RetryAfter body. A burst
// of 0 (or a rate <= 0) turns the limit off.
struct RateLimit {
  std::uint32_t burst = 0;
  double per_second = 0;
};

struct ServiceOptions {
  // message.deliver requests in flight (sent, not yet answered) per device.
  std::size_t delivery_window = 64;
  // How long a queued envelope (or expiry notice) waits for its device.
  std::int64_t message_ttl_ms = 30 * storage::kDayMs;
  // Largest content per envelope in a message.send (413 beyond).
  std::size_t max_content_size = 96 * 1024;
  // Every request of one connection, whatever its op.
  RateLimit connection_requests{200, 100.0};
  // message.send per account, summed over all its devices' connections.
  RateLimit account_sends{200, 20.0};
  // keys.fetch per requesting account: each fetch hands out one-time prekeys
  // of someone else, so a flood would drain other people's stock.
  RateLimit account_key_fetches{60, 1.0};
  // A connection that has not logged in this long after it opened (or after
  // its last successful account.create) is closed with 1008 by
  // close_idle_logins(). 0: never.
  std::int64_t login_timeout_ms = 30'000;
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
inline constexpr std::uint32_t kStatusTooManyRequests = 429;
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
  // and, in the same store transaction, queues a message.expired notice in
  // each sender device's own queue; it is delivered and acked like an
  // envelope (at once if the sender is online, else when it reconnects).
  // Blocking: call it from a timer thread, not a transport callback. Returns
  // how many envelopes were deleted.
  Result<std::size_t> expire_messages(std::size_t limit);

  // Closes with 1008 every connection that has not logged in within
  // login_timeout_ms (by the injected clock). Call it about once a second
  // from a timer thread. Returns how many were closed.
  std::size_t close_idle_logins();

  // Devices with an authenticated connection (metrics, tests).
  [[nodiscard]] std::size_t online_devices() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace sotto::server
