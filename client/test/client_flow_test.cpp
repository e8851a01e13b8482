// SPDX-License-Identifier: Apache-2.0
// The client library against a real in-process sottod (TLS WebSockets, the
// service, an in-memory store): registration, a conversation with receipts,
// the outbox across a server outage, and prekey replenishment.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "sotto/client/client.hpp"
#include "sotto/protocol/prekeys.hpp"
#include "sotto/server/executor.hpp"
#include "sotto/server/service.hpp"
#include "sotto/storage/clock.hpp"
#include "sotto/storage/storage.hpp"
#include "sotto/transport/server.hpp"
#include "sotto/testing/temp_dir.hpp"

namespace sotto::client {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

using testing::TempDir;

// Collects what a client reports.
struct Events {
  std::vector<Event> all;
  EventSink sink() {
    return [this](const Event& e) { all.push_back(e); };
  }
  template <class T>
  std::vector<T> of() const {
    std::vector<T> out;
    for (const auto& e : all) {
      if (const auto* t = std::get_if<T>(&e)) out.push_back(*t);
    }
    return out;
  }
};

class ClientFlowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto identity = transport::load_or_create_server_identity(dir_.path() / "tls");
    ASSERT_TRUE(identity) << identity.error().message;
    identity_ = std::move(*identity);
    storage_ = storage::make_memory_storage();
    service_ = std::make_unique<server::Service>(*storage_, clock_, crypto::os_rng(), pool_,
                                                 identity_.pin_bytes);
    start_server(0);
  }

  void TearDown() override {
    if (server_) server_->stop();
    service_->wait_idle();
    pool_.shutdown();
  }

  void start_server(std::uint16_t port) {
    transport::ServerOptions options;
    options.io_threads = 1;
    options.port = port;
    auto server = transport::WebSocketServer::start(options, identity_, *service_);
    ASSERT_TRUE(server) << server.error().message;
    server_ = std::move(*server);
  }

  std::unique_ptr<Client> make_client(const std::string& name, std::uint32_t prekeys = 100) {
    ClientOptions options;
    options.prekey_batch = prekeys;
    options.network_timeout = 5s;
    auto c = Client::open((dir_.path() / (name + ".db")).string(), options);
    EXPECT_TRUE(c) << c.error().message;
    ServerEndpoint endpoint{"127.0.0.1", server_->port(), identity_.pin_bytes};
    auto registered = (*c)->register_account(endpoint, name);
    EXPECT_TRUE(registered) << registered.error().message;
    return std::move(*c);
  }

  TempDir dir_;
  transport::ServerIdentity identity_;
  storage::SystemClock clock_;
  server::ThreadPool pool_{2};
  std::unique_ptr<storage::Storage> storage_;
  std::unique_ptr<server::Service> service_;
  std::unique_ptr<transport::WebSocketServer> server_;
};

TEST_F(ClientFlowTest, ConversationWithDeliveryAndReadReceipts) {
  auto alice = make_client("alice");
  auto bob = make_client("bob");
  Events a, b;
  auto sent = alice->send_text("bob", "hello bob", a.sink());
  ASSERT_TRUE(sent) << sent.error().message;
  EXPECT_TRUE(sent->delivered_to_server);

  ASSERT_TRUE(bob->receive(5s, true, b.sink()));
  auto got = b.of<MessageReceived>();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].body, "hello bob");
  EXPECT_EQ(got[0].from.username, "alice");  // the claim, confirmed by lookup
  EXPECT_EQ(got[0].timestamp, sent->timestamp);

  auto marked = bob->mark_read({got[0].local_id});
  ASSERT_TRUE(marked);
  EXPECT_EQ(*marked, 1u);
  ASSERT_TRUE(bob->flush_outbox(b.sink()));

  ASSERT_TRUE(alice->receive(1s, false, a.sink()));  // connected since the send
  auto receipts = a.of<ReceiptReceived>();
  ASSERT_EQ(receipts.size(), 2u);
  EXPECT_EQ(receipts[0].type, ReceiptType::delivery);
  EXPECT_EQ(receipts[1].type, ReceiptType::read);
  EXPECT_EQ(receipts[1].timestamps, std::vector<std::uint64_t>{sent->timestamp});
  auto history = alice->history(std::string("bob"), 10);
  ASSERT_TRUE(history);
  ASSERT_EQ(history->size(), 1u);
  EXPECT_EQ((*history)[0].status, MessageStatus::read);

  // And back, on the established session.
  ASSERT_TRUE(bob->send_text("alice", "hi alice", b.sink()));
  ASSERT_TRUE(alice->receive(1s, false, a.sink()));
  ASSERT_EQ(a.of<MessageReceived>().size(), 1u);
  EXPECT_EQ(a.of<MessageReceived>()[0].body, "hi alice");
  // Receipts are never answered with receipts.
  EXPECT_TRUE(a.of<DecryptionFailed>().empty());
  EXPECT_TRUE(b.of<DecryptionFailed>().empty());
}

TEST_F(ClientFlowTest, OutboxKeepsMessagesWhileTheServerIsDown) {
  auto alice = make_client("alice");
  auto bob = make_client("bob");
  Events a, b;
  ASSERT_TRUE(alice->send_text("bob", "before", a.sink()));
  const auto port = server_->port();
  server_->stop();
  server_.reset();

  auto queued = alice->send_text("bob", "while down", a.sink());
  ASSERT_TRUE(queued) << queued.error().message;
  EXPECT_FALSE(queued->delivered_to_server);
  EXPECT_FALSE(queued->pending_reason.empty());

  start_server(port);
  auto remaining = alice->flush_outbox(a.sink());
  ASSERT_TRUE(remaining) << remaining.error().message;
  EXPECT_EQ(*remaining, 0u);

  ASSERT_TRUE(bob->receive(5s, true, b.sink()));
  auto got = b.of<MessageReceived>();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].body, "before");
  EXPECT_EQ(got[1].body, "while down");
}

TEST_F(ClientFlowTest, UnknownRecipientIsAClearError) {
  auto alice = make_client("alice");
  Events a;
  auto sent = alice->send_text("nobody", "hello?", a.sink());
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error().code, Errc::not_found);
  auto empty = alice->send_text("nobody", "", a.sink());
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, Errc::bad_request);
}

TEST_F(ClientFlowTest, UsernameTakenIsRefused) {
  auto alice = make_client("alice");
  auto c = Client::open((dir_.path() / "other.db").string());
  ASSERT_TRUE(c);
  ServerEndpoint endpoint{"127.0.0.1", server_->port(), identity_.pin_bytes};
  auto again = (*c)->register_account(endpoint, "ALICE");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Errc::already_exists);
  EXPECT_FALSE((*c)->registered());  // nothing half-made is kept
}

TEST_F(ClientFlowTest, WrongPinIsRefusedBeforeAnythingIsSent) {
  auto c = Client::open((dir_.path() / "mallory.db").string());
  ASSERT_TRUE(c);
  transport::CertificatePin wrong = identity_.pin_bytes;
  wrong[0] ^= 1;
  auto registered = (*c)->register_account({"127.0.0.1", server_->port(), wrong}, "mallory");
  ASSERT_FALSE(registered);
  EXPECT_EQ(registered.error().code, Errc::tls_pin_mismatch);
}

TEST_F(ClientFlowTest, PrekeysAreReplenishedWhenTheStockRunsLow) {
  auto bob = make_client("bob", 10);  // one fetch takes it below the threshold of 10
  auto alice = make_client("alice");
  Events a, b;
  ASSERT_TRUE(bob->connect());  // online, so the server can push keys.low
  ASSERT_TRUE(alice->send_text("bob", "takes a one-time prekey", a.sink()));
  // The message, then the keys.low push, arrive on the open connection.
  ASSERT_TRUE(bob->receive(1s, false, b.sink()));
  ASSERT_EQ(b.of<MessageReceived>().size(), 1u);
  auto counts = storage_->keys().count_prekeys(bob->account().account_id, 1);
  ASSERT_TRUE(counts);
  EXPECT_EQ(counts->ec, 9u + 10u);  // what was left, plus one new batch
}

// bob gets a second device behind alice's back (added in the store, as a
// linked device would be), re-registers it, then removes it: alice's sends
// are answered 409 (missing), 410 (stale) and 409 (extra), and her client
// corrects its sessions and retries each time without losing a message.
TEST_F(ClientFlowTest, SendsFollowTheRecipientsDeviceList) {
  auto alice = make_client("alice");
  auto bob = make_client("bob");
  Events a, b;
  auto add_bob_device = [&](std::uint32_t registration_id, std::uint32_t key_id) {
    const auto& account = bob->account();
    storage::Device device;
    device.account = account.account_id;
    device.id = 2;
    device.public_key = Bytes(32, 0x42);
    device.registration_id = registration_id;
    ASSERT_TRUE(storage_->devices().add_device(device));
    auto signed_prekey =
        protocol::generate_signed_prekey(key_id, account.identity, 0, crypto::os_rng());
    auto pub = signed_prekey.key_pair.public_key.serialize();
    storage::KeyUpload keys;
    keys.signed_prekey = storage::SignedPreKey{
        key_id, Bytes(pub.begin(), pub.end()),
        Bytes(signed_prekey.signature.begin(), signed_prekey.signature.end())};
    ASSERT_TRUE(storage_->keys().upload_keys(account.account_id, 2, keys));
  };
  auto send = [&](const std::string& text) {
    auto sent = alice->send_text("bob", text, a.sink());
    ASSERT_TRUE(sent) << sent.error().message;
    EXPECT_TRUE(sent->delivered_to_server) << text << ": " << sent->pending_reason;
  };

  send("one");
  add_bob_device(4242, 7);
  send("two");  // 409 missing device 2
  ASSERT_TRUE(storage_->devices().remove_device(bob->account().account_id, 2));
  add_bob_device(4343, 8);
  send("three");  // 410 stale device 2
  ASSERT_TRUE(storage_->devices().remove_device(bob->account().account_id, 2));
  send("four");  // 409 extra device 2

  ASSERT_TRUE(bob->receive(5s, true, b.sink()));
  std::vector<std::string> bodies;
  for (const auto& m : b.of<MessageReceived>()) bodies.push_back(m.body);
  EXPECT_EQ(bodies, (std::vector<std::string>{"one", "two", "three", "four"}));
  EXPECT_TRUE(a.of<SendFailed>().empty());
}

}  // namespace
}  // namespace sotto::client
