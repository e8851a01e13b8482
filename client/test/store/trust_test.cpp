// SPDX-License-Identifier: Apache-2.0
// The client's identity trust policy (store.hpp), directly and through the
// protocol: receiving always trusts; sending refuses only a changed key of a
// verified peer.
#include "sotto/crypto/ct.hpp"
#include "sotto/protocol/records.hpp"
#include "sotto/protocol/session_builder.hpp"
#include "sotto/testing/test_party.hpp"
#include "store_fixture.hpp"

namespace sotto::client {
namespace {

using protocol::Direction;
using testing::TempDir;

class ClientStoreTrust : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store->save_account(testing::make_account("alice", 1, *rng)));
    ASSERT_TRUE(store->save_contact("bob", bob));
  }

  Contact contact() { return **store->find_contact(bob); }
  protocol::IdentityKeyStore& ids() { return store->identity_store(); }

  TempDir dir;
  std::unique_ptr<crypto::DeterministicRng> rng = sotto::testing::seeded_rng(31);
  std::unique_ptr<ClientStore> store = testing::open_store(dir.file("client.db"));
  AccountId bob = testing::account_id(2);
  protocol::ProtocolAddress bob1{address_name(bob), 1};
  protocol::PublicKey old_key = protocol::KeyPair::generate(*rng).public_key;
  protocol::PublicKey new_key = protocol::KeyPair::generate(*rng).public_key;
};

TEST_F(ClientStoreTrust, UnknownKeyIsTrustedBothWaysAndNotStored) {
  EXPECT_TRUE(*ids().is_trusted_identity(bob1, old_key, Direction::sending));
  EXPECT_TRUE(*ids().is_trusted_identity(bob1, old_key, Direction::receiving));
  EXPECT_FALSE(contact().identity.has_value());
}

TEST_F(ClientStoreTrust, FirstKeyIsNeitherChangedNorVerified) {
  EXPECT_FALSE(*ids().save_identity(bob1, old_key));
  auto c = contact();
  ASSERT_TRUE(c.identity.has_value());
  EXPECT_EQ(*c.identity, old_key);
  EXPECT_FALSE(c.identity_changed);
  EXPECT_FALSE(c.verified);
  EXPECT_TRUE(*ids().is_trusted_identity(bob1, old_key, Direction::sending));
}

TEST_F(ClientStoreTrust, IdentityIsPerAccountNotPerDevice) {
  ASSERT_FALSE(*ids().save_identity(bob1, old_key));
  protocol::ProtocolAddress bob7{bob1.name, 7};
  EXPECT_EQ(**ids().get_identity(bob7), old_key);
  EXPECT_FALSE(*ids().save_identity(bob7, old_key));
}

TEST_F(ClientStoreTrust, ChangedKeyOfUnverifiedPeerIsTrustedForSendingAndFlagged) {
  ASSERT_FALSE(*ids().save_identity(bob1, old_key));
  EXPECT_TRUE(*ids().is_trusted_identity(bob1, new_key, Direction::sending));
  EXPECT_FALSE(contact().identity_changed);  // asking alone changes nothing
  EXPECT_TRUE(*ids().save_identity(bob1, new_key));
  auto c = contact();
  EXPECT_EQ(*c.identity, new_key);
  EXPECT_TRUE(c.identity_changed);
  EXPECT_FALSE(c.verified);
}

TEST_F(ClientStoreTrust, ChangedKeyOfVerifiedPeerIsNotTrustedForSending) {
  ASSERT_FALSE(*ids().save_identity(bob1, old_key));
  ASSERT_TRUE(store->mark_verified(bob, old_key));
  EXPECT_TRUE(contact().verified);
  EXPECT_TRUE(*ids().is_trusted_identity(bob1, old_key, Direction::sending));
  EXPECT_FALSE(*ids().is_trusted_identity(bob1, new_key, Direction::sending));
  EXPECT_EQ(**ids().get_identity(bob1), old_key);
}

TEST_F(ClientStoreTrust, ReceivingTrustsAChangedKeyAndClearsVerified) {
  ASSERT_FALSE(*ids().save_identity(bob1, old_key));
  ASSERT_TRUE(store->mark_verified(bob, old_key));
  EXPECT_TRUE(*ids().is_trusted_identity(bob1, new_key, Direction::receiving));
  EXPECT_TRUE(*ids().save_identity(bob1, new_key));
  auto c = contact();
  EXPECT_EQ(*c.identity, new_key);
  EXPECT_TRUE(c.identity_changed);
  EXPECT_FALSE(c.verified);
  // No longer verified: sending to the new key (or even another) is allowed.
  EXPECT_TRUE(*ids().is_trusted_identity(bob1, new_key, Direction::sending));
}

TEST_F(ClientStoreTrust, MarkVerifiedNeedsTheStoredKey) {
  EXPECT_EQ(store->mark_verified(bob, old_key).error().code, Errc::not_found);
  ASSERT_FALSE(*ids().save_identity(bob1, old_key));
  ASSERT_TRUE(*ids().save_identity(bob1, new_key));
  EXPECT_EQ(store->mark_verified(bob, old_key).error().code, Errc::not_found);
  EXPECT_FALSE(contact().verified);
  ASSERT_TRUE(store->mark_verified(bob, new_key));
  auto c = contact();
  EXPECT_TRUE(c.verified);
  EXPECT_FALSE(c.identity_changed);
}

TEST_F(ClientStoreTrust, AcceptIdentityClearsChangedWithoutVerifying) {
  EXPECT_EQ(store->accept_identity(bob).error().code, Errc::not_found);
  ASSERT_FALSE(*ids().save_identity(bob1, old_key));
  ASSERT_TRUE(*ids().save_identity(bob1, new_key));
  ASSERT_TRUE(store->accept_identity(bob));
  auto c = contact();
  EXPECT_FALSE(c.identity_changed);
  EXPECT_FALSE(c.verified);
}

// Through the protocol: a verified peer who reinstalled must be looked at
// before we start a session with the new key; nothing is stored meanwhile.
TEST(ClientStoreTrustProtocol, VerifiedPeerWithNewKeyBlocksSessionSetup) {
  TempDir dir;
  testing::StoreParty alice(dir, "alice", 1), bob(dir, "bob", 2);
  auto alice_stores = alice.store->session_stores();
  ASSERT_TRUE(protocol::process_prekey_bundle(bob.address, bob.make_bundle(1, 100), alice_stores,
                                              *alice.rng));
  ASSERT_TRUE(alice.store->mark_verified(bob.account.account_id, bob.account.identity.public_key));
  auto before =
      protocol::serialize_record(**alice.store->session_store().load_session(bob.address));

  testing::StoreParty bob_again(dir, "bob2", 2, 99);  // same account id, new identity
  auto bundle = bob_again.make_bundle(1, 100);
  auto result = protocol::process_prekey_bundle(bob.address, bundle, alice_stores, *alice.rng);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, Errc::untrusted_identity);
  EXPECT_EQ(**alice.store->identity_store().get_identity(bob.address),
            bob.account.identity.public_key);
  auto after = protocol::serialize_record(**alice.store->session_store().load_session(bob.address));
  EXPECT_TRUE(crypto::ct_equal(before.expose(), after.expose()));

  // The user accepts the new key (the client saves it, which flags it as
  // changed and drops verified); then the setup goes through.
  ASSERT_TRUE(*alice.store->identity_store().save_identity(bob.address,
                                                           bob_again.account.identity.public_key));
  EXPECT_TRUE(protocol::process_prekey_bundle(bob.address, bundle, alice_stores, *alice.rng));
}

TEST(ClientStoreTrustProtocol, UnverifiedPeerWithNewKeyIsAcceptedAndFlagged) {
  TempDir dir;
  testing::StoreParty alice(dir, "alice", 1), bob(dir, "bob", 2);
  ASSERT_TRUE(alice.store->save_contact("bob", bob.account.account_id));
  auto alice_stores = alice.store->session_stores();
  ASSERT_TRUE(protocol::process_prekey_bundle(bob.address, bob.make_bundle(1, 100), alice_stores,
                                              *alice.rng));
  testing::StoreParty bob_again(dir, "bob2", 2, 99);
  ASSERT_TRUE(protocol::process_prekey_bundle(bob.address, bob_again.make_bundle(1, 100),
                                              alice_stores, *alice.rng));
  auto c = **alice.store->find_contact("bob");
  EXPECT_EQ(*c.identity, bob_again.account.identity.public_key);
  EXPECT_TRUE(c.identity_changed);
}

TEST(ClientStoreTrustProtocol, ReceivingFromAReinstalledVerifiedPeerWorks) {
  TempDir dir;
  testing::StoreParty alice(dir, "alice", 1), bob(dir, "bob", 2);
  ASSERT_TRUE(alice.store->save_contact("bob", bob.account.account_id));
  // Alice knows and verified Bob's first key.
  ASSERT_FALSE(
      *alice.store->identity_store().save_identity(bob.address, bob.account.identity.public_key));
  ASSERT_TRUE(alice.store->mark_verified(bob.account.account_id, bob.account.identity.public_key));
  // Bob reinstalled and writes first.
  testing::StoreParty bob_again(dir, "bob2", 2, 99);
  auto bob_stores = bob_again.store->session_stores();
  ASSERT_TRUE(protocol::process_prekey_bundle(alice.address, alice.make_bundle(1, 100), bob_stores,
                                              *bob_again.rng));
  auto message = testing::encrypt_to(bob_again, alice, "new phone");
  auto plaintext = testing::decrypt_from(alice, bob_again, message);
  ASSERT_TRUE(plaintext.has_value()) << plaintext.error().message;
  EXPECT_EQ(as_string(*plaintext), "new phone");
  auto c = **alice.store->find_contact("bob");
  EXPECT_EQ(*c.identity, bob_again.account.identity.public_key);
  EXPECT_TRUE(c.identity_changed);
  EXPECT_FALSE(c.verified);
}

}  // namespace
}  // namespace sotto::client
