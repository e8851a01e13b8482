// SPDX-License-Identifier: Apache-2.0
// Service driven directly through fake connections over the in-memory store:
// no sockets, and a manual executor so every step is deterministic.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "service_fixture.hpp"

namespace sotto::server {
namespace {

using test::Client;
using test::seed_of;
using test::serialized;
using test::ServiceTest;
using test::User;

TEST_F(ServiceTest, ChallengeOnOpen) {
  Client client = connect();
  auto challenges = client.connection->requests(wire::kOpAuthChallenge);
  ASSERT_EQ(challenges.size(), 1u);
  EXPECT_TRUE(wire::parse_challenge(challenges[0].body));
}

TEST_F(ServiceTest, RegisterAndLookup) {
  User alice = make_user("Alice");
  register_user(alice);
  Client client = connect();
  auto found = call(client, wire::kOpAccountLookup, wire::encode(wire::AccountLookup{"aLiCe"}));
  ASSERT_EQ(found.status, kStatusOk);
  EXPECT_EQ(wire::parse_account_lookup_result(found.body)->account_id, alice.id);
  EXPECT_EQ(call(client, wire::kOpAccountLookup, wire::encode(wire::AccountLookup{"bob"})).status,
            kStatusNotFound);
}

TEST_F(ServiceTest, UsernameTakenAfterFolding) {
  User alice = make_user("alice");
  register_user(alice);
  User other = make_user("ALICE");
  Client client = connect();
  EXPECT_EQ(call(client, wire::kOpAccountCreate, wire::encode(create_body(other, 0))).status,
            kStatusConflict);
}

TEST_F(ServiceTest, UsernameRulesEnforced) {
  Client client = connect();
  for (const char* name : {"ab", "has space", "dash-name", "0123456789012345678901234567890123"}) {
    User user = make_user(name);
    EXPECT_EQ(call(client, wire::kOpAccountCreate, wire::encode(create_body(user, 0))).status,
              kStatusBadRequest)
        << name;
  }
}

TEST_F(ServiceTest, BadPrekeySignatureOnCreateIs422) {
  User alice = make_user("alice");
  auto body = create_body(alice, 1);
  body.signed_prekey.public_key[5] ^= 1;
  Client client = connect();
  EXPECT_EQ(call(client, wire::kOpAccountCreate, wire::encode(body)).status, kStatusUnprocessable);
  EXPECT_FALSE(storage_->accounts().lookup_username("alice"));
}

TEST_F(ServiceTest, MalformedBodyIs400) {
  Client client = connect();
  EXPECT_EQ(call(client, wire::kOpAccountCreate, Bytes{0xff, 0x01}).status, kStatusBadRequest);
  EXPECT_EQ(call(client, wire::kOpAuthLogin, Bytes{0x0a, 0x02, 0x01}).status, kStatusBadRequest);
}

TEST_F(ServiceTest, UnauthenticatedRequestsAre401) {
  User alice = make_user("alice");
  register_user(alice);
  Client client = connect();
  for (const char* op : {wire::kOpKeysStatus, wire::kOpKeysUpload, wire::kOpKeysFetch,
                         wire::kOpMessageSend, wire::kOpAccountDelete, "no.such.op"}) {
    EXPECT_EQ(call(client, op).status, kStatusUnauthorized) << op;
  }
  ASSERT_EQ(login(client, alice).status, kStatusOk);
  EXPECT_EQ(call(client, wire::kOpKeysStatus).status, kStatusOk);
  EXPECT_EQ(call(client, "no.such.op").status, kStatusNotFound);
}

TEST_F(ServiceTest, LoginWithBadSignatureRefused) {
  User alice = make_user("alice");
  register_user(alice);
  Client client = connect();
  const auto stranger = crypto::ed25519_generate(test_rng_);
  EXPECT_EQ(login(client, alice, 1, &stranger.seed).status, kStatusUnauthorized);
  // Refused logins get a fresh challenge; a wrong device id is refused alike.
  EXPECT_EQ(client.connection->requests(wire::kOpAuthChallenge).size(), 2u);
  EXPECT_EQ(login(client, alice, 2).status, kStatusUnauthorized);
  EXPECT_EQ(call(client, wire::kOpKeysStatus).status, kStatusUnauthorized);
  EXPECT_EQ(login(client, alice).status, kStatusOk);
  EXPECT_EQ(call(client, wire::kOpKeysStatus).status, kStatusOk);
}

TEST_F(ServiceTest, LoginBoundToCertificatePin) {
  User alice = make_user("alice");
  register_user(alice);
  Client client = connect();
  auto challenge =
      wire::parse_challenge(client.connection->requests(wire::kOpAuthChallenge)[0].body);
  ASSERT_TRUE(challenge);
  transport::CertificatePin other_pin = seed_of(0x11);
  wire::Login body{alice.id, 1,
                   crypto::ed25519_sign(alice.device_key.seed,
                                        wire::login_transcript(challenge->nonce, other_pin))};
  EXPECT_EQ(call(client, wire::kOpAuthLogin, wire::encode(body)).status, kStatusUnauthorized);
}

TEST_F(ServiceTest, OneTimeKeysHandedOutOnce) {
  User alice = make_user("alice");
  register_user(alice, 2);
  User bob = make_user("bob");
  register_user(bob, 0);
  Client b = connect_as(bob);

  std::vector<std::uint32_t> handed;
  for (int i = 0; i < 3; ++i) {
    auto r = call(b, wire::kOpKeysFetch, wire::encode(wire::KeysFetch{alice.id, 0}));
    ASSERT_EQ(r.status, kStatusOk);
    auto result = wire::parse_keys_fetch_result(r.body);
    ASSERT_TRUE(result) << result.error().message;
    ASSERT_EQ(result->devices.size(), 1u);
    EXPECT_EQ(result->identity_key, serialized(alice.identity.public_key));
    EXPECT_EQ(result->devices[0].registration_id, alice.registration_id);
    ASSERT_TRUE(result->devices[0].kyber_prekey);
    EXPECT_TRUE(result->devices[0].kyber_is_last_resort);
    if (result->devices[0].one_time_prekey)
      handed.push_back(result->devices[0].one_time_prekey->id);
  }
  EXPECT_EQ(handed, (std::vector<std::uint32_t>{1, 2}));
  EXPECT_EQ(call(b, wire::kOpKeysFetch, wire::encode(wire::KeysFetch{alice.id, 5})).status,
            kStatusNotFound);
  EXPECT_EQ(call(b, wire::kOpKeysFetch, wire::encode(wire::KeysFetch{bob.id, 0})).status,
            kStatusOk);
}

TEST_F(ServiceTest, KeysUploadAndStatus) {
  User alice = make_user("alice");
  register_user(alice, 1);
  Client a = connect_as(alice);
  auto status = wire::parse_key_counts(call(a, wire::kOpKeysStatus).body);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->ec, 1u);
  EXPECT_EQ(status->kyber, 0u);

  wire::KeysUpload upload;
  upload.signed_prekey = signed_key(alice, 2);
  upload.one_time_prekeys = {{10, Bytes(33, 10)}, {11, Bytes(33, 11)}};
  upload.kyber_prekeys = {signed_key(alice, 20, 1569)};
  ASSERT_EQ(call(a, wire::kOpKeysUpload, wire::encode(upload)).status, kStatusOk);
  status = wire::parse_key_counts(call(a, wire::kOpKeysStatus).body);
  EXPECT_EQ(status->ec, 3u);
  EXPECT_EQ(status->kyber, 1u);

  // One bad signature rejects the whole upload.
  wire::KeysUpload bad;
  bad.one_time_prekeys = {{30, Bytes(33, 30)}};
  bad.kyber_prekeys = {signed_key(alice, 31, 1569)};
  bad.kyber_prekeys[0].signature[0] ^= 1;
  EXPECT_EQ(call(a, wire::kOpKeysUpload, wire::encode(bad)).status, kStatusUnprocessable);
  status = wire::parse_key_counts(call(a, wire::kOpKeysStatus).body);
  EXPECT_EQ(status->ec, 3u);
  EXPECT_EQ(status->kyber, 1u);
}

TEST_F(ServiceTest, SendPushesToConnectedDeviceAndAckDeletes) {
  User alice = make_user("alice");
  User bob = make_user("bob");
  register_user(alice);
  register_user(bob);
  Client a = connect_as(alice);
  Client b = connect_as(bob);
  ASSERT_EQ(b.connection->requests(wire::kOpQueueEmpty).size(), 1u);  // nothing was queued

  ASSERT_EQ(send_text(a, bob, "hello").status, kStatusOk);
  auto delivered = b.connection->requests(wire::kOpMessageDeliver);
  ASSERT_EQ(delivered.size(), 1u);
  auto envelope = wire::parse_envelope(delivered[0].body);
  ASSERT_TRUE(envelope);
  EXPECT_EQ(envelope->source, alice.id);
  EXPECT_EQ(envelope->source_device, 1u);
  EXPECT_EQ(envelope->timestamp, 42u);
  EXPECT_EQ(envelope->server_timestamp, static_cast<std::uint64_t>(clock_.now_ms()));
  EXPECT_EQ(content_of(delivered[0]), "hello");
  EXPECT_EQ(queued(bob), 1u);

  answer(b, delivered[0].id, 200);
  EXPECT_EQ(queued(bob), 0u);
  EXPECT_EQ(b.connection->requests(wire::kOpMessageDeliver).size(), 1u);  // not sent again
}

TEST_F(ServiceTest, OfflineBacklogInOrderThenQueueEmpty) {
  User alice = make_user("alice");
  User bob = make_user("bob");
  register_user(alice);
  register_user(bob);
  Client a = connect_as(alice);
  for (const char* text : {"one", "two", "three"})
    ASSERT_EQ(send_text(a, bob, text).status, kStatusOk);
  EXPECT_EQ(queued(bob), 3u);

  Client b = connect_as(bob);
  auto delivered = b.connection->requests(wire::kOpMessageDeliver);
  ASSERT_EQ(delivered.size(), 3u);
  EXPECT_EQ(content_of(delivered[0]), "one");
  EXPECT_EQ(content_of(delivered[1]), "two");
  EXPECT_EQ(content_of(delivered[2]), "three");
  EXPECT_TRUE(b.connection->requests(wire::kOpQueueEmpty).empty());  // not before the acks

  answer(b, delivered[0].id, 200);
  answer(b, delivered[1].id, 200);
  EXPECT_TRUE(b.connection->requests(wire::kOpQueueEmpty).empty());
  answer(b, delivered[2].id, 200);
  EXPECT_EQ(b.connection->requests(wire::kOpQueueEmpty).size(), 1u);
  EXPECT_EQ(queued(bob), 0u);

  // Later traffic is live; queue.empty is not repeated.
  ASSERT_EQ(send_text(a, bob, "four").status, kStatusOk);
  EXPECT_EQ(b.connection->requests(wire::kOpMessageDeliver).size(), 4u);
  EXPECT_EQ(b.connection->requests(wire::kOpQueueEmpty).size(), 1u);
}

TEST_F(ServiceTest, UnackedMessageRedeliveredOnNextConnection) {
  User alice = make_user("alice");
  User bob = make_user("bob");
  register_user(alice);
  register_user(bob);
  Client a = connect_as(alice);
  ASSERT_EQ(send_text(a, bob, "keep me").status, kStatusOk);

  Client b1 = connect_as(bob);
  auto first = b1.connection->requests(wire::kOpMessageDeliver);
  ASSERT_EQ(first.size(), 1u);
  answer(b1, first[0].id, 500);  // not an ack
  EXPECT_EQ(queued(bob), 1u);
  disconnect(b1);

  Client b2 = connect_as(bob);
  auto second = b2.connection->requests(wire::kOpMessageDeliver);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(content_of(second[0]), "keep me");
}

TEST_F(ServiceTest, NewerConnectionReplacesOlder) {
  User bob = make_user("bob");
  register_user(bob);
  Client b1 = connect_as(bob);
  Client b2 = connect_as(bob);
  EXPECT_TRUE(b1.connection->closed());
  EXPECT_FALSE(b2.connection->closed());
  service_->on_close(b1.connection);  // the transport reports the close
  EXPECT_EQ(service_->online_devices(), 1u);
}

TEST_F(ServiceTest, MismatchedAndStaleDevices) {
  User alice = make_user("alice");
  User bob = make_user("bob");
  register_user(alice);
  register_user(bob);
  storage::Device second;
  second.account = bob.id;
  second.id = 2;
  second.public_key = Bytes(32, 7);
  second.registration_id = 222;
  ASSERT_TRUE(storage_->devices().add_device(second));
  Client a = connect_as(alice);

  auto missing = send_text(a, bob, "x");
  ASSERT_EQ(missing.status, kStatusConflict);
  auto body = wire::parse_mismatched_devices(missing.body);
  ASSERT_TRUE(body);
  EXPECT_EQ(body->missing, (std::vector<std::uint32_t>{2}));
  EXPECT_TRUE(body->extra.empty());

  wire::MessageSend send;
  send.destination = bob.id;
  send.timestamp = 1;
  send.envelopes = {{1, bob.registration_id, 1, to_bytes("a")},
                    {2, 222, 1, to_bytes("b")},
                    {3, 333, 1, to_bytes("c")}};
  auto extra = call(a, wire::kOpMessageSend, wire::encode(send));
  ASSERT_EQ(extra.status, kStatusConflict);
  body = wire::parse_mismatched_devices(extra.body);
  EXPECT_EQ(body->extra, (std::vector<std::uint32_t>{3}));
  EXPECT_TRUE(body->missing.empty());

  send.envelopes = {{1, bob.registration_id, 1, to_bytes("a")}, {2, 999, 1, to_bytes("b")}};
  auto stale = call(a, wire::kOpMessageSend, wire::encode(send));
  ASSERT_EQ(stale.status, kStatusGone);
  body = wire::parse_mismatched_devices(stale.body);
  EXPECT_EQ(body->stale, (std::vector<std::uint32_t>{2}));

  send.envelopes = {{1, bob.registration_id, 1, to_bytes("a")}, {1, bob.registration_id, 1, {}}};
  EXPECT_EQ(call(a, wire::kOpMessageSend, wire::encode(send)).status, kStatusBadRequest);

  send.envelopes = {{1, bob.registration_id, 1, to_bytes("a")}, {2, 222, 1, to_bytes("b")}};
  EXPECT_EQ(call(a, wire::kOpMessageSend, wire::encode(send)).status, kStatusOk);
  EXPECT_EQ(queued(bob, 1), 1u);
  EXPECT_EQ(queued(bob, 2), 1u);
  EXPECT_EQ(send_text(a, make_user("nobody"), "x").status, kStatusNotFound);
}

TEST_F(ServiceTest, SyncToOwnAccountExcludesSender) {
  User alice = make_user("alice");
  register_user(alice);
  storage::Device second;
  second.account = alice.id;
  second.id = 2;
  second.public_key = Bytes(32, 7);
  second.registration_id = 222;
  ASSERT_TRUE(storage_->devices().add_device(second));
  Client a = connect_as(alice);
  EXPECT_EQ(send_text(a, alice, "sync", 2, 222).status, kStatusOk);
  auto to_self = send_text(a, alice, "self", 1);
  ASSERT_EQ(to_self.status, kStatusConflict);
  EXPECT_EQ(wire::parse_mismatched_devices(to_self.body)->extra, (std::vector<std::uint32_t>{1}));
}

TEST_F(ServiceTest, OversizedContentIs413) {
  User alice = make_user("alice");
  User bob = make_user("bob");
  register_user(alice);
  register_user(bob);
  Client a = connect_as(alice);
  EXPECT_EQ(send_text(a, bob, std::string(96 * 1024 + 1, 'x')).status, kStatusTooLarge);
  EXPECT_EQ(queued(bob), 0u);
}

TEST_F(ServiceTest, AccountDeleteCascades) {
  User alice = make_user("alice");
  User bob = make_user("bob");
  register_user(alice);
  register_user(bob);
  Client a = connect_as(alice);
  ASSERT_EQ(send_text(a, bob, "pending").status, kStatusOk);
  Client b = connect_as(bob);
  Client b_other = connect();  // an unauthenticated socket stays open

  ASSERT_EQ(call(b, wire::kOpAccountDelete).status, kStatusOk);
  EXPECT_EQ(call(b, wire::kOpKeysStatus).status, kStatusUnauthorized);
  EXPECT_FALSE(b_other.connection->closed());
  EXPECT_EQ(storage_->accounts().get_account(bob.id).error().code, Errc::not_found);
  EXPECT_EQ(storage_->devices().list_devices(bob.id).error().code, Errc::not_found);
  EXPECT_FALSE(storage_->mailbox().count(bob.id, 1));
  EXPECT_EQ(call(a, wire::kOpKeysFetch, wire::encode(wire::KeysFetch{bob.id, 0})).status,
            kStatusNotFound);
  EXPECT_EQ(call(a, wire::kOpAccountLookup, wire::encode(wire::AccountLookup{"bob"})).status,
            kStatusNotFound);
  // The name is free again.
  User bob2 = make_user("bob");
  register_user(bob2);
  EXPECT_NE(bob2.id, bob.id);
}

class WindowTest : public ServiceTest {
 protected:
  WindowTest() : ServiceTest(ServiceOptions{2, 30 * storage::kDayMs, 96 * 1024}) {}

  // Acks `count` deliveries one at a time, checking they hold "0", "1", ...
  // in order; each ack may let the next one out. Ends with exactly `count`.
  void ack_in_order(Client& b, std::size_t count) {
    for (std::size_t acked = 0; acked < count; ++acked) {
      const auto delivered = b.connection->requests(wire::kOpMessageDeliver);
      ASSERT_GT(delivered.size(), acked);
      EXPECT_EQ(content_of(delivered[acked]), std::to_string(acked));
      answer(b, delivered[acked].id, 200);
    }
    EXPECT_EQ(b.connection->requests(wire::kOpMessageDeliver).size(), count);
  }
};

TEST_F(WindowTest, AtMostWindowInFlight) {
  User alice = make_user("alice");
  User bob = make_user("bob");
  register_user(alice);
  register_user(bob);
  Client a = connect_as(alice);
  for (int i = 0; i < 5; ++i) ASSERT_EQ(send_text(a, bob, std::to_string(i)).status, kStatusOk);
  Client b = connect_as(bob);
  ASSERT_EQ(b.connection->requests(wire::kOpMessageDeliver).size(), 2u);
  ack_in_order(b, 5);
  EXPECT_EQ(b.connection->requests(wire::kOpQueueEmpty).size(), 1u);
  EXPECT_EQ(queued(bob), 0u);
}

// Online and caught up, new envelopes go out straight from the commit
// (deliver_new); once the window is full they wait in the store, and the pump
// sends them in order after acks, each once; then the fast path resumes.
TEST_F(WindowTest, OnlineSendsBeyondTheWindowWaitThenFollowInOrder) {
  User alice = make_user("alice");
  User bob = make_user("bob");
  register_user(alice);
  register_user(bob);
  Client a = connect_as(alice);
  Client b = connect_as(bob);
  ASSERT_EQ(b.connection->requests(wire::kOpQueueEmpty).size(), 1u);
  for (int i = 0; i < 5; ++i) ASSERT_EQ(send_text(a, bob, std::to_string(i)).status, kStatusOk);
  ASSERT_EQ(b.connection->requests(wire::kOpMessageDeliver).size(), 2u);  // the window
  EXPECT_EQ(queued(bob), 5u);
  ack_in_order(b, 5);
  EXPECT_EQ(queued(bob), 0u);
  ASSERT_EQ(send_text(a, bob, "after").status, kStatusOk);
  auto delivered = b.connection->requests(wire::kOpMessageDeliver);
  ASSERT_EQ(delivered.size(), 6u);
  EXPECT_EQ(content_of(delivered[5]), "after");
  EXPECT_EQ(b.connection->requests(wire::kOpQueueEmpty).size(), 1u);
}

TEST_F(ServiceTest, KeysLowPushedToOnlineOwner) {
  User alice = make_user("alice");
  register_user(alice, 2);
  User bob = make_user("bob");
  register_user(bob, 0);
  Client a = connect_as(alice);
  Client b = connect_as(bob);
  ASSERT_EQ(call(b, wire::kOpKeysFetch, wire::encode(wire::KeysFetch{alice.id, 1})).status,
            kStatusOk);
  auto low = a.connection->requests("keys.low");
  ASSERT_EQ(low.size(), 1u);
  auto counts = wire::parse_key_counts(low[0].body);
  ASSERT_TRUE(counts);
  EXPECT_EQ(counts->ec, 1u);
}

TEST_F(ServiceTest, ExpiredMessagesDeletedAndSenderTold) {
  User alice = make_user("alice");
  User bob = make_user("bob");
  register_user(alice);
  register_user(bob);
  Client a = connect_as(alice);
  ASSERT_EQ(send_text(a, bob, "too late").status, kStatusOk);
  clock_.advance(29 * storage::kDayMs);
  EXPECT_EQ(service_->expire_messages(100).value_or(99), 0u);
  clock_.advance(2 * storage::kDayMs);
  EXPECT_EQ(service_->expire_messages(100).value_or(99), 1u);
  EXPECT_EQ(queued(bob), 0u);
  executor_.run_all();  // the online sender's notice goes out through its delivery pump
  auto expired = a.connection->requests(wire::kOpMessageExpired);
  ASSERT_EQ(expired.size(), 1u);
  auto body = wire::parse_message_expired(expired[0].body);
  ASSERT_TRUE(body);
  EXPECT_EQ(body->destination, bob.id);
  EXPECT_EQ(body->destination_device, 1u);
  // The notice waits in alice's queue until she acks it, like any envelope.
  EXPECT_EQ(queued(alice), 1u);
  answer(a, expired[0].id, 200);
  EXPECT_EQ(queued(alice), 0u);
}

TEST_F(ServiceTest, TooManyUnansweredRequestsAre429) {
  Client client = connect();
  for (std::uint64_t id = 1; id <= 65; ++id) {
    service_->on_frame(
        client.connection,
        wire::Request{id, wire::kOpAccountLookup, wire::encode(wire::AccountLookup{"nobody"})});
  }
  auto refused = client.connection->response(65);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 429u);
  executor_.run_all();
  EXPECT_EQ(client.connection->response(64)->status, kStatusNotFound);
  // Once answered, requests are accepted again.
  EXPECT_EQ(
      call(client, wire::kOpAccountLookup, wire::encode(wire::AccountLookup{"nobody"})).status,
      kStatusNotFound);
}

}  // namespace
}  // namespace sotto::server
