// SPDX-License-Identifier: Apache-2.0
// Records survive a round trip through their serialized form well enough to
// carry on the conversation, and malformed records are refused.
#include "sotto/protocol/records.hpp"

#include <gtest/gtest.h>

#include "sotto/protocol/group_cipher.hpp"
#include "sotto/protocol/session_builder.hpp"
#include "sotto/protocol/session_cipher.hpp"
#include "sotto/testing/test_party.hpp"

namespace sotto::protocol {
namespace {

using testing::TestParty;

Result<Bytes> deliver(TestParty& to, TestParty& from, const CiphertextMessage& m) {
  auto stores = to.stores();
  return m.type == MessageType::prekey
             ? decrypt_prekey_message(from.address, m.serialized, stores, *to.rng)
             : decrypt_signal_message(from.address, m.serialized, stores, *to.rng);
}

CiphertextMessage send(TestParty& from, TestParty& to, const char* text) {
  auto stores = from.stores();
  return *encrypt(to.address, to_bytes(text), stores, *from.rng);
}

// Replaces a party's stored session with its serialized-and-parsed twin.
void reload_session(TestParty& party, const ProtocolAddress& peer) {
  auto record = **party.sessions.load_session(peer);
  auto bytes = serialize_record(record);
  auto parsed = parse_session_record(bytes.expose());
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
  EXPECT_EQ(serialize_record(*parsed).expose().size(), bytes.size());
  ASSERT_TRUE(party.sessions.store_session(peer, std::move(*parsed)));
}

TEST(Records, SessionRoundTripKeepsTheConversationGoing) {
  TestParty alice{"alice", 31}, bob{"bob", 32};
  auto stores = alice.stores();
  ASSERT_TRUE(process_prekey_bundle(bob.address, bob.make_bundle(), stores, *alice.rng));
  auto first = send(alice, bob, "one");
  auto skipped = send(alice, bob, "two");  // delivered only after the reloads
  ASSERT_TRUE(deliver(bob, alice, first));
  ASSERT_TRUE(deliver(alice, bob, send(bob, alice, "reply")));
  // A second session state gets archived: the record then has both parts.
  ASSERT_TRUE(process_prekey_bundle(bob.address, bob.make_bundle(false, 2), stores, *alice.rng));
  ASSERT_EQ((**alice.sessions.load_session(bob.address)).archived().size(), 1u);
  reload_session(alice, bob.address);
  reload_session(bob, alice.address);
  EXPECT_EQ(as_string(*deliver(bob, alice, skipped)), "two");
  EXPECT_EQ(as_string(*deliver(bob, alice, send(alice, bob, "after reload"))), "after reload");
  EXPECT_EQ(as_string(*deliver(alice, bob, send(bob, alice, "and back"))), "and back");
}

TEST(Records, SenderKeyPrekeyAndIdentityRoundTrip) {
  TestParty alice{"alice", 33}, bob{"bob", 34};
  DistributionId id{};
  auto skdm = *create_sender_key_distribution(alice.address, id, alice.sender_keys, *alice.rng);
  ASSERT_TRUE(process_sender_key_distribution(alice.address, id, skdm, bob.sender_keys));
  for (TestParty* p : {&alice, &bob}) {
    auto record = **p->sender_keys.load_sender_key(alice.address, id);
    auto parsed = parse_sender_key_record(serialize_record(record).expose());
    ASSERT_TRUE(parsed.has_value());
    ASSERT_TRUE(p->sender_keys.store_sender_key(alice.address, id, std::move(*parsed)));
  }
  auto m = *group_encrypt(alice.address, id, to_bytes("group"), alice.sender_keys, *alice.rng);
  EXPECT_EQ(as_string(*group_decrypt(alice.address, id, m, bob.sender_keys)), "group");

  auto bundle = bob.make_bundle(true, 5, 50);
  auto prekey = *bob.prekeys.load_prekey(50);
  auto parsed_prekey = *parse_prekey_record(serialize_record(prekey).expose());
  EXPECT_EQ(parsed_prekey.id, 50u);
  EXPECT_EQ(parsed_prekey.key_pair.public_key, *bundle.prekey);
  auto signed_prekey = *bob.signed_prekeys.load_signed_prekey(5);
  auto parsed_signed = *parse_signed_prekey_record(serialize_record(signed_prekey).expose());
  EXPECT_EQ(parsed_signed.key_pair.public_key, bundle.signed_prekey);
  EXPECT_EQ(parsed_signed.signature, signed_prekey.signature);
  const auto& identity = bob.identity.identity_key_pair();
  EXPECT_EQ(parse_identity(serialize_identity(identity).expose())->public_key, identity.public_key);
}

TEST(Records, MalformedRecordsAreRefused) {
  TestParty alice{"alice", 35}, bob{"bob", 36};
  auto stores = alice.stores();
  ASSERT_TRUE(process_prekey_bundle(bob.address, bob.make_bundle(), stores, *alice.rng));
  auto bytes = serialize_record(**alice.sessions.load_session(bob.address));
  auto all = bytes.expose();
  for (std::size_t len = 0; len < all.size(); ++len) {
    auto parsed = parse_session_record(all.first(len));
    if (!parsed) {
      EXPECT_EQ(parsed.error().code, Errc::invalid_message) << len;
    }
  }
  EXPECT_FALSE(parse_session_record(Bytes{0xff, 0xff, 0xff}).has_value());
  EXPECT_FALSE(parse_identity(Bytes{0x12, 0x01, 0x00}).has_value());  // 1-byte private key
}

}  // namespace
}  // namespace sotto::protocol
