// SPDX-License-Identifier: Apache-2.0
// Connection lifecycle, request dispatch and authentication.
#include "sotto/server/service.hpp"

#include <spdlog/spdlog.h>

#include <string_view>

#include "impl.hpp"
#include "sotto/crypto/ed25519.hpp"

namespace sotto::server {

// --- Service ---

Service::Service(storage::Storage& storage, storage::Clock& clock, crypto::Rng& rng,
                 Executor& executor, const transport::CertificatePin& pin, ServiceOptions options)
    : impl_(std::make_shared<Impl>(storage, clock, rng, executor, pin, options)) {}

Service::~Service() = default;

void Service::on_open(const transport::ConnectionPtr& connection) {
  auto session = std::make_shared<Session>(connection);
  connection->user_data() = session;
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
  connection->user_data().reset();  // the session is freed once queued work lets go
}

void Service::wait_idle() {
  std::unique_lock lock(impl_->idle_mu);
  impl_->idle_cv.wait(lock, [this] { return impl_->outstanding == 0; });
}

std::size_t Service::online_devices() const { return impl_->registry.size(); }

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
  rng.fill(out);
}

void Service::Impl::respond(Session& session, std::uint64_t id, std::uint32_t status,
                            std::string message, Bytes body) {
  {
    std::lock_guard lock(session.mu);
    if (session.unanswered > 0) --session.unanswered;
  }
  session.send(wire::Response{id, status, std::move(message), std::move(body)});
}

std::optional<std::pair<AccountId, DeviceId>> Service::Impl::identity(Session& session) {
  std::lock_guard lock(session.mu);
  if (!session.authenticated) return std::nullopt;
  return std::pair{session.account, session.device};
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
  {
    std::lock_guard lock(session->mu);
    if (session->closed) return;
    if (session->unanswered >= kMaxUnansweredRequests) {
      session->send(wire::Response{request.id, kStatusTooManyRequests, "too many requests", {}});
      return;
    }
    ++session->unanswered;
    session->requests.push_back(std::move(request));
    if (session->running) return;
    session->running = true;
  }
  post([self = shared_from_this(), session] { self->drain(session); });
}

void Service::Impl::drain(const SessionPtr& session) {
  for (;;) {
    wire::Request request;
    {
      std::lock_guard lock(session->mu);
      if (session->requests.empty() || session->closed) {
        session->requests.clear();
        session->running = false;
        return;
      }
      request = std::move(session->requests.front());
      session->requests.pop_front();
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
    if (op == wire::kOpKeysFetch) return op_keys_fetch(session, request);
    if (op == wire::kOpKeysUpload) return op_keys_upload(session, request, account, device);
    if (op == wire::kOpKeysStatus) return op_keys_status(session, request, account, device);
    if (op == wire::kOpMessageSend) return op_message_send(session, request, account, device);
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
  (void)store.devices().touch_last_seen(login->account_id, login->device_id, clock.now_ms());
  spdlog::debug("connection {} logged in as device {}", session->connection_id, login->device_id);
  respond(*session, request.id, kStatusOk);
  schedule_pump(session);
}

}  // namespace sotto::server
