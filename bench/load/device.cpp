// SPDX-License-Identifier: Apache-2.0
#include "device.hpp"

#include <algorithm>
#include <variant>

#include "clock.hpp"
#include "payloads.hpp"
#include "sotto/crypto/rng.hpp"
#include "sotto/crypto/x25519.hpp"
#include "sotto/crypto/xeddsa.hpp"
#include "sotto/wire/frame.hpp"

namespace sotto::bench {

namespace {

constexpr std::uint32_t kOk = 200;
constexpr std::uint8_t kDjbKeyType = 0x05;
// Registration ids are 14-bit in Signal.
constexpr std::uint32_t kRegistrationIdMask = 0x3fff;

Bytes djb_public_key(const crypto::X25519Public& key) {
  Bytes out(1 + key.size(), kDjbKeyType);
  std::copy(key.begin(), key.end(), out.begin() + 1);
  return out;
}

}  // namespace

AccountKeys make_account_keys(std::string username, crypto::Rng& rng) {
  AccountKeys keys;
  keys.username = std::move(username);
  keys.device_key = crypto::ed25519_generate(rng);
  keys.registration_id = (rng.next_u32() & kRegistrationIdMask) | 1;
  const auto identity = crypto::x25519_generate(rng);
  wire::AccountCreate create;
  create.username = keys.username;
  create.device_key = keys.device_key.public_key;
  create.identity_key = djb_public_key(identity.public_key);
  create.registration_id = keys.registration_id;
  // The server checks the signed prekey's signature with the identity key
  // (422 otherwise), so it is a real one, as a real client's would be.
  create.signed_prekey.id = 1;
  create.signed_prekey.public_key = djb_public_key(crypto::x25519_generate(rng).public_key);
  const auto signature =
      crypto::xeddsa_sign(identity.private_key, create.signed_prekey.public_key, rng);
  create.signed_prekey.signature.assign(signature.begin(), signature.end());
  keys.create_body = wire::encode(create);
  return keys;
}

SottoDevice::SottoDevice(std::size_t index, AccountKeys keys)
    : Device(index, keys.username), keys_(std::move(keys)) {}

SottoDevice::~SottoDevice() = default;

void SottoDevice::connect(boost::asio::io_context& io, TlsClientContext& tls,
                          const WsTarget& target) {
  pin_ = target.pin;
  nonce_.reset();
  pending_.clear();
  outstanding_sends_ = 0;
  online_ = false;
  next_id_ = 1;
  connection_ = WsConnection::create(io, tls, target, *this);
  connection_->start();
}

void SottoDevice::request(const char* op, Bytes body, Kind kind, std::uint64_t tag) {
  const std::uint64_t id = next_id_++;
  pending_.push_back({id, kind, tag});
  connection_->send(wire::encode_frame(wire::Request{id, op, std::move(body)}));
}

void SottoDevice::create_account() {
  request(wire::kOpAccountCreate, keys_.create_body, Kind::create, 0);
}

void SottoDevice::login() {
  wire::Login body;
  body.account_id = account_id_;
  body.device_id = device_id_;
  body.signature =
      crypto::ed25519_sign(keys_.device_key.seed, wire::login_transcript(*nonce_, pin_));
  nonce_.reset();  // one login attempt per challenge
  request(wire::kOpAuthLogin, wire::encode(body), Kind::login, 0);
}

void SottoDevice::send_message(const Device& to_device, std::uint64_t seq,
                               const PayloadPool& pool) {
  const auto& to = static_cast<const SottoDevice&>(to_device);
  const Ciphertext& c = pool.pick(seq);
  wire::MessageSend send;
  send.destination = to.account_id();
  send.timestamp = wall_ms();
  send.envelopes.push_back(
      {to.device_id(), to.registration_id(), c.type, pool.content(seq, steady_ns())});
  ++outstanding_sends_;
  request(wire::kOpMessageSend, wire::encode(send), Kind::send, seq);
}

void SottoDevice::close() {
  if (connection_) connection_->close();
}

void SottoDevice::respond(std::uint64_t id, std::uint32_t status) {
  connection_->send(wire::encode_frame(wire::Response{id, status, {}, {}}));
}

void SottoDevice::on_connected(const std::string& error) {
  if (events_ != nullptr) events_->on_connected(*this, error);
}

void SottoDevice::on_message(ByteView message) {
  auto frame = wire::parse_frame(message);
  if (!frame) {
    if (events_ != nullptr) events_->on_protocol_error(*this, "undecodable frame");
    return;
  }
  if (auto* request = std::get_if<wire::Request>(&*frame)) {
    on_request(*request);
  } else {
    on_response(std::get<wire::Response>(*frame));
  }
}

void SottoDevice::on_request(const wire::Request& request) {
  if (request.op == wire::kOpMessageDeliver) {
    auto envelope = wire::parse_envelope(request.body);
    if (!envelope) {
      if (events_ != nullptr) events_->on_protocol_error(*this, "bad message.deliver body");
      return respond(request.id, 400);
    }
    if (events_ != nullptr) {
      if (auto stamp = PayloadPool::read_stamp(envelope->content)) {
        events_->on_deliver(*this, stamp->seq, stamp->send_ns);
      } else {
        events_->on_protocol_error(*this, "delivered content without a stamp");
      }
    }
    return respond(request.id, kOk);
  }
  if (request.op == wire::kOpAuthChallenge) {
    auto challenge = wire::parse_challenge(request.body);
    if (!challenge) {
      if (events_ != nullptr) events_->on_protocol_error(*this, "bad auth.challenge body");
      return;
    }
    nonce_ = challenge->nonce;
    if (events_ != nullptr) events_->on_challenge(*this);
    return;
  }
  // queue.empty, keys.low, message.expired: answered 200 like the client does.
  respond(request.id, kOk);
  if (request.op == wire::kOpQueueEmpty && events_ != nullptr) events_->on_queue_empty(*this);
}

void SottoDevice::on_response(const wire::Response& response) {
  // Answers mostly come in request order: search from the front.
  auto it = std::find_if(pending_.begin(), pending_.end(),
                         [&](const Pending& p) { return p.id == response.id; });
  if (it == pending_.end()) {
    if (events_ != nullptr) {
      events_->on_protocol_error(*this, "answer to unknown request " + std::to_string(response.id));
    }
    return;
  }
  const Pending pending = *it;
  pending_.erase(it);
  switch (pending.kind) {
    case Kind::create:
      if (response.status == kOk) {
        auto created = wire::parse_account_created(response.body);
        if (!created) {
          if (events_ != nullptr) events_->on_created(*this, 0, "bad account.create answer");
          return;
        }
        account_id_ = created->account_id;
        device_id_ = created->device_id;
      }
      if (events_ != nullptr) events_->on_created(*this, response.status, response.message);
      return;
    case Kind::login:
      online_ = response.status == kOk;
      if (events_ != nullptr) events_->on_logged_in(*this, response.status, response.message);
      return;
    case Kind::send:
      --outstanding_sends_;
      if (events_ != nullptr) events_->on_send_answer(*this, pending.tag, response.status);
      return;
  }
}

void SottoDevice::on_closed(const std::string& why) {
  online_ = false;
  if (events_ != nullptr) events_->on_closed(*this, why);
}

}  // namespace sotto::bench
