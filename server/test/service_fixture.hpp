// SPDX-License-Identifier: Apache-2.0
// The fixture of the service tests: a Service over the in-memory store, a
// manual clock and executor, and fake connections, with helpers to register,
// log in and send.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>

#include "fake_connection.hpp"
#include "sotto/crypto/ed25519.hpp"
#include "sotto/crypto/x25519.hpp"
#include "sotto/crypto/xeddsa.hpp"
#include "sotto/server/service.hpp"
#include "sotto/wire/service.hpp"

namespace sotto::server::test {

inline std::array<std::uint8_t, 32> seed_of(std::uint8_t b) {
  std::array<std::uint8_t, 32> s{};
  s.fill(b);
  return s;
}

inline Bytes serialized(const crypto::X25519Public& key) {
  Bytes out(1 + key.size());
  out[0] = 0x05;
  std::copy(key.begin(), key.end(), out.begin() + 1);
  return out;
}

struct User {
  std::string name;
  crypto::Ed25519KeyPair device_key;
  crypto::X25519KeyPair identity;
  storage::AccountId id{};
  std::uint32_t registration_id = 0;
};

struct Client {
  std::shared_ptr<FakeConnection> connection;
  std::uint64_t next_id = 1000;
};

class ServiceTest : public ::testing::Test {
 protected:
  explicit ServiceTest(ServiceOptions options = {})
      : storage_(storage::make_memory_storage()),
        test_rng_(seed_of(2)),
        service_(
            std::make_unique<Service>(*storage_, clock_, service_rng_, executor_, pin_, options)) {}

  ~ServiceTest() override {
    executor_.run_all();
    service_->wait_idle();
  }

  Client connect() {
    Client client{std::make_shared<FakeConnection>(++connections_)};
    service_->on_open(client.connection);
    executor_.run_all();
    return client;
  }

  void disconnect(Client& client) {
    client.connection->close(transport::CloseCode::normal, "");
    service_->on_close(client.connection);
    executor_.run_all();
  }

  // Sends a request and runs the service until it is idle; returns the answer.
  wire::Response call(Client& client, const std::string& op, Bytes body = {}) {
    const std::uint64_t id = client.next_id++;
    service_->on_frame(client.connection, wire::Request{id, op, std::move(body)});
    executor_.run_all();
    auto response = client.connection->response(id);
    EXPECT_TRUE(response) << "no answer to " << op;
    return response.value_or(wire::Response{});
  }

  void answer(Client& client, std::uint64_t id, std::uint32_t status) {
    service_->on_frame(client.connection, wire::Response{id, status, {}, {}});
    executor_.run_all();
  }

  wire::SignedKey signed_key(const User& user, std::uint32_t id, std::size_t size = 33) {
    wire::SignedKey key;
    key.id = id;
    key.public_key = Bytes(size, static_cast<std::uint8_t>(id));
    key.public_key[0] = 0x05;
    const auto sig = crypto::xeddsa_sign(user.identity.private_key, key.public_key, test_rng_);
    key.signature.assign(sig.begin(), sig.end());
    return key;
  }

  wire::AccountCreate create_body(const User& user, std::uint32_t one_time_keys) {
    wire::AccountCreate create;
    create.username = user.name;
    create.device_key = user.device_key.public_key;
    create.identity_key = serialized(user.identity.public_key);
    create.registration_id = user.registration_id;
    create.signed_prekey = signed_key(user, 1);
    for (std::uint32_t i = 1; i <= one_time_keys; ++i) {
      create.one_time_prekeys.push_back({i, Bytes(33, static_cast<std::uint8_t>(i))});
    }
    create.kyber_last_resort = signed_key(user, 900, 1569);
    return create;
  }

  User make_user(const std::string& name) {
    User user{name,
              crypto::ed25519_generate(test_rng_),
              crypto::x25519_generate(test_rng_),
              {},
              100 + static_cast<std::uint32_t>(connections_)};
    return user;
  }

  // Registers `user` over a fresh connection (then dropped).
  void register_user(User& user, std::uint32_t one_time_keys = 2) {
    Client client = connect();
    auto response =
        call(client, wire::kOpAccountCreate, wire::encode(create_body(user, one_time_keys)));
    ASSERT_EQ(response.status, kStatusOk) << response.message;
    auto created = wire::parse_account_created(response.body);
    ASSERT_TRUE(created);
    EXPECT_EQ(created->device_id, 1u);
    user.id = created->account_id;
    disconnect(client);
  }

  wire::Response login(Client& client, const User& user, std::uint32_t device = 1,
                       const crypto::Ed25519Seed* key = nullptr) {
    auto challenges = client.connection->requests(wire::kOpAuthChallenge);
    EXPECT_FALSE(challenges.empty());
    auto challenge = wire::parse_challenge(challenges.back().body);
    EXPECT_TRUE(challenge);
    wire::Login body;
    body.account_id = user.id;
    body.device_id = device;
    body.signature = crypto::ed25519_sign(key ? *key : user.device_key.seed,
                                          wire::login_transcript(challenge->nonce, pin_));
    return call(client, wire::kOpAuthLogin, wire::encode(body));
  }

  Client connect_as(const User& user) {
    Client client = connect();
    EXPECT_EQ(login(client, user).status, kStatusOk);
    return client;
  }

  wire::Response send_text(Client& from, const User& to, const std::string& text,
                           std::uint32_t device = 1, std::optional<std::uint32_t> reg = {}) {
    wire::MessageSend send;
    send.destination = to.id;
    send.timestamp = 42;
    send.envelopes.push_back({device, reg.value_or(to.registration_id), 1, to_bytes(text)});
    return call(from, wire::kOpMessageSend, wire::encode(send));
  }

  static std::string content_of(const wire::Request& deliver) {
    auto envelope = wire::parse_envelope(deliver.body);
    EXPECT_TRUE(envelope);
    return envelope ? std::string(as_string(envelope->content)) : std::string();
  }

  std::uint64_t queued(const User& user, std::uint32_t device = 1) {
    auto n = storage_->mailbox().count(user.id, device);
    EXPECT_TRUE(n);
    return n.value_or(0);
  }

  std::unique_ptr<storage::Storage> storage_;
  storage::ManualClock clock_{1'800'000'000'000};
  crypto::DeterministicRng service_rng_{seed_of(1)};
  crypto::DeterministicRng test_rng_;
  ManualExecutor executor_;
  transport::CertificatePin pin_ = seed_of(0xCE);
  std::unique_ptr<Service> service_;
  std::uint64_t connections_ = 0;
};

}  // namespace sotto::server::test
