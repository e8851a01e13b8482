// SPDX-License-Identifier: Apache-2.0
// The service's protections (docs/server-design.md "Limits"): rate limits
// answered 429 with retry_after_ms, the login deadline, durable expiry
// notices, and all-or-nothing key writes. Time is the fixture's ManualClock.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "service_fixture.hpp"

namespace sotto::server {
namespace {

using test::Client;
using test::ServiceTest;
using test::User;

// The retry_after_ms of a 429 answer (fails the test on anything else).
std::uint64_t retry_after(const wire::Response& response) {
  EXPECT_EQ(response.status, kStatusTooManyRequests) << response.message;
  auto body = wire::parse_retry_after(response.body);
  EXPECT_TRUE(body) << "a 429 without a RetryAfter body";
  return body ? body->retry_after_ms : 0;
}

const Bytes& lookup_nobody() {
  static const Bytes body = wire::encode(wire::AccountLookup{"nobody"});
  return body;
}

TEST_F(ServiceTest, RequestFloodFromOneConnectionIs429WhileOthersAreServed) {
  Client flooder = connect();
  Client other = connect();
  // The default: bursts of 200, then 100 per second. The clock stands still.
  int served = 0;
  std::vector<std::uint64_t> waits;
  for (int i = 0; i < 300; ++i) {
    auto response = call(flooder, wire::kOpAccountLookup, lookup_nobody());
    if (response.status == kStatusNotFound) {
      ++served;
    } else {
      waits.push_back(retry_after(response));
    }
  }
  EXPECT_EQ(served, 200);
  ASSERT_EQ(waits.size(), 100u);
  EXPECT_EQ(waits.front(), 10u);  // one request per 10 ms
  // Everybody else is unaffected.
  EXPECT_EQ(call(other, wire::kOpAccountLookup, lookup_nobody()).status, kStatusNotFound);
  EXPECT_FALSE(flooder.connection->closed());
  // Waiting as told is enough.
  clock_.advance(static_cast<std::int64_t>(waits.back()));
  EXPECT_EQ(call(flooder, wire::kOpAccountLookup, lookup_nobody()).status, kStatusNotFound);
  EXPECT_EQ(retry_after(call(flooder, wire::kOpAccountLookup, lookup_nobody())), 10u);
}

TEST_F(ServiceTest, UnansweredCap429CarriesAZeroRetryAfter) {
  Client client = connect();
  for (std::uint64_t id = 1; id <= 65; ++id) {
    service_->on_frame(client.connection,
                       wire::Request{id, wire::kOpAccountLookup, lookup_nobody()});
  }
  auto refused = client.connection->response(65);
  ASSERT_TRUE(refused);
  EXPECT_EQ(retry_after(*refused), 0u);  // "after an answer", not after a time
  executor_.run_all();
}

TEST_F(ServiceTest, KeysFetchBurstIs429ThenServedAfterRefill) {
  User alice = make_user("alice");
  register_user(alice, 0);  // no one-time keys: every fetch gets the last-resort key
  User bob = make_user("bob");
  register_user(bob, 0);
  User carol = make_user("carol");
  register_user(carol, 0);
  Client b = connect_as(bob);
  Client c = connect_as(carol);
  const Bytes fetch = wire::encode(wire::KeysFetch{alice.id, 0});
  for (int i = 0; i < 60; ++i) ASSERT_EQ(call(b, wire::kOpKeysFetch, fetch).status, kStatusOk) << i;
  EXPECT_EQ(retry_after(call(b, wire::kOpKeysFetch, fetch)), 1'000u);  // then 1 per second
  // The limit is per requesting account.
  EXPECT_EQ(call(c, wire::kOpKeysFetch, fetch).status, kStatusOk);
  // Other ops of the limited account go on.
  EXPECT_EQ(call(b, wire::kOpKeysStatus).status, kStatusOk);
  clock_.advance(999);
  EXPECT_EQ(retry_after(call(b, wire::kOpKeysFetch, fetch)), 1u);
  clock_.advance(1);
  EXPECT_EQ(call(b, wire::kOpKeysFetch, fetch).status, kStatusOk);
  EXPECT_EQ(retry_after(call(b, wire::kOpKeysFetch, fetch)), 1'000u);
  // The limit follows the account to a new connection.
  disconnect(b);
  Client b2 = connect_as(bob);
  EXPECT_EQ(retry_after(call(b2, wire::kOpKeysFetch, fetch)), 1'000u);
}

ServiceOptions three_sends() {
  ServiceOptions options;
  options.account_sends = {3, 1.0};
  return options;
}

class SendLimitTest : public ServiceTest {
 protected:
  SendLimitTest() : ServiceTest(three_sends()) {}
};

TEST_F(SendLimitTest, MessageSendIsLimitedPerAccountAcrossItsConnections) {
  User alice = make_user("alice");
  User bob = make_user("bob");
  User carol = make_user("carol");
  register_user(alice);
  register_user(bob);
  register_user(carol);
  storage::Device second;
  second.account = alice.id;
  second.id = 2;
  second.public_key.assign(alice.device_key.public_key.begin(), alice.device_key.public_key.end());
  second.registration_id = 222;
  ASSERT_TRUE(storage_->devices().add_device(second));

  Client a1 = connect_as(alice);
  Client a2 = connect();
  ASSERT_EQ(login(a2, alice, 2).status, kStatusOk);
  Client b = connect_as(bob);
  ASSERT_EQ(send_text(a1, carol, "1").status, kStatusOk);
  ASSERT_EQ(send_text(a2, carol, "2").status, kStatusOk);
  ASSERT_EQ(send_text(a1, carol, "3").status, kStatusOk);
  EXPECT_EQ(retry_after(send_text(a2, carol, "4")), 1'000u);
  EXPECT_EQ(retry_after(send_text(a1, carol, "5")), 1'000u);
  EXPECT_EQ(queued(carol), 3u);  // refused sends stored nothing
  EXPECT_EQ(send_text(b, carol, "from bob").status, kStatusOk);
  clock_.advance(1'000);
  EXPECT_EQ(send_text(a2, carol, "6").status, kStatusOk);
}

TEST_F(ServiceTest, ConnectionThatDoesNotLogInIsClosedWith1008) {
  User alice = make_user("alice");
  register_user(alice);
  Client idle = connect();
  Client quick = connect_as(alice);
  clock_.advance(29'999);
  EXPECT_EQ(service_->close_idle_logins(), 0u);
  EXPECT_FALSE(idle.connection->closed());
  clock_.advance(1);
  EXPECT_EQ(service_->close_idle_logins(), 1u);
  EXPECT_TRUE(idle.connection->closed());
  EXPECT_EQ(idle.connection->close_code(), 1008);
  EXPECT_FALSE(quick.connection->closed());  // logged in: no deadline
  service_->on_close(idle.connection);
  EXPECT_EQ(service_->close_idle_logins(), 0u);
}

TEST_F(ServiceTest, AccountCreateRestartsTheLoginDeadline) {
  User alice = make_user("alice");
  Client client = connect();
  clock_.advance(20'000);
  auto created = call(client, wire::kOpAccountCreate, wire::encode(create_body(alice, 0)));
  ASSERT_EQ(created.status, kStatusOk);
  alice.id = wire::parse_account_created(created.body)->account_id;
  clock_.advance(20'000);  // 40 s after the open, 20 s after the create
  EXPECT_EQ(service_->close_idle_logins(), 0u);
  clock_.advance(10'000);
  EXPECT_EQ(service_->close_idle_logins(), 1u);
  EXPECT_TRUE(client.connection->closed());

  // Logging in in time disarms it for good.
  Client other = connect();
  clock_.advance(25'000);
  ASSERT_EQ(login(other, alice).status, kStatusOk);
  clock_.advance(3'600'000);
  EXPECT_EQ(service_->close_idle_logins(), 0u);
  EXPECT_FALSE(other.connection->closed());
}

ServiceOptions no_login_timeout() {
  ServiceOptions options;
  options.login_timeout_ms = 0;
  return options;
}

class NoLoginTimeoutTest : public ServiceTest {
 protected:
  NoLoginTimeoutTest() : ServiceTest(no_login_timeout()) {}
};

TEST_F(NoLoginTimeoutTest, ZeroTurnsTheDeadlineOff) {
  Client idle = connect();
  clock_.advance(24 * 3'600'000);
  EXPECT_EQ(service_->close_idle_logins(), 0u);
  EXPECT_FALSE(idle.connection->closed());
}

TEST_F(ServiceTest, ExpiryNoticeWaitsForAnOfflineSender) {
  User alice = make_user("alice");
  User bob = make_user("bob");
  register_user(alice);
  register_user(bob);
  Client a = connect_as(alice);
  ASSERT_EQ(send_text(a, bob, "never read").status, kStatusOk);
  auto queued_for_bob = storage_->mailbox().fetch(bob.id, 1, 0, 10);
  ASSERT_TRUE(queued_for_bob && queued_for_bob->size() == 1);
  const storage::Guid guid = (*queued_for_bob)[0].guid;
  disconnect(a);

  clock_.advance(31 * storage::kDayMs);
  EXPECT_EQ(service_->expire_messages(100).value_or(99), 1u);
  executor_.run_all();
  EXPECT_EQ(queued(bob), 0u);
  EXPECT_EQ(queued(alice), 1u);  // the notice, durable in alice's own queue

  Client back = connect_as(alice);
  auto expired = back.connection->requests(wire::kOpMessageExpired);
  ASSERT_EQ(expired.size(), 1u);
  auto body = wire::parse_message_expired(expired[0].body);
  ASSERT_TRUE(body);
  EXPECT_EQ(body->guid, guid);
  EXPECT_EQ(body->destination, bob.id);
  EXPECT_EQ(body->destination_device, 1u);
  EXPECT_TRUE(back.connection->requests(wire::kOpMessageDeliver).empty());
  EXPECT_TRUE(back.connection->requests(wire::kOpQueueEmpty).empty());  // not before the ack

  answer(back, expired[0].id, 200);
  EXPECT_EQ(queued(alice), 0u);
  EXPECT_EQ(back.connection->requests(wire::kOpQueueEmpty).size(), 1u);
}

TEST_F(ServiceTest, UnreadExpiryNoticeExpiresSilently) {
  User alice = make_user("alice");
  User bob = make_user("bob");
  register_user(alice);
  register_user(bob);
  Client a = connect_as(alice);
  ASSERT_EQ(send_text(a, bob, "x").status, kStatusOk);
  disconnect(a);
  clock_.advance(31 * storage::kDayMs);
  ASSERT_EQ(service_->expire_messages(100).value_or(99), 1u);
  ASSERT_EQ(queued(alice), 1u);
  // Alice stays away for another TTL: her notice goes, and nobody is told.
  clock_.advance(31 * storage::kDayMs);
  EXPECT_EQ(service_->expire_messages(100).value_or(99), 1u);
  executor_.run_all();
  EXPECT_EQ(queued(alice), 0u);
  EXPECT_EQ(queued(bob), 0u);
}

TEST_F(ServiceTest, KeysUploadWithARepeatedIdStoresNothing) {
  User alice = make_user("alice");
  register_user(alice, 1);
  Client a = connect_as(alice);
  wire::KeysUpload upload;
  upload.signed_prekey = signed_key(alice, 2);
  upload.one_time_prekeys = {{10, Bytes(33, 10)}, {11, Bytes(33, 11)}};
  upload.kyber_prekeys = {signed_key(alice, 20, 1569), signed_key(alice, 20, 1569)};
  auto refused = call(a, wire::kOpKeysUpload, wire::encode(upload));
  EXPECT_EQ(refused.status, kStatusBadRequest) << refused.message;
  auto counts = wire::parse_key_counts(call(a, wire::kOpKeysStatus).body);
  ASSERT_TRUE(counts);
  EXPECT_EQ(counts->ec, 1u);
  EXPECT_EQ(counts->kyber, 0u);
  auto bundle = storage_->keys().take_bundle(alice.id, 1);
  ASSERT_TRUE(bundle);
  EXPECT_EQ(bundle->signed_prekey.id, 1u);  // the upload's signed prekey was not kept
}

TEST_F(ServiceTest, AccountCreateWithARepeatedKeyIdLeavesNoAccount) {
  User alice = make_user("alice");
  auto body = create_body(alice, 2);
  body.one_time_prekeys[1].id = body.one_time_prekeys[0].id;
  Client client = connect();
  EXPECT_EQ(call(client, wire::kOpAccountCreate, wire::encode(body)).status, kStatusBadRequest);
  EXPECT_FALSE(storage_->accounts().lookup_username("alice"));
  // The name is free: a correct create succeeds.
  EXPECT_EQ(call(client, wire::kOpAccountCreate, wire::encode(create_body(alice, 2))).status,
            kStatusOk);
}

}  // namespace
}  // namespace sotto::server
