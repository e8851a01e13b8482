// SPDX-License-Identifier: Apache-2.0
// The whole server stack over real sockets: TLS 1.3 WebSockets, the SQLite
// store (completions on its writer thread) and a thread pool, driven by the
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

namespace sotto::server {
namespace {

using namespace std::chrono_literals;

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "sotto-server-XXXXXX");
    if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

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

 private:
  std::unique_ptr<transport::WebSocketClient> client_;
  std::vector<wire::Frame> pending_;
  std::uint64_t next_id_ = 1;
};

class EndToEndTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto identity = transport::load_or_create_server_identity(dir_.path() / "tls");
    ASSERT_TRUE(identity) << identity.error().message;
    identity_ = std::move(*identity);
    storage::sqlite::Options options;
    options.path = (dir_.path() / "sotto.db").string();
    auto store = storage::sqlite::SqliteStorage::open(options);
    ASSERT_TRUE(store) << store.error().message;
    storage_ = std::move(*store);
    service_ =
        std::make_unique<Service>(*storage_, clock_, crypto::os_rng(), pool_, identity_.pin_bytes);
    transport::ServerOptions server_options;
    server_options.io_threads = 1;
    auto server = transport::WebSocketServer::start(server_options, identity_, *service_);
    ASSERT_TRUE(server) << server.error().message;
    server_ = std::move(*server);
  }

  void TearDown() override {
    if (server_) server_->stop();
    if (service_) service_->wait_idle();
    pool_.shutdown();
  }

  TestClient connect() {
    transport::ClientOptions options;
    options.port = server_->port();
    options.pin = identity_.pin_bytes;
    auto client = transport::WebSocketClient::connect(options);
    EXPECT_TRUE(client) << client.error().message;
    return TestClient(std::move(*client));
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
    wire::MessageSend send;
    send.destination = to.id;
    send.timestamp = 1;
    send.envelopes.push_back({1, 7, 1, to_bytes(text)});
    return from.call(wire::kOpMessageSend, wire::encode(send));
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
  storage::SystemClock clock_;
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

}  // namespace
}  // namespace sotto::server
