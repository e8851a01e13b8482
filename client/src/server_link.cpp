// SPDX-License-Identifier: Apache-2.0
#include "sotto/client/server_link.hpp"

#include <variant>

#include "sotto/core/host_port.hpp"
#include "sotto/transport/certificate.hpp"
#include "sotto/wire/service.hpp"

namespace sotto::client {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

milliseconds remaining(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
  return left.count() > 0 ? left : milliseconds(0);
}

}  // namespace

Result<ServerEndpoint> parse_endpoint(std::string_view host_port, std::string_view pin_hex) {
  auto address = parse_host_port(host_port);
  if (!address) return fail(Errc::bad_request, "server address: " + address.error().message);
  if (address->port == 0) return fail(Errc::bad_request, "server address: port 0 is not a port");
  auto pin = transport::parse_pin(pin_hex);
  if (!pin) {
    return fail(Errc::bad_request,
                "the server pin must be the 64 hex digits sottod printed at start");
  }
  return ServerEndpoint{std::move(address->host), address->port, *pin};
}

ServerLink::ServerLink(std::unique_ptr<transport::WebSocketClient> socket, Pin pin)
    : socket_(std::move(socket)), pin_(pin) {}

ServerLink::~ServerLink() { close(); }

Result<std::unique_ptr<ServerLink>> ServerLink::connect(const ServerEndpoint& endpoint,
                                                        milliseconds timeout) {
  transport::ClientOptions options;
  options.host = endpoint.host;
  options.port = endpoint.port;
  options.pin = endpoint.pin;
  options.connect_timeout = timeout;
  auto socket = transport::WebSocketClient::connect(options);
  if (!socket) return tl::unexpected(socket.error());
  return std::unique_ptr<ServerLink>(new ServerLink(std::move(*socket), endpoint.pin));
}

Result<std::optional<wire::Response>> ServerLink::read_one(milliseconds timeout) {
  auto frame = socket_->receive(timeout);
  if (!frame) {
    std::string why = "connection to the server lost";
    if (auto info = socket_->close_info()) {
      why += " (close " + std::to_string(static_cast<unsigned>(info->code));
      if (!info->reason.empty()) why += ": " + info->reason;
      why += ")";
    }
    return fail(Errc::network_error, why);
  }
  if (!*frame) return std::optional<wire::Response>{};
  if (auto* request = std::get_if<wire::Request>(&**frame)) {
    pushes_.push_back(std::move(*request));
    return std::optional<wire::Response>{};
  }
  return std::optional<wire::Response>{std::get<wire::Response>(std::move(**frame))};
}

Result<wire::Response> ServerLink::call(std::string_view op, Bytes body, milliseconds timeout) {
  const std::uint64_t id = next_id_++;
  SOTTO_TRY(socket_->send(wire::Request{id, std::string(op), std::move(body)}));
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    auto left = remaining(deadline);
    if (left.count() == 0) {
      return fail(Errc::timed_out, "the server did not answer " + std::string(op) + " in time");
    }
    auto response = read_one(left);
    if (!response) return tl::unexpected(response.error());
    // Answers to requests we gave up on are dropped here.
    if (*response && (*response)->id == id) return std::move(**response);
  }
}

Result<std::optional<wire::Request>> ServerLink::next_push(milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    if (!pushes_.empty()) {
      wire::Request out = std::move(pushes_.front());
      pushes_.pop_front();
      return std::optional<wire::Request>{std::move(out)};
    }
    auto left = remaining(deadline);
    auto response = read_one(left);
    if (!response) return tl::unexpected(response.error());
    if (pushes_.empty() && left.count() == 0) return std::optional<wire::Request>{};
  }
}

Status ServerLink::answer(std::uint64_t request_id, std::uint32_t status) {
  return socket_->send(wire::Response{request_id, status, {}, {}});
}

Status ServerLink::login(const AccountId& account, std::uint32_t device_id,
                         const crypto::Ed25519Seed& device_key) {
  // The challenge is the server's first request on every connection.
  const auto deadline = Clock::now() + std::chrono::seconds(20);
  std::optional<wire::Challenge> challenge;
  while (!challenge) {
    auto left = remaining(deadline);
    if (left.count() == 0) return fail(Errc::timed_out, "the server sent no login challenge");
    auto push = next_push(left);
    if (!push) return tl::unexpected(push.error());
    if (!*push) continue;
    if ((*push)->op != wire::kOpAuthChallenge) {
      pushes_.push_back(std::move(**push));  // keep for later; should not happen before login
      continue;
    }
    auto parsed = wire::parse_challenge((*push)->body);
    if (!parsed) return fail(Errc::network_error, "malformed login challenge from the server");
    challenge = *parsed;
  }
  wire::Login login;
  login.account_id = account;
  login.device_id = device_id;
  const Bytes transcript = wire::login_transcript(challenge->nonce, pin_);
  login.signature = crypto::ed25519_sign(device_key, transcript);
  auto response = call(wire::kOpAuthLogin, wire::encode(login));
  if (!response) return tl::unexpected(response.error());
  if (response->status != 200) {
    return fail(Errc::unauthenticated, "the server refused the login (" +
                                           std::to_string(response->status) + " " +
                                           response->message + ")");
  }
  return ok();
}

void ServerLink::close() {
  if (socket_) socket_->close();
}

bool ServerLink::is_open() const { return socket_ && socket_->is_open(); }

}  // namespace sotto::client
