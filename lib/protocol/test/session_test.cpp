// SPDX-License-Identifier: Apache-2.0
// 1:1 sessions between two of our own parties: setup, ratcheting, reordering,
// limits, simultaneous initiation and identity changes.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "sotto/protocol/session_builder.hpp"
#include "sotto/protocol/session_cipher.hpp"
#include "sotto/testing/test_party.hpp"

namespace sotto::protocol {
namespace {

using testing::TestParty;

Bytes text(const std::string& s) { return to_bytes(s); }

CiphertextMessage send(TestParty& from, TestParty& to, const std::string& plaintext) {
  auto stores = from.stores();
  auto message = encrypt(to.address, text(plaintext), stores, *from.rng);
  EXPECT_TRUE(message.has_value()) << (message ? "" : message.error().message);
  return message ? std::move(*message) : CiphertextMessage{};
}

Result<Bytes> receive(TestParty& to, TestParty& from, const CiphertextMessage& message) {
  auto stores = to.stores();
  if (message.type == MessageType::prekey) {
    return decrypt_prekey_message(from.address, message.serialized, stores, *to.rng);
  }
  return decrypt_signal_message(from.address, message.serialized, stores, *to.rng);
}

void expect_delivers(TestParty& from, TestParty& to, const std::string& plaintext) {
  auto message = send(from, to, plaintext);
  auto decrypted = receive(to, from, message);
  ASSERT_TRUE(decrypted.has_value()) << errc_name(decrypted.error().code) << ": "
                                     << decrypted.error().message;
  EXPECT_EQ(as_string(*decrypted), plaintext);
}

void start_session(TestParty& alice, TestParty& bob, bool one_time = true) {
  auto stores = alice.stores();
  auto bundle = bob.make_bundle(one_time);
  ASSERT_TRUE(process_prekey_bundle(bob.address, bundle, stores, *alice.rng).has_value());
}

class SessionTest : public ::testing::Test {
 protected:
  TestParty alice{"alice", 1, 1111};
  TestParty bob{"bob", 2, 2222};
};

TEST_F(SessionTest, FirstMessageIsPreKeyUntilReply) {
  start_session(alice, bob);
  auto first = send(alice, bob, "hello");
  EXPECT_EQ(first.type, MessageType::prekey);
  auto second = send(alice, bob, "again");
  EXPECT_EQ(second.type, MessageType::prekey);
  ASSERT_EQ(as_string(*receive(bob, alice, first)), "hello");
  ASSERT_EQ(as_string(*receive(bob, alice, second)), "again");
  auto reply = send(bob, alice, "hi");
  EXPECT_EQ(reply.type, MessageType::whisper);
  ASSERT_EQ(as_string(*receive(alice, bob, reply)), "hi");
  EXPECT_EQ(send(alice, bob, "now whisper").type, MessageType::whisper);
}

TEST_F(SessionTest, OneTimePrekeyIsConsumedOnlyOnSuccess) {
  start_session(alice, bob, true);
  auto first = send(alice, bob, "hello");
  ASSERT_TRUE(bob.prekeys.load_prekey(100).has_value());
  ASSERT_TRUE(receive(bob, alice, first).has_value());
  EXPECT_EQ(bob.prekeys.load_prekey(100).error().code, Errc::invalid_prekey_id);
}

TEST_F(SessionTest, WorksWithoutOneTimePrekey) {
  start_session(alice, bob, false);
  expect_delivers(alice, bob, "no one-time prekey");
  expect_delivers(bob, alice, "reply");
}

TEST_F(SessionTest, PingPongRatchetsManyTimes) {
  start_session(alice, bob);
  for (int i = 0; i < 50; ++i) {
    expect_delivers(alice, bob, "a" + std::to_string(i));
    expect_delivers(bob, alice, "b" + std::to_string(i));
  }
}

TEST_F(SessionTest, OutOfOrderWithinAndAcrossChains) {
  start_session(alice, bob);
  expect_delivers(alice, bob, "setup");
  expect_delivers(bob, alice, "setup reply");
  std::vector<std::pair<CiphertextMessage, std::string>> pending;
  for (int i = 0; i < 30; ++i) {
    auto body = "m" + std::to_string(i);
    pending.emplace_back(send(alice, bob, body), body);
    if (i == 10) {
      // A reply in the middle forces Alice onto a new sending chain.
      auto msg = pending.front();
      ASSERT_TRUE(receive(bob, alice, msg.first).has_value());
      pending.erase(pending.begin());
      expect_delivers(bob, alice, "ratchet");
    }
  }
  std::mt19937 shuffle_rng(7);
  std::shuffle(pending.begin(), pending.end(), shuffle_rng);
  for (auto& [message, body] : pending) {
    auto plaintext = receive(bob, alice, message);
    ASSERT_TRUE(plaintext.has_value()) << body << ": " << plaintext.error().message;
    EXPECT_EQ(as_string(*plaintext), body);
  }
}

TEST_F(SessionTest, DuplicateIsRejectedAndSessionContinues) {
  start_session(alice, bob);
  expect_delivers(alice, bob, "x");
  auto message = send(bob, alice, "once");
  ASSERT_TRUE(receive(alice, bob, message).has_value());
  auto again = receive(alice, bob, message);
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, Errc::duplicate_message);
  expect_delivers(bob, alice, "after duplicate");
  expect_delivers(alice, bob, "and back");
}

TEST_F(SessionTest, JumpOf2000IsAcceptedAndBeyondIsRefused) {
  start_session(alice, bob);
  expect_delivers(alice, bob, "x");
  expect_delivers(bob, alice, "y");
  std::vector<CiphertextMessage> skipped;
  for (int i = 0; i < 2001; ++i) skipped.push_back(send(alice, bob, "s" + std::to_string(i)));
  // Index 2000 of a fresh chain: 2000 keys skipped, the most libsignal-protocol-c allows.
  ASSERT_TRUE(receive(bob, alice, skipped.back()).has_value());
  EXPECT_EQ(as_string(*receive(bob, alice, skipped[17])), "s17");

  expect_delivers(bob, alice, "new chain for alice");
  std::vector<CiphertextMessage> far;
  for (int i = 0; i < 2002; ++i) far.push_back(send(alice, bob, "f" + std::to_string(i)));
  auto refused = receive(bob, alice, far.back());
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, Errc::too_far_in_future);
  EXPECT_EQ(as_string(*receive(bob, alice, far[5])), "f5");
}

TEST_F(SessionTest, SimultaneousInitiationConverges) {
  start_session(alice, bob);
  start_session(bob, alice);
  auto from_alice = send(alice, bob, "alice first");
  auto from_bob = send(bob, alice, "bob first");
  ASSERT_TRUE(receive(bob, alice, from_alice).has_value());
  ASSERT_TRUE(receive(alice, bob, from_bob).has_value());
  for (int i = 0; i < 5; ++i) {
    expect_delivers(alice, bob, "a" + std::to_string(i));
    expect_delivers(bob, alice, "b" + std::to_string(i));
  }
  EXPECT_EQ(send(alice, bob, "settled").type, MessageType::whisper);
}

TEST_F(SessionTest, ChangedIdentityIsUntrustedUntilAccepted) {
  start_session(alice, bob);
  expect_delivers(alice, bob, "before");
  expect_delivers(bob, alice, "before reply");

  TestParty bob2{"bob", 99, 3333};  // bob reinstalled: same address, new identity
  auto stores = alice.stores();
  auto bundle = bob2.make_bundle();
  auto refused = process_prekey_bundle(bob2.address, bundle, stores, *alice.rng);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, Errc::untrusted_identity);

  ASSERT_TRUE(alice.identity.save_identity(bob2.address, bundle.identity_key).has_value());
  ASSERT_TRUE(process_prekey_bundle(bob2.address, bundle, stores, *alice.rng).has_value());
  expect_delivers(alice, bob2, "after");
  expect_delivers(bob2, alice, "after reply");
}

TEST_F(SessionTest, ChangedIdentityInPreKeyMessageIsRefusedWithoutSideEffects) {
  start_session(alice, bob);
  expect_delivers(alice, bob, "before");
  TestParty bob2{"bob", 98, 3333};
  start_session(bob2, alice);
  auto message = send(bob2, alice, "from new install");
  auto refused = receive(alice, bob2, message);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, Errc::untrusted_identity);
  EXPECT_EQ((*alice.identity.get_identity(bob.address))->raw(),
            bob.identity.identity_key_pair().public_key.raw());
  ASSERT_TRUE(alice.identity.save_identity(bob2.address, bob2.identity.identity_key_pair().public_key)
                  .has_value());
  EXPECT_EQ(as_string(*receive(alice, bob2, message)), "from new install");
}

TEST_F(SessionTest, EncryptWithoutSessionFails) {
  auto stores = alice.stores();
  auto r = encrypt(bob.address, text("x"), stores, *alice.rng);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::no_session);
}

TEST_F(SessionTest, BadSignedPrekeySignatureIsRefused) {
  auto bundle = bob.make_bundle();
  bundle.signed_prekey_signature[5] ^= 1;
  auto stores = alice.stores();
  auto r = process_prekey_bundle(bob.address, bundle, stores, *alice.rng);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::invalid_signature);
  EXPECT_FALSE(alice.identity.get_identity(bob.address)->has_value());
}

TEST_F(SessionTest, DeterministicWithSameSeeds) {
  TestParty a1{"alice", 5}, b1{"bob", 6}, a2{"alice", 5}, b2{"bob", 6};
  start_session(a1, b1);
  start_session(a2, b2);
  EXPECT_EQ(send(a1, b1, "same").serialized, send(a2, b2, "same").serialized);
}

}  // namespace
}  // namespace sotto::protocol
