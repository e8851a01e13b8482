// SPDX-License-Identifier: Apache-2.0
// Connection lifecycle, request dispatch and authentication.
#include "sotto/server/service.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <string_view>
#include <vector>

#include "impl.hpp"
#include "sotto/crypto/ed25519.hpp"

namespace sotto::server {

// --- Service ---

Service::Service(storage::Storage& storage, storage::Clock& clock, crypto::Rng& rng,
                 Executor& executor, const transport::CertificatePin& pin, ServiceOptions options)
    : impl_(std::make_shared<Impl>(storage, clock, rng, executor, pin, options)) {}

Service::~Service() = default;

void Service::on_open(const transport::ConnectionPtr& connection) {
  auto session = std::make_shared<Session>(connection, impl_->options.connection_requests,
                                           impl_->clock.now_ms());
  connection->user_data() = session;
  impl_->arm_login_deadline(session);
  impl_->send_challenge(session);
}

void Service::on_frame(const transport::ConnectionPtr& connection, wire::Frame frame) {
  auto* slot = std::any_cast<SessionPtr>(&connection->user_data());
  if (slot == nullptr || !*slot) return;
  const SessionPtr& session = *slot;
  if (auto* request = std::get_if<wire::Request>(&frame)) {
    impl_->queue_request(session, std::move(*request));
  } else {
    impl_->on_response(session, std::get<wire::Response>(frame));
  }
}

void Service::on_close(const transport::ConnectionPtr& connection) {
  auto* slot = std::any_cast<SessionPtr>(&connection->user_data());
  if (slot == nullptr || !*slot) return;
  SessionPtr session = *slot;
  std::optional<std::pair<AccountId, DeviceId>> who;
  {
    std::lock_guard lock(session->mu);
    session->closed = true;
    session->requests.clear();
    if (session->authenticated) who.emplace(session->account, session->device);
  }
  if (who) impl_->registry.remove(who->first, who->second, session.get());
  impl_->disarm_login_deadline(session);
  connection->user_data().reset();  // the session is freed once queued work lets go
}

void Service::wait_idle() {
  std::unique_lock lock(impl_->idle_mu);
  impl_->idle_cv.wait(lock, [this] { return impl_->outstanding == 0; });
}

std::size_t Service::online_devices() const { return impl_->registry.size(); }

std::size_t Service::close_idle_logins() {
  const std::int64_t now = impl_->clock.now_ms();
  std::vector<SessionPtr> due;
  {
    std::lock_guard lock(impl_->logins_mu);
    auto& deadlines = impl_->login_deadlines;
    while (!deadlines.empty() && deadlines.begin()->first.first <= now) {
      if (auto session = deadlines.begin()->second.lock()) {
        session->login_deadline_ms = kNoLoginDeadline;
        due.push_back(std::move(session));
      }
      deadlines.erase(deadlines.begin());
    }
  }
  std::size_t closed = 0;
  for (const auto& session : due) {
    {
      std::lock_guard lock(session->mu);
      if (session->authenticated || session->closed) continue;
    }
    if (auto c = session->connection.lock()) {
      c->close(transport::CloseCode::policy_violation, "login timeout");
      ++closed;
    }
  }
  if (closed > 0) spdlog::debug("closed {} connections that did not log in", closed);
  return closed;
}

// --- Impl: plumbing ---

void Service::Impl::begin_work() {
  std::lock_guard lock(idle_mu);
  ++outstanding;
}

void Service::Impl::end_work() {
  std::lock_guard lock(idle_mu);
  if (--outstanding == 0) idle_cv.notify_all();
}

void Service::Impl::post(std::function<void()> task) {
  begin_work();
  executor.post([self = shared_from_this(), task = std::move(task)] {
    task();
    self->end_work();
  });
}

void Service::Impl::random(std::span<std::uint8_t> out) {
  std::lock_guard lock(rng_mu);
  // Drawn from the Rng a block at a time: every message takes a guid, and the
  // system Rng costs a getrandom() call per fill. The values (guids, login
  // nonces) are public once used, so holding a few ahead is harmless.
  if (out.size() > random_pool.size()) return rng.fill(out);
  if (out.size() > random_pool.size() - random_used) {
    rng.fill(random_pool);
    random_used = 0;
  }
  std::copy_n(random_pool.begin() + static_cast<std::ptrdiff_t>(random_used), out.size(),
              out.begin());
  random_used += out.size();
}

void Service::Impl::respond(Session& session, std::uint64_t id, std::uint32_t status,
                            std::string message, Bytes body) {
  {
    std::lock_guard lock(session.mu);
    if (session.unanswered > 0) --session.unanswered;
  }
  session.send(wire::Response{id, status, std::move(message), std::move(body)});
}

storage::Guid Service::Impl::next_guid() {
  const std::uint64_t n = guid_counter.fetch_add(1, std::memory_order_relaxed);
  storage::Guid guid{};
  for (int i = 0; i < 8; ++i) guid[i] = static_cast<std::uint8_t>(n >> (56 - 8 * i));
  random(std::span(guid).subspan(8));
  return guid;
}

std::optional<std::pair<AccountId, DeviceId>> Service::Impl::identity(Session& session) {
  std::lock_guard lock(session.mu);
  if (!session.authenticated) return std::nullopt;
  return std::pair{session.account, session.device};
}

void Service::Impl::too_many(Session& session, std::uint64_t id, std::int64_t retry_after_ms,
                             const char* why) {
  respond(session, id, kStatusTooManyRequests, why,
          wire::encode(wire::RetryAfter{static_cast<std::uint64_t>(retry_after_ms)}));
}

void Service::Impl::arm_login_deadline(const SessionPtr& session) {
  if (options.login_timeout_ms <= 0) return;
  const std::int64_t deadline = clock.now_ms() + options.login_timeout_ms;
  std::lock_guard lock(logins_mu);
  if (session->login_deadline_ms != kNoLoginDeadline) {
    login_deadlines.erase({session->login_deadline_ms, session->connection_id});
  }
  session->login_deadline_ms = deadline;
  login_deadlines.emplace(std::pair{deadline, session->connection_id}, session);
}

void Service::Impl::disarm_login_deadline(const SessionPtr& session) {
  std::lock_guard lock(logins_mu);
  if (session->login_deadline_ms == kNoLoginDeadline) return;
  login_deadlines.erase({session->login_deadline_ms, session->connection_id});
  session->login_deadline_ms = kNoLoginDeadline;
}

void Service::Impl::send_challenge(const SessionPtr& session) {
  wire::Challenge challenge;
  challenge.nonce = random_array<wire::kNonceSize>();
  std::lock_guard lock(session->mu);
  session->nonce = challenge.nonce;
  session->send(
      wire::Request{session->next_request_id++, wire::kOpAuthChallenge, wire::encode(challenge)});
}

void Service::Impl::queue_request(const SessionPtr& session, wire::Request request) {
  // Read outside the session lock: a Clock may take its own.
  const std::int64_t now = clock.now_ms();
  bool run_here = false;
  {
    std::lock_guard lock(session->mu);
    if (session->closed) return;
    // Refused here, on the I/O thread, before any work is queued: a flooding
    // connection costs the executor nothing.
    auto refuse = [&](std::int64_t retry_after_ms, const char* why) {
      session->send(wire::Response{
          request.id, kStatusTooManyRequests, why,
          wire::encode(wire::RetryAfter{static_cast<std::uint64_t>(retry_after_ms)})});
    };
    if (const auto wait = session->request_bucket.take(options.connection_requests, now)) {
      return refuse(wait, "request rate limit");
    }
    if (session->unanswered >= kMaxUnansweredRequests) {
      // Time alone does not lift this one: 0 says "after an answer".
      return refuse(0, "too many unanswered requests");
    }
    ++session->unanswered;
    // Nothing of this connection queued or running: order holds either way.
    run_here = !session->running && request.op == wire::kOpMessageSend;
    if (!run_here) session->requests.push_back(std::move(request));
    if (session->running) return;
    session->running = true;
  }
  if (run_here) return run_inline(session, request);
  post([self = shared_from_this(), session] { self->drain(session); });
}

void Service::Impl::run_inline(const SessionPtr& session, const wire::Request& request) {
  // message.send does one short read and hands its write to the store, so it
  // runs here on the connection's I/O thread: a hop through the worker pool
  // cost more than the request itself. Other ops may wait on a commit.
  begin_work();
  handle(session, request);
  bool more = false;
  {
    std::lock_guard lock(session->mu);
    more = !session->requests.empty() && !session->closed;
    if (!more) {
      session->requests.clear();
      session->running = false;
    }
  }
  if (more) post([self = shared_from_this(), session] { self->drain(session); });
  end_work();
}

void Service::Impl::drain(const SessionPtr& session) {
  for (;;) {
    wire::Request request;
    {
      std::lock_guard lock(session->mu);
      if (session->requests.empty() || session->closed) {
        session->requests.clear();
        session->requests.shrink_to_fit();  // idle connections hold nothing
        session->running = false;
        return;
      }
      request = std::move(session->requests.front());
      session->requests.erase(session->requests.begin());
    }
    handle(session, request);
  }
}

void Service::Impl::handle(const SessionPtr& session, const wire::Request& request) {
  const std::string_view op = request.op;
  // Served before login.
  if (op == wire::kOpAuthLogin) return op_login(session, request);
  if (op == wire::kOpAccountCreate) return op_account_create(session, request);
  if (op == wire::kOpAccountLookup) return op_account_lookup(session, request);
  if (op == wire::kOpKeysFetch || op == wire::kOpKeysUpload || op == wire::kOpKeysStatus ||
      op == wire::kOpMessageSend || op == wire::kOpAccountDelete) {
    const auto who = identity(*session);
    if (!who) return respond(*session, request.id, kStatusUnauthorized, "log in first");
    const auto& [account, device] = *who;
    if (op == wire::kOpKeysFetch) {
      if (const auto wait = fetch_limiter.take(account, clock.now_ms())) {
        return too_many(*session, request.id, wait, "keys.fetch rate limit");
      }
      return op_keys_fetch(session, request);
    }
    if (op == wire::kOpKeysUpload) return op_keys_upload(session, request, account, device);
    if (op == wire::kOpKeysStatus) return op_keys_status(session, request, account, device);
    if (op == wire::kOpMessageSend) {
      if (const auto wait = send_limiter.take(account, clock.now_ms())) {
        return too_many(*session, request.id, wait, "message.send rate limit");
      }
      return op_message_send(session, request, account, device);
    }
    return op_account_delete(session, request, account);
  }
  // Unknown ops answer 401 before login too, so probing says nothing.
  if (!identity(*session))
    return respond(*session, request.id, kStatusUnauthorized, "log in first");
  respond(*session, request.id, kStatusNotFound, "unknown op");
}

// --- auth.login ---

void Service::Impl::op_login(const SessionPtr& session, const wire::Request& request) {
  auto login = wire::parse_login(request.body);
  if (!login) return respond(*session, request.id, kStatusBadRequest, login.error().message);

  std::optional<std::array<std::uint8_t, wire::kNonceSize>> nonce;
  bool already = false;
  {
    std::lock_guard lock(session->mu);
    already = session->authenticated;
    // A nonce answers one login attempt only: a failed attempt gets a new one.
    if (!already) nonce = std::exchange(session->nonce, std::nullopt);
  }
  if (already) return respond(*session, request.id, kStatusBadRequest, "already logged in");
  auto refuse = [&](const char* why) {
    respond(*session, request.id, kStatusUnauthorized, why);
    send_challenge(session);
  };
  if (!nonce) return refuse("no outstanding challenge");

  auto device = store.devices().get_device(login->account_id, login->device_id);
  // An unknown device and a bad signature look the same to the client.
  if (!device) return refuse("login refused");
  const Bytes transcript = wire::login_transcript(*nonce, pin);
  if (!crypto::ed25519_verify(device->public_key, transcript, login->signature)) {
    return refuse("login refused");
  }

  {
    std::lock_guard lock(session->mu);
    if (session->closed) return;  // nobody left to answer
    session->authenticated = true;
    session->account = login->account_id;
    session->device = login->device_id;
  }
  // One consumer per device: a newer connection replaces an older one.
  if (auto previous = registry.add(login->account_id, login->device_id, session)) {
    if (auto c = previous->connection.lock()) {
      c->close(transport::CloseCode::normal, "replaced by a newer connection");
    }
  }
  {
    // on_close may have run between the login and the registration above.
    std::lock_guard lock(session->mu);
    if (session->closed) {
      registry.remove(login->account_id, login->device_id, session.get());
      return;
    }
  }
  disarm_login_deadline(session);
  (void)store.devices().touch_last_seen(login->account_id, login->device_id, clock.now_ms());
  spdlog::debug("connection {} logged in as device {}", session->connection_id, login->device_id);
  respond(*session, request.id, kStatusOk);
  schedule_pump(session);
}

}  // namespace sotto::server
