// SPDX-License-Identifier: Apache-2.0
// The whole server stack over real sockets: TLS 1.3 WebSockets, the SQLite
// store (completions on its syncer thread) and a thread pool, driven by the
// transport's blocking client. Covers the threading the fake-connection tests
// cannot: register, login, live push, ack, offline backlog, queue.empty.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "sotto/crypto/ed25519.hpp"
#include "sotto/crypto/x25519.hpp"
#include "sotto/crypto/xeddsa.hpp"
#include "sotto/server/service.hpp"
#include "sotto/storage/sqlite/sqlite_storage.hpp"
#include "sotto/transport/client.hpp"
#include "sotto/wire/service.hpp"
#include "sotto/testing/temp_dir.hpp"

namespace sotto::server {
namespace {

using namespace std::chrono_literals;

using testing::TempDir;

struct User {
  std::string name;
  crypto::Ed25519KeyPair device_key;
  crypto::X25519KeyPair identity;
  storage::AccountId id{};
};

// A blocking client that keeps frames it was not waiting for.
class TestClient {
 public:
  explicit TestClient(std::unique_ptr<transport::WebSocketClient> c) : client_(std::move(c)) {}

  // The next server request with `op` (earlier unmatched frames are kept).
  std::optional<wire::Request> next_request(const std::string& op) {
    for (auto it = pending_.begin(); it != pending_.end(); ++it) {
      if (auto* r = std::get_if<wire::Request>(&*it); r != nullptr && r->op == op) {
        wire::Request out = *r;
        pending_.erase(it);
        return out;
      }
    }
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < deadline) {
      auto frame = client_->receive(100ms);
      if (!frame) return std::nullopt;
      if (!*frame) continue;
      if (auto* r = std::get_if<wire::Request>(&**frame); r != nullptr && r->op == op) return *r;
      pending_.push_back(std::move(**frame));
    }
    return std::nullopt;
  }

  wire::Response call(const std::string& op, Bytes body = {}) {
    const std::uint64_t id = next_id_++;
    EXPECT_TRUE(client_->send(wire::Request{id, op, std::move(body)}));
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < deadline) {
      auto frame = client_->receive(100ms);
      if (!frame) break;
      if (!*frame) continue;
      if (auto* r = std::get_if<wire::Response>(&**frame); r != nullptr && r->id == id) return *r;
      pending_.push_back(std::move(**frame));
    }
    ADD_FAILURE() << "no answer to " << op;
    return {};
  }

  void ack(std::uint64_t id) { EXPECT_TRUE(client_->send(wire::Response{id, 200, {}, {}})); }

  // Sends a request without waiting; returns its id.
  std::uint64_t send(const std::string& op, Bytes body = {}) {
    const std::uint64_t id = next_id_++;
    EXPECT_TRUE(client_->send(wire::Request{id, op, std::move(body)}));
    return id;
  }

  // Every response that arrives within `timeout` (other frames are kept).
  std::vector<wire::Response> responses(std::size_t count, std::chrono::milliseconds timeout) {
    std::vector<wire::Response> out;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (out.size() < count && std::chrono::steady_clock::now() < deadline) {
      auto frame = client_->receive(100ms);
      if (!frame) break;
      if (!*frame) continue;
      if (auto* r = std::get_if<wire::Response>(&**frame)) {
        out.push_back(std::move(*r));
      } else {
        pending_.push_back(std::move(**frame));
      }
    }
    return out;
  }

  // Waits for the server to close the connection; its close code (0: none).
  std::uint16_t wait_closed(std::chrono::milliseconds timeout = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (!client_->receive(100ms)) {
        auto info = client_->close_info();
        return info ? info->code : 0;
      }
    }
    ADD_FAILURE() << "the server did not close the connection";
    return 0;
  }

 private:
  std::unique_ptr<transport::WebSocketClient> client_;
  std::vector<wire::Frame> pending_;
  std::uint64_t next_id_ = 1;
};

class EndToEndTest : public ::testing::Test {
 protected:
  virtual ServiceOptions service_options() { return {}; }
  virtual transport::ServerOptions server_options() {
    transport::ServerOptions options;
    options.io_threads = 1;
    return options;
  }

  void SetUp() override {
    auto identity = transport::load_or_create_server_identity(dir_.path() / "tls");
    ASSERT_TRUE(identity) << identity.error().message;
    identity_ = std::move(*identity);
    storage::sqlite::Options options;
    options.path = (dir_.path() / "sotto.db").string();
    auto store = storage::sqlite::SqliteStorage::open(options);
    ASSERT_TRUE(store) << store.error().message;
    storage_ = std::move(*store);
    service_ = std::make_unique<Service>(*storage_, clock_, crypto::os_rng(), pool_,
                                         identity_.pin_bytes, service_options());
    auto server = transport::WebSocketServer::start(server_options(), identity_, *service_);
    ASSERT_TRUE(server) << server.error().message;
    server_ = std::move(*server);
  }

  void TearDown() override {
    if (server_) server_->stop();
    if (service_) service_->wait_idle();
    pool_.shutdown();
  }

  transport::ClientOptions client_options(const std::string& source = {}) {
    transport::ClientOptions options;
    options.port = server_->port();
    options.pin = identity_.pin_bytes;
    options.bind_address = source;
    return options;
  }

  TestClient connect(const std::string& source = {}) {
    auto client = transport::WebSocketClient::connect(client_options(source));
    EXPECT_TRUE(client) << client.error().message;
    return TestClient(client ? std::move(*client) : nullptr);
  }

  void register_user(User& user) {
    TestClient client = connect();
    wire::AccountCreate create;
    create.username = user.name;
    create.device_key = user.device_key.public_key;
    create.identity_key = Bytes(33, 0x05);
    std::copy(user.identity.public_key.begin(), user.identity.public_key.end(),
              create.identity_key.begin() + 1);
    create.registration_id = 7;
    create.signed_prekey.id = 1;
    create.signed_prekey.public_key = Bytes(33, 0x05);
    const auto sig = crypto::xeddsa_sign(user.identity.private_key, create.signed_prekey.public_key,
                                         crypto::os_rng());
    create.signed_prekey.signature.assign(sig.begin(), sig.end());
    auto response = client.call(wire::kOpAccountCreate, wire::encode(create));
    ASSERT_EQ(response.status, kStatusOk) << response.message;
    user.id = wire::parse_account_created(response.body)->account_id;
  }

  void login(TestClient& client, const User& user) {
    auto challenge_request = client.next_request(wire::kOpAuthChallenge);
    ASSERT_TRUE(challenge_request);
    auto challenge = wire::parse_challenge(challenge_request->body);
    ASSERT_TRUE(challenge);
    wire::Login body{
        user.id, 1,
        crypto::ed25519_sign(user.device_key.seed,
                             wire::login_transcript(challenge->nonce, identity_.pin_bytes))};
    ASSERT_EQ(client.call(wire::kOpAuthLogin, wire::encode(body)).status, kStatusOk);
  }

  wire::Response send_text(TestClient& from, const User& to, const std::string& text) {
    return from.call(wire::kOpMessageSend, send_body(to, text));
  }

  static Bytes send_body(const User& to, const std::string& text) {
    wire::MessageSend send;
    send.destination = to.id;
    send.timestamp = 1;
    send.envelopes.push_back({1, 7, 1, to_bytes(text)});
    return wire::encode(send);
  }

  std::uint64_t queued(const User& user) {
    auto n = storage_->mailbox().count(user.id, 1);
    return n ? *n : 999;
  }

  bool wait_queued(const User& user, std::uint64_t expected) {
    for (int i = 0; i < 200; ++i) {
      if (queued(user) == expected) return true;
      std::this_thread::sleep_for(20ms);
    }
    return false;
  }

  static std::string content_of(const wire::Request& deliver) {
    auto envelope = wire::parse_envelope(deliver.body);
    return envelope ? std::string(as_string(envelope->content)) : std::string("<bad envelope>");
  }

  User make_user(const std::string& name) {
    return User{name,
                crypto::ed25519_generate(crypto::os_rng()),
                crypto::x25519_generate(crypto::os_rng()),
                {}};
  }

  TempDir dir_;
  transport::ServerIdentity identity_;
  // Moved by hand (expiry, login deadlines, rate limits); starts at the real time.
  storage::ManualClock clock_{storage::SystemClock().now_ms()};
  ThreadPool pool_{2};
  std::unique_ptr<storage::sqlite::SqliteStorage> storage_;
  std::unique_ptr<Service> service_;
  std::unique_ptr<transport::WebSocketServer> server_;
};

TEST_F(EndToEndTest, RegisterLoginPushAckAndBacklog) {
  User alice = make_user("alice");
  User bob = make_user("bob");
  register_user(alice);
  register_user(bob);

  TestClient a = connect();
  login(a, alice);
  {
    TestClient b = connect();
    login(b, bob);
    ASSERT_TRUE(b.next_request(wire::kOpQueueEmpty));

    ASSERT_EQ(send_text(a, bob, "live").status, kStatusOk);
    auto deliver = b.next_request(wire::kOpMessageDeliver);
    ASSERT_TRUE(deliver);
    EXPECT_EQ(content_of(*deliver), "live");
    EXPECT_EQ(queued(bob), 1u);
    b.ack(deliver->id);
    EXPECT_TRUE(wait_queued(bob, 0));
  }  // bob goes offline

  ASSERT_TRUE(wait_queued(bob, 0));
  ASSERT_EQ(send_text(a, bob, "first").status, kStatusOk);
  ASSERT_EQ(send_text(a, bob, "second").status, kStatusOk);
  EXPECT_EQ(queued(bob), 2u);  // answered 200 only after the commit

  TestClient b = connect();
  login(b, bob);
  auto first = b.next_request(wire::kOpMessageDeliver);
  auto second = b.next_request(wire::kOpMessageDeliver);
  ASSERT_TRUE(first && second);
  EXPECT_EQ(content_of(*first), "first");
  EXPECT_EQ(content_of(*second), "second");
  b.ack(first->id);
  b.ack(second->id);
  EXPECT_TRUE(b.next_request(wire::kOpQueueEmpty));
  EXPECT_EQ(queued(bob), 0u);
}

TEST_F(EndToEndTest, ExpiryNoticeReachesAnOfflineSenderOnReconnect) {
  User alice = make_user("alice");
  User bob = make_user("bob");
  register_user(alice);
  register_user(bob);
  {
    TestClient a = connect();
    login(a, alice);
    ASSERT_EQ(send_text(a, bob, "never read").status, kStatusOk);
  }  // alice goes offline
  clock_.advance(31 * storage::kDayMs);
  ASSERT_EQ(service_->expire_messages(100).value_or(0), 1u);
  EXPECT_EQ(queued(bob), 0u);
  // Kept in SQLite for her; a restart of sottod would not lose it either.
  ASSERT_EQ(storage_->mailbox().count(alice.id, 1).value_or(0), 1u);

  TestClient a = connect();
  login(a, alice);
  auto notice = a.next_request(wire::kOpMessageExpired);
  ASSERT_TRUE(notice);
  auto body = wire::parse_message_expired(notice->body);
  ASSERT_TRUE(body);
  EXPECT_EQ(body->destination, bob.id);
  a.ack(notice->id);
  EXPECT_TRUE(a.next_request(wire::kOpQueueEmpty));
  EXPECT_EQ(storage_->mailbox().count(alice.id, 1).value_or(9), 0u);
}

TEST_F(EndToEndTest, IdleUnauthenticatedConnectionIsClosedWith1008) {
  User alice = make_user("alice");
  register_user(alice);
  TestClient idle = connect();
  TestClient active = connect();
  login(active, alice);
  ASSERT_TRUE(idle.next_request(wire::kOpAuthChallenge));
  clock_.advance(30'000);
  EXPECT_EQ(service_->close_idle_logins(), 1u);
  EXPECT_EQ(idle.wait_closed(), 1008);
  EXPECT_EQ(active.call(wire::kOpKeysStatus).status, kStatusOk);
}

class EndToEndLimitsTest : public EndToEndTest {
 protected:
  ServiceOptions service_options() override {
    ServiceOptions options;
    options.connection_requests = {20, 1.0};  // the clock stands still: no refill
    return options;
  }
  transport::ServerOptions server_options() override {
    auto options = EndToEndTest::server_options();
    options.max_connections_per_ip = 3;
    return options;
  }
};

TEST_F(EndToEndLimitsTest, FloodFromOneConnectionIs429WhileAnotherIsServedPromptly) {
  User alice = make_user("alice");
  register_user(alice);
  TestClient bystander = connect();
  login(bystander, alice);
  TestClient flooder = connect();
  const Bytes lookup = wire::encode(wire::AccountLookup{"nobody"});
  constexpr std::size_t kFlood = 500;
  for (std::size_t i = 0; i < kFlood; ++i) flooder.send(wire::kOpAccountLookup, lookup);

  const auto before = std::chrono::steady_clock::now();
  EXPECT_EQ(bystander.call(wire::kOpKeysStatus).status, kStatusOk);
  EXPECT_LT(std::chrono::steady_clock::now() - before, 2s);

  auto answers = flooder.responses(kFlood, 20s);
  ASSERT_EQ(answers.size(), kFlood);  // every request answered, none dropped
  std::size_t limited = 0;
  for (const auto& r : answers) {
    if (r.status != kStatusTooManyRequests) {
      EXPECT_EQ(r.status, kStatusNotFound);
      continue;
    }
    ++limited;
    auto retry = wire::parse_retry_after(r.body);
    ASSERT_TRUE(retry);
    if (r.message == "request rate limit") {
      EXPECT_EQ(retry->retry_after_ms, 1'000u);
    }
  }
  EXPECT_GE(limited, kFlood - 20);  // only the burst got through
  EXPECT_EQ(bystander.call(wire::kOpKeysStatus).status, kStatusOk);
}

TEST_F(EndToEndLimitsTest, OverThePerIpCapConnectionsAreRefusedWhileOthersWork) {
  User alice = make_user("alice");
  register_user(alice);
  // The registering connection counts until the server has seen it close.
  for (int i = 0; i < 500 && server_->connection_count() != 0; ++i)
    std::this_thread::sleep_for(10ms);
  ASSERT_EQ(server_->connection_count(), 0u);
  TestClient a = connect("127.0.0.1");
  login(a, alice);
  TestClient b = connect("127.0.0.1");
  TestClient c = connect("127.0.0.1");
  for (int i = 0; i < 3; ++i) {
    auto refused = transport::WebSocketClient::connect(client_options("127.0.0.1"));
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, Errc::network_error);
  }
  EXPECT_EQ(a.call(wire::kOpKeysStatus).status, kStatusOk);
  TestClient elsewhere = connect("127.0.0.2");
  EXPECT_EQ(
      elsewhere.call(wire::kOpAccountLookup, wire::encode(wire::AccountLookup{"alice"})).status,
      kStatusOk);
}

}  // namespace
}  // namespace sotto::server
