// SPDX-License-Identifier: Apache-2.0
#include "sotto/wire/service.hpp"

#include <gtest/gtest.h>

namespace sotto::wire {
namespace {

SignedKey signed_key(std::uint32_t id, std::size_t key_size = kServicePublicKeySize) {
  return SignedKey{id, Bytes(key_size, static_cast<std::uint8_t>(id)), Bytes(64, 0xAB)};
}

TEST(ServiceBodies, LoginRoundTripAndLengths) {
  Login login;
  login.account_id.fill(3);
  login.device_id = 2;
  login.signature.fill(9);
  auto parsed = parse_login(encode(login));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->account_id, login.account_id);
  EXPECT_EQ(parsed->device_id, 2u);
  EXPECT_EQ(parsed->signature, login.signature);

  Bytes truncated = encode(login);
  truncated.pop_back();
  EXPECT_FALSE(parse_login(truncated));
  EXPECT_FALSE(parse_login(Bytes{0xff, 0xff, 0xff}));
  EXPECT_EQ(parse_login(Bytes{}).error().code, Errc::invalid_message);
}

TEST(ServiceBodies, AccountCreateRoundTrip) {
  AccountCreate create;
  create.username = "Alice_1";
  create.device_key.fill(1);
  create.identity_key = Bytes(33, 5);
  create.registration_id = 1234;
  create.signed_prekey = signed_key(7);
  create.one_time_prekeys = {{1, Bytes(33, 1)}, {2, Bytes(33, 2)}};
  create.kyber_prekeys = {signed_key(10, 1569)};
  create.kyber_last_resort = signed_key(11, 1569);
  auto parsed = parse_account_create(encode(create));
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->username, "Alice_1");
  EXPECT_EQ(parsed->identity_key, create.identity_key);
  EXPECT_EQ(parsed->signed_prekey.public_key, create.signed_prekey.public_key);
  ASSERT_EQ(parsed->one_time_prekeys.size(), 2u);
  EXPECT_EQ(parsed->one_time_prekeys[1].id, 2u);
  ASSERT_EQ(parsed->kyber_prekeys.size(), 1u);
  ASSERT_TRUE(parsed->kyber_last_resort);
  EXPECT_EQ(parsed->kyber_last_resort->id, 11u);

  AccountCreate bad = create;
  bad.identity_key.pop_back();
  EXPECT_FALSE(parse_account_create(encode(bad)));
  bad = create;
  bad.signed_prekey.signature.pop_back();
  EXPECT_FALSE(parse_account_create(encode(bad)));
  bad = create;
  bad.one_time_prekeys.assign(kMaxPreKeysPerUpload + 1, {1, Bytes(33, 1)});
  EXPECT_FALSE(parse_account_create(encode(bad)));
}

TEST(ServiceBodies, MessageSendAndEnvelopeRoundTrip) {
  MessageSend send;
  send.destination.fill(4);
  send.timestamp = 99;
  send.envelopes = {{1, 11, 3, to_bytes("c1")}, {2, 22, 1, to_bytes("c2")}};
  auto parsed = parse_message_send(encode(send));
  ASSERT_TRUE(parsed);
  ASSERT_EQ(parsed->envelopes.size(), 2u);
  EXPECT_EQ(parsed->envelopes[1].registration_id, 22u);
  EXPECT_EQ(parsed->envelopes[1].content, to_bytes("c2"));

  Envelope envelope;
  envelope.guid.fill(1);
  envelope.source.fill(2);
  envelope.source_device = 3;
  envelope.timestamp = 4;
  envelope.server_timestamp = 5;
  envelope.type = 1;
  envelope.content = to_bytes("ciphertext");
  auto e = parse_envelope(encode(envelope));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->guid, envelope.guid);
  EXPECT_EQ(e->content, envelope.content);

  MismatchedDevices mismatch{{1, 2}, {3}, {}};
  auto m = parse_mismatched_devices(encode(mismatch));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->missing, mismatch.missing);
  EXPECT_EQ(m->extra, mismatch.extra);
}

TEST(ServiceBodies, KeysFetchResultRoundTrip) {
  KeysFetchResult result;
  result.identity_key = Bytes(33, 5);
  DeviceBundle bundle;
  bundle.device_id = 1;
  bundle.registration_id = 77;
  bundle.signed_prekey = signed_key(3);
  bundle.one_time_prekey = OneTimeKey{4, Bytes(33, 4)};
  result.devices.push_back(bundle);
  auto parsed = parse_keys_fetch_result(encode(result));
  ASSERT_TRUE(parsed);
  ASSERT_EQ(parsed->devices.size(), 1u);
  EXPECT_EQ(parsed->devices[0].registration_id, 77u);
  ASSERT_TRUE(parsed->devices[0].one_time_prekey);
  EXPECT_FALSE(parsed->devices[0].kyber_prekey);
}

TEST(ServiceBodies, MessageExpiredRoundTrip) {
  MessageExpired expired;
  expired.guid.fill(1);
  expired.destination.fill(2);
  expired.destination_device = 3;
  auto parsed = parse_message_expired(encode(expired));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->guid, expired.guid);
  EXPECT_EQ(parsed->destination_device, 3u);
  EXPECT_FALSE(parse_message_expired(encode(Challenge{})));
}

TEST(ServiceBodies, RetryAfterRoundTrip) {
  auto parsed = parse_retry_after(encode(RetryAfter{1500}));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(*parsed, RetryAfter{1500});
  EXPECT_EQ(parse_retry_after(encode(RetryAfter{0}))->retry_after_ms, 0u);
  EXPECT_EQ(parse_retry_after({}).error().code, Errc::invalid_message);  // the field is required
}

TEST(ServiceBodies, OversizedInputRejected) {
  EXPECT_EQ(parse_message_send(Bytes(300 * 1024, 0)).error().code, Errc::invalid_message);
}

}  // namespace
}  // namespace sotto::wire
