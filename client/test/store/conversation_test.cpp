// SPDX-License-Identifier: Apache-2.0
// A real conversation between two parties whose whole state is in ClientStore
// files, closed and reopened mid-conversation.
#include "sotto/protocol/session_builder.hpp"
#include "store_fixture.hpp"

namespace sotto::client {
namespace {

using testing::decrypt_from;
using testing::encrypt_to;
using testing::StoreParty;
using testing::TempDir;

void expect_delivers(StoreParty& from, StoreParty& to, const std::string& text) {
  auto message = encrypt_to(from, to, text);
  auto plaintext = decrypt_from(to, from, message);
  ASSERT_TRUE(plaintext.has_value())
      << errc_name(plaintext.error().code) << ": " << plaintext.error().message;
  EXPECT_EQ(as_string(*plaintext), text);
}

class ClientStoreConversation : public ::testing::Test {
 protected:
  void start() {
    auto stores = alice.store->session_stores();
    ASSERT_TRUE(
        protocol::process_prekey_bundle(bob.address, bob.make_bundle(1, 100), stores, *alice.rng));
  }

  TempDir dir;
  StoreParty alice{dir, "alice", 1};
  StoreParty bob{dir, "bob", 2};
};

TEST_F(ClientStoreConversation, SurvivesReopeningBothDatabases) {
  start();
  auto first = encrypt_to(alice, bob, "hello");
  EXPECT_EQ(first.type, protocol::MessageType::prekey);
  auto held_back = encrypt_to(alice, bob, "arrives late");
  alice.reopen();
  bob.reopen();

  auto hello = decrypt_from(bob, alice, first);
  ASSERT_TRUE(hello.has_value()) << hello.error().message;
  EXPECT_EQ(as_string(*hello), "hello");
  // The one-time prekey is gone and Alice's identity is known, on disk.
  bob.reopen();
  EXPECT_EQ(bob.store->prekey_store().load_prekey(100).error().code, Errc::invalid_prekey_id);
  EXPECT_EQ(**bob.store->identity_store().get_identity(alice.address),
            alice.account.identity.public_key);
  EXPECT_EQ(*bob.store->session_devices(alice.account.account_id), std::vector<std::uint32_t>{1});

  expect_delivers(bob, alice, "hi alice");
  expect_delivers(alice, bob, "new chain");
  alice.reopen();
  bob.reopen();
  // A skipped message key kept across the reopen (within the protocol's
  // limit of five receiving chains) still decrypts it.
  auto late = decrypt_from(bob, alice, held_back);
  ASSERT_TRUE(late.has_value()) << late.error().message;
  EXPECT_EQ(as_string(*late), "arrives late");
  bob.reopen();
  auto again = decrypt_from(bob, alice, held_back);
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, Errc::duplicate_message);

  for (int round = 0; round < 12; ++round) {
    expect_delivers(alice, bob, "a" + std::to_string(round));
    if (round % 3 == 0) alice.reopen();
    expect_delivers(bob, alice, "b" + std::to_string(round));
    if (round % 4 == 1) bob.reopen();
  }
}

TEST_F(ClientStoreConversation, SessionHousekeeping) {
  start();
  ASSERT_TRUE(alice.store->session_store().store_session(
      protocol::ProtocolAddress{bob.address.name, 3}, protocol::SessionRecord{}));
  EXPECT_EQ(*alice.store->session_devices(bob.account.account_id),
            (std::vector<std::uint32_t>{1, 3}));
  ASSERT_TRUE(alice.store->delete_session(bob.account.account_id, 3));
  EXPECT_EQ(*alice.store->session_devices(bob.account.account_id), std::vector<std::uint32_t>{1});
  ASSERT_TRUE(alice.store->delete_session(bob.account.account_id, 3));  // gone already: fine
  ASSERT_TRUE(alice.store->delete_sessions(bob.account.account_id));
  EXPECT_TRUE(alice.store->session_devices(bob.account.account_id)->empty());
  auto stores = alice.store->session_stores();
  auto message = protocol::encrypt(bob.address, to_bytes("x"), stores, *alice.rng);
  ASSERT_FALSE(message.has_value());
  EXPECT_EQ(message.error().code, Errc::no_session);
}

TEST_F(ClientStoreConversation, PreKeyCountsAndLatestSignedPreKey) {
  EXPECT_EQ(*bob.store->prekey_count(), 0u);
  EXPECT_FALSE(bob.store->latest_signed_prekey_id()->has_value());
  bob.make_bundle(7, 100);
  bob.make_bundle(3, 101);  // ids wrap: the latest is the last stored, not the largest
  bob.make_bundle(5, std::nullopt);
  EXPECT_EQ(*bob.store->prekey_count(), 2u);
  EXPECT_EQ(**bob.store->latest_signed_prekey_id(), 5u);
  bob.make_bundle(7, std::nullopt);  // re-stored: latest again
  bob.reopen();
  EXPECT_EQ(**bob.store->latest_signed_prekey_id(), 7u);
  ASSERT_TRUE(bob.store->prekey_store().remove_prekey(100));
  EXPECT_EQ(*bob.store->prekey_count(), 1u);
}

}  // namespace
}  // namespace sotto::client
