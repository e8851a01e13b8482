// SPDX-License-Identifier: Apache-2.0
#include "sotto/systest/wire_client.hpp"

#include <algorithm>
#include <variant>

#include "sotto/crypto/rng.hpp"
#include "sotto/crypto/xeddsa.hpp"

namespace sotto::systest {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::uint8_t kDjbKeyType = 0x05;
constexpr std::uint32_t kEnvelopeType = 1;

std::chrono::milliseconds remaining(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return std::max(left, std::chrono::milliseconds(0));
}

// A 33-byte public key as Signal serializes it. The server checks only
// signatures over these bytes, never the curve point, but a real X25519 key
// keeps the bundle well-formed for clients that fetch it.
Bytes djb_public_key(const crypto::X25519Public& key) {
  Bytes out(1 + key.size(), kDjbKeyType);
  std::copy(key.begin(), key.end(), out.begin() + 1);
  return out;
}

}  // namespace

TestAccount TestAccount::generate(std::string username, std::uint32_t registration_id) {
  TestAccount account;
  account.username = std::move(username);
  account.device_key = crypto::ed25519_generate(crypto::os_rng());
  account.identity = crypto::x25519_generate(crypto::os_rng());
  account.registration_id = registration_id;
  return account;
}

Bytes TestAccount::identity_key() const { return djb_public_key(identity.public_key); }

WireClient::WireClient(std::unique_ptr<transport::WebSocketClient> client,
                       const transport::CertificatePin& pin)
    : client_(std::move(client)), pin_(pin) {}

WireClient::~WireClient() = default;

Result<std::unique_ptr<WireClient>> WireClient::connect(std::uint16_t port,
                                                        const transport::CertificatePin& pin,
                                                        const std::string& host,
                                                        std::chrono::milliseconds timeout) {
  transport::ClientOptions options;
  options.host = host;
  options.port = port;
  options.pin = pin;
  options.connect_timeout = timeout;
  auto client = transport::WebSocketClient::connect(options);
  if (!client) return tl::unexpected(client.error());
  return std::unique_ptr<WireClient>(new WireClient(std::move(*client), pin));
}

Result<bool> WireClient::receive_one(std::chrono::milliseconds timeout) {
  auto frame = client_->receive(timeout);
  if (!frame) return tl::unexpected(frame.error());
  if (!*frame) return false;
  if (auto* request = std::get_if<wire::Request>(&**frame)) {
    requests_.push_back(std::move(*request));
  } else {
    responses_.push_back(std::get<wire::Response>(std::move(**frame)));
  }
  return true;
}

Result<std::uint64_t> WireClient::send_request(const std::string& op, Bytes body) {
  const std::uint64_t id = next_id_++;
  SOTTO_TRY(client_->send(wire::Request{id, op, std::move(body)}));
  return id;
}

Result<wire::Response> WireClient::call(const std::string& op, Bytes body,
                                        std::chrono::milliseconds timeout) {
  auto id = send_request(op, std::move(body));
  if (!id) return tl::unexpected(id.error());
  return wait_response(*id, timeout);
}

Result<wire::Response> WireClient::wait_response(std::uint64_t id,
                                                 std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    auto it = std::find_if(responses_.begin(), responses_.end(),
                           [id](const wire::Response& r) { return r.id == id; });
    if (it != responses_.end()) {
      wire::Response out = std::move(*it);
      responses_.erase(it);
      return out;
    }
    if (Clock::now() >= deadline) {
      return fail(Errc::network_error, "no response to request " + std::to_string(id));
    }
    auto got = receive_one(remaining(deadline));
    if (!got) return tl::unexpected(got.error());
  }
}

Result<std::optional<wire::Response>> WireClient::next_response(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  bool tried = false;
  for (;;) {
    if (!responses_.empty()) {
      wire::Response out = std::move(responses_.front());
      responses_.pop_front();
      return out;
    }
    if (tried && Clock::now() >= deadline) return std::nullopt;
    auto got = receive_one(remaining(deadline));
    if (!got) return tl::unexpected(got.error());
    tried = true;  // a zero timeout still polls once
  }
}

Result<std::optional<wire::Request>> WireClient::next_request(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  bool tried = false;
  for (;;) {
    if (!requests_.empty()) {
      wire::Request out = std::move(requests_.front());
      requests_.pop_front();
      return out;
    }
    if (tried && Clock::now() >= deadline) return std::nullopt;
    auto got = receive_one(remaining(deadline));
    if (!got) return tl::unexpected(got.error());
    tried = true;  // a zero timeout still polls once
  }
}

Result<wire::Request> WireClient::wait_request(const std::string& op,
                                               std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    auto it = std::find_if(requests_.begin(), requests_.end(),
                           [&op](const wire::Request& r) { return r.op == op; });
    if (it != requests_.end()) {
      wire::Request out = std::move(*it);
      requests_.erase(it);
      return out;
    }
    if (Clock::now() >= deadline) return fail(Errc::network_error, "no " + op + " request");
    auto got = receive_one(remaining(deadline));
    if (!got) return tl::unexpected(got.error());
  }
}

Status WireClient::respond(std::uint64_t id, std::uint32_t status, std::string message) {
  return client_->send(wire::Response{id, status, std::move(message), {}});
}

Status WireClient::create_account(TestAccount& account, std::size_t one_time_prekeys) {
  wire::AccountCreate create;
  create.username = account.username;
  create.device_key = account.device_key.public_key;
  create.identity_key = account.identity_key();
  create.registration_id = account.registration_id;
  create.signed_prekey.id = 1;
  create.signed_prekey.public_key =
      djb_public_key(crypto::x25519_generate(crypto::os_rng()).public_key);
  const auto signature = crypto::xeddsa_sign(account.identity.private_key,
                                             create.signed_prekey.public_key, crypto::os_rng());
  create.signed_prekey.signature.assign(signature.begin(), signature.end());
  for (std::size_t i = 0; i < one_time_prekeys; ++i) {
    create.one_time_prekeys.push_back(
        {static_cast<std::uint32_t>(i + 1),
         djb_public_key(crypto::x25519_generate(crypto::os_rng()).public_key)});
  }
  auto response = call(wire::kOpAccountCreate, wire::encode(create));
  if (!response) return tl::unexpected(response.error());
  if (response->status != kOk) {
    return fail(Errc::bad_request, "account.create " + account.username + ": " +
                                       std::to_string(response->status) + " " + response->message);
  }
  auto created = wire::parse_account_created(response->body);
  if (!created) return tl::unexpected(created.error());
  account.id = created->account_id;
  account.device_id = created->device_id;
  return ok();
}

Status WireClient::login(const TestAccount& account) {
  auto challenge_request = wait_request(wire::kOpAuthChallenge);
  if (!challenge_request) return tl::unexpected(challenge_request.error());
  auto challenge = wire::parse_challenge(challenge_request->body);
  if (!challenge) return tl::unexpected(challenge.error());
  wire::Login body;
  body.account_id = account.id;
  body.device_id = account.device_id;
  body.signature =
      crypto::ed25519_sign(account.device_key.seed, wire::login_transcript(challenge->nonce, pin_));
  auto response = call(wire::kOpAuthLogin, wire::encode(body));
  if (!response) return tl::unexpected(response.error());
  if (response->status != kOk) {
    return fail(Errc::bad_request, "auth.login " + account.username + ": " +
                                       std::to_string(response->status) + " " + response->message);
  }
  return ok();
}

Result<std::uint64_t> WireClient::send_message(const TestAccount& to, ByteView content,
                                               std::uint64_t timestamp) {
  wire::MessageSend send;
  send.destination = to.id;
  send.timestamp = timestamp;
  send.envelopes.push_back(
      {to.device_id, to.registration_id, kEnvelopeType, Bytes(content.begin(), content.end())});
  return send_request(wire::kOpMessageSend, wire::encode(send));
}

Result<wire::Envelope> WireClient::parse_deliver(const wire::Request& deliver) {
  if (deliver.op != wire::kOpMessageDeliver) {
    return fail(Errc::bad_request, "not a message.deliver: " + deliver.op);
  }
  return wire::parse_envelope(deliver.body);
}

bool WireClient::is_open() const { return client_->is_open(); }

void WireClient::close() { client_->close(); }

}  // namespace sotto::systest
