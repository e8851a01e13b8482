// SPDX-License-Identifier: Apache-2.0
// Private state of Service: per-connection sessions, the registry of
// authenticated devices, and the op handlers (split over src/*_ops.cpp).
#pragma once

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "rate_limit.hpp"
#include "sotto/server/service.hpp"
#include "sotto/wire/service.hpp"

namespace sotto::server {

using storage::AccountId;
using storage::DeviceId;

inline constexpr std::int64_t kNoLoginDeadline = -1;

// One connection. Everything mutable is guarded by mu, except where noted.
struct Session {
  Session(const transport::ConnectionPtr& c, const RateLimit& requests_limit, std::int64_t now_ms)
      : connection(c), connection_id(c->id()), request_bucket(requests_limit, now_ms) {}

  std::mutex mu;
  const std::weak_ptr<transport::Connection> connection;
  const std::uint64_t connection_id;
  bool closed = false;
  std::uint64_t next_request_id = 1;  // ids of server → client requests

  // Requests run one at a time, in arrival order (a per-session strand).
  // A vector, not a deque: an empty deque still holds a 512-byte block, and
  // most connections are idle; at most kMaxUnansweredRequests wait here.
  std::vector<wire::Request> requests;
  bool running = false;
  // Requests accepted and not yet answered (queued, running, or waiting for a
  // commit); bounded so a client cannot make the server hold without limit.
  std::size_t unanswered = 0;
  // Every request takes a token (ServiceOptions::connection_requests).
  TokenBucket request_bucket;

  // While not logged in: when close_idle_logins() closes it. Guarded by
  // Impl::logins_mu, not mu; it is also the key in Impl::login_deadlines.
  std::int64_t login_deadline_ms = kNoLoginDeadline;

  // Authentication: the outstanding challenge, then the device logged in.
  std::optional<std::array<std::uint8_t, wire::kNonceSize>> nonce;
  bool authenticated = false;
  AccountId account{};
  DeviceId device = 0;

  // Delivery: envelopes up to `cursor` (a mailbox seq) have been sent;
  // `inflight` maps request ids of unanswered message.deliver to guids.
  bool pumping = false;
  bool dirty = false;
  std::uint64_t cursor = 0;
  // True while the store holds nothing for this device past `cursor` that has
  // not been sent: a new envelope's enqueue callback may then send it at once
  // (deliver_new) instead of the pump reading it back. `behind` counts the
  // new envelopes that could not go that way; a pump's read proves the device
  // caught up only if none came in while it read.
  bool caught_up = false;
  std::uint64_t behind = 0;
  std::map<std::uint64_t, storage::Guid> inflight;
  std::size_t acks_pending = 0;  // acked by the device, not yet committed
  std::vector<storage::Guid> acks_unwritten;  // waiting for the ack write in flight
  bool ack_writing = false;
  bool queue_empty_sent = false;

  // Sends a frame if the connection is still there. Thread-safe.
  void send(const wire::Frame& frame) const {
    if (auto c = connection.lock()) (void)c->send(frame);
  }
};

using SessionPtr = std::shared_ptr<Session>;

// Authenticated devices → their session; at most one session per device.
class Registry {
 public:
  // Registers `session`; returns the session it replaced, if any.
  SessionPtr add(const AccountId& account, DeviceId device, SessionPtr session);
  // Unregisters the device if `session` is the one registered.
  void remove(const AccountId& account, DeviceId device, const Session* session);
  SessionPtr find(const AccountId& account, DeviceId device) const;
  // Unregisters and returns every session of the account.
  std::vector<SessionPtr> remove_account(const AccountId& account);
  std::size_t size() const;

 private:
  mutable std::mutex mu_;
  std::map<std::pair<AccountId, DeviceId>, SessionPtr> sessions_;
};

struct Service::Impl : std::enable_shared_from_this<Service::Impl> {
  Impl(storage::Storage& s, storage::Clock& c, crypto::Rng& r, Executor& e,
       const transport::CertificatePin& p, ServiceOptions o)
      : store(s), clock(c), rng(r), executor(e), pin(p), options(o) {}

  storage::Storage& store;
  storage::Clock& clock;
  crypto::Rng& rng;
  std::mutex rng_mu;  // Rng implementations need not be thread-safe
  std::array<std::uint8_t, 1024> random_pool{};  // guarded by rng_mu
  std::size_t random_used = 1024;
  Executor& executor;
  const transport::CertificatePin pin;
  const ServiceOptions options;
  Registry registry;
  AccountRateLimiter send_limiter{options.account_sends};
  AccountRateLimiter fetch_limiter{options.account_key_fetches};

  // Connections not logged in, by deadline (then id).
  std::mutex logins_mu;
  std::map<std::pair<std::int64_t, std::uint64_t>, std::weak_ptr<Session>> login_deadlines;

  // Outstanding executor tasks and store operations (wait_idle).
  std::mutex idle_mu;
  std::condition_variable idle_cv;
  std::size_t outstanding = 0;

  void begin_work();
  void end_work();
  // Posts `task` to the executor, counted as outstanding until it has run.
  void post(std::function<void()> task);
  void random(std::span<std::uint8_t> out);
  // A new envelope guid: a rising 8-byte counter (big endian), then 8 random
  // bytes. Rising guids append to the store's guid index instead of touching
  // a random page of it per message (a queue of 100 000 envelopes spans
  // hundreds of index pages, each one a WAL page write per commit). A guid
  // need not be secret: an ack deletes only from the acking device's queue.
  storage::Guid next_guid();
  // Starts at the clock (ms << 20), so guids keep rising across restarts.
  std::atomic<std::uint64_t> guid_counter{static_cast<std::uint64_t>(clock.now_ms()) << 20};

  template <std::size_t N>
  std::array<std::uint8_t, N> random_array() {
    std::array<std::uint8_t, N> out{};
    random(out);
    return out;
  }

  // Requests.
  void queue_request(const SessionPtr& session, wire::Request request);
  void drain(const SessionPtr& session);
  void handle(const SessionPtr& session, const wire::Request& request);
  // Answers request `id`. Every accepted request is answered exactly once.
  // REQUIRES: session.mu not held.
  static void respond(Session& session, std::uint64_t id, std::uint32_t status,
                      std::string message = {}, Bytes body = {});
  // Answers 429 with a RetryAfter body. REQUIRES: session.mu not held.
  static void too_many(Session& session, std::uint64_t id, std::int64_t retry_after_ms,
                       const char* why);
  void send_challenge(const SessionPtr& session);
  // (Re)starts the session's login deadline: login_timeout_ms from now.
  void arm_login_deadline(const SessionPtr& session);
  void disarm_login_deadline(const SessionPtr& session);
  // The logged-in device, or nothing before login.
  static std::optional<std::pair<AccountId, DeviceId>> identity(Session& session);

  // Ops (one file per group).
  void op_login(const SessionPtr& session, const wire::Request& request);
  void op_account_create(const SessionPtr& session, const wire::Request& request);
  void op_account_lookup(const SessionPtr& session, const wire::Request& request);
  void op_account_delete(const SessionPtr& session, const wire::Request& request,
                         const AccountId& account);
  void op_keys_upload(const SessionPtr& session, const wire::Request& request,
                      const AccountId& account, DeviceId device);
  void op_keys_status(const SessionPtr& session, const wire::Request& request,
                      const AccountId& account, DeviceId device);
  void op_keys_fetch(const SessionPtr& session, const wire::Request& request);
  void op_message_send(const SessionPtr& session, const wire::Request& request,
                       const AccountId& account, DeviceId device);

  // Delivery.
  void schedule_pump(const SessionPtr& session);
  void pump(const SessionPtr& session);
  void on_response(const SessionPtr& session, const wire::Response& response);
  // Deletes acked envelopes in one store write, then the ones acked meanwhile.
  void write_acks(const SessionPtr& session, std::vector<storage::Guid> guids);
  // Something new is queued for the device: its pump reads it.
  void notify(const AccountId& account, DeviceId device);
  // Envelope `seq` was just committed for the device: sent now if the device
  // is online and caught up, else left to its pump. Called in seq order.
  void deliver_new(const AccountId& account, DeviceId device, std::uint64_t seq,
                   const storage::Guid& guid, Bytes envelope);
  // Runs a message.send on the caller's (I/O) thread; the session's
  // `running` flag is already set, so nothing else of it runs meanwhile.
  void run_inline(const SessionPtr& session, const wire::Request& request);
  // Pushes keys.low to the device if it is online and its stock is low.
  void check_key_stock(const AccountId& account, DeviceId device);
};

// Requests of one connection accepted but not yet answered; beyond it 429.
inline constexpr std::size_t kMaxUnansweredRequests = 64;
// keys.low is pushed when a device's one-time EC prekeys fall below this.
inline constexpr std::uint64_t kLowKeyStock = 10;

// What the store keeps as an envelope's `sender` (docs/server-design.md
// "Expiry"): account id || device id (big endian) for an envelope a device
// sent, so its expiry can be reported back; kExpiryNoticeTag for a
// message.expired notice the server queued (whose own expiry is silent).
Bytes sender_tag(const AccountId& account, DeviceId device);
std::optional<std::pair<AccountId, DeviceId>> parse_sender_tag(ByteView tag);
inline constexpr std::uint8_t kExpiryNoticeTag = 0x01;
bool is_expiry_notice(ByteView tag);

// Checks an XEdDSA signature by a 33-byte serialized identity key (0x05 ||
// X25519) over `message`; false for any other key form.
bool identity_signature_ok(ByteView identity_key, ByteView message, ByteView signature);

// wire <-> storage conversions.
storage::SignedPreKey to_store_signed(const wire::SignedKey& key);
storage::KyberPreKey to_store_kyber(const wire::SignedKey& key);
storage::OneTimePreKey to_store_one_time(const wire::OneTimeKey& key);
// The keys of an account.create or keys.upload body, for one store write.
storage::KeyUpload to_store_keys(const std::optional<wire::SignedKey>& signed_prekey,
                                 const std::vector<wire::OneTimeKey>& one_time,
                                 const std::vector<wire::SignedKey>& kyber,
                                 const std::optional<wire::SignedKey>& kyber_last_resort);

}  // namespace sotto::server
