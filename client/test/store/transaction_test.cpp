// SPDX-License-Identifier: Apache-2.0
// Transactions: commit keeps, destruction without commit rolls back, one at
// a time; a decrypt inside a rolled-back transaction can be repeated.
#include "sotto/crypto/ct.hpp"
#include "sotto/protocol/records.hpp"
#include "sotto/protocol/session_builder.hpp"
#include "sotto/testing/test_party.hpp"
#include "store_fixture.hpp"

namespace sotto::client {
namespace {

using testing::decrypt_from;
using testing::encrypt_to;
using testing::StoreParty;
using testing::TempDir;

class ClientStoreTransaction : public ::testing::Test {
 protected:
  std::int64_t add_incoming(const std::string& body) {
    StoredMessage message;
    message.peer = testing::account_id(9);
    message.body = body;
    auto id = alice.store->add_message(message);
    EXPECT_TRUE(id.has_value());
    return id ? *id : 0;
  }
  std::size_t message_count() { return alice.store->list_messages(std::nullopt, 0)->size(); }

  TempDir dir;
  StoreParty alice{dir, "alice", 1};
  StoreParty bob{dir, "bob", 2};
};

TEST_F(ClientStoreTransaction, CommitKeepsEverything) {
  {
    auto tx = alice.store->begin();
    ASSERT_TRUE(tx.has_value());
    add_incoming("one");
    ASSERT_TRUE(alice.store->save_contact("carol", testing::account_id(3)));
    ASSERT_TRUE(tx->commit());
  }
  alice.reopen();
  EXPECT_EQ(message_count(), 1u);
  EXPECT_TRUE(alice.store->find_contact("carol")->has_value());
}

TEST_F(ClientStoreTransaction, DestructionWithoutCommitRollsBack) {
  add_incoming("before");
  {
    auto tx = alice.store->begin();
    ASSERT_TRUE(tx.has_value());
    add_incoming("inside");
    ASSERT_TRUE(alice.store->save_contact("carol", testing::account_id(3)));
    ASSERT_TRUE(alice.store->add_outbox(testing::account_id(3), 1, 0, to_bytes("x")));
    EXPECT_EQ(message_count(), 2u);  // visible inside
  }
  EXPECT_EQ(message_count(), 1u);
  EXPECT_FALSE(alice.store->find_contact("carol")->has_value());
  EXPECT_TRUE(alice.store->list_outbox()->empty());
  alice.reopen();
  EXPECT_EQ(message_count(), 1u);
}

TEST_F(ClientStoreTransaction, OneAtATime) {
  auto tx = alice.store->begin();
  ASSERT_TRUE(tx.has_value());
  auto nested = alice.store->begin();
  ASSERT_FALSE(nested.has_value());
  EXPECT_EQ(nested.error().code, Errc::bad_request);
  ASSERT_TRUE(tx->commit());
  auto commit_again = tx->commit();
  ASSERT_FALSE(commit_again.has_value());
  EXPECT_EQ(commit_again.error().code, Errc::bad_request);
  auto next = alice.store->begin();
  EXPECT_TRUE(next.has_value());
}

TEST_F(ClientStoreTransaction, MovedTransactionIsTheOneThatCounts) {
  auto tx = alice.store->begin();
  ASSERT_TRUE(tx.has_value());
  add_incoming("moved");
  Transaction moved(std::move(*tx));
  EXPECT_EQ(tx->commit().error().code, Errc::bad_request);  // moved from: finished
  ASSERT_TRUE(moved.commit());
  EXPECT_EQ(message_count(), 1u);
}

TEST_F(ClientStoreTransaction, RollbackRestoresTheCachedIdentity) {
  auto carol_path = dir.file("carol.db");
  auto store = testing::open_store(carol_path);
  auto rng = sotto::testing::seeded_rng(5);
  {
    auto tx = store->begin();
    ASSERT_TRUE(store->save_account(testing::make_account("carol", 3, *rng)));
    EXPECT_NE(store->identity_store().local_registration_id(), 0u);
  }
  EXPECT_EQ(store->identity_store().local_registration_id(), 0u);
  EXPECT_FALSE(store->load_account()->has_value());

  // And a wipe that is rolled back leaves the account in place.
  auto registration_id = alice.account.registration_id;
  {
    auto tx = alice.store->begin();
    ASSERT_TRUE(alice.store->wipe());
    EXPECT_EQ(alice.store->identity_store().local_registration_id(), 0u);
  }
  EXPECT_EQ(alice.store->identity_store().local_registration_id(), registration_id);
  EXPECT_TRUE(alice.store->load_account()->has_value());
}

TEST_F(ClientStoreTransaction, RolledBackDecryptCanBeRepeated) {
  auto stores = alice.store->session_stores();
  ASSERT_TRUE(
      protocol::process_prekey_bundle(bob.address, bob.make_bundle(1, 100), stores, *alice.rng));
  auto first = encrypt_to(alice, bob, "first");
  auto second = encrypt_to(alice, bob, "second");
  auto session_before = bob.store->session_store().load_session(alice.address);
  ASSERT_TRUE(session_before.has_value());
  EXPECT_FALSE(session_before->has_value());

  // The PreKey message, twice rolled back: nothing of it stays.
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto tx = bob.store->begin();
    ASSERT_TRUE(tx.has_value());
    auto plaintext = decrypt_from(bob, alice, first);
    ASSERT_TRUE(plaintext.has_value()) << plaintext.error().message;
    EXPECT_EQ(as_string(*plaintext), "first");
    // The crash comes before the commit.
  }
  EXPECT_FALSE(bob.store->session_store().load_session(alice.address)->has_value());
  EXPECT_TRUE(bob.store->prekey_store().load_prekey(100).has_value());
  EXPECT_FALSE(bob.store->identity_store().get_identity(alice.address)->has_value());

  // Committed with the message and the guid, as the client does.
  Guid guid{};
  guid[0] = 1;
  {
    auto tx = bob.store->begin();
    auto plaintext = decrypt_from(bob, alice, first);
    ASSERT_TRUE(plaintext.has_value());
    StoredMessage message;
    message.peer = alice.account.account_id;
    message.peer_device = 1;
    message.body = std::string(as_string(*plaintext));
    ASSERT_TRUE(bob.store->add_message(message));
    ASSERT_TRUE(bob.store->mark_envelope_seen(guid, 1000));
    ASSERT_TRUE(tx->commit());
  }
  EXPECT_EQ(bob.store->prekey_store().load_prekey(100).error().code, Errc::invalid_prekey_id);

  // A whisper-chain step rolled back, then repeated after a restart.
  auto before =
      protocol::serialize_record(**bob.store->session_store().load_session(alice.address));
  {
    auto tx = bob.store->begin();
    EXPECT_EQ(as_string(*decrypt_from(bob, alice, second)), "second");
  }
  auto after = protocol::serialize_record(**bob.store->session_store().load_session(alice.address));
  EXPECT_TRUE(crypto::ct_equal(before.expose(), after.expose()));
  bob.reopen();
  EXPECT_TRUE(*bob.store->envelope_seen(guid));
  auto repeated = decrypt_from(bob, alice, second);
  ASSERT_TRUE(repeated.has_value()) << repeated.error().message;
  EXPECT_EQ(as_string(*repeated), "second");
  EXPECT_EQ(decrypt_from(bob, alice, second).error().code, Errc::duplicate_message);
  EXPECT_EQ(bob.store->list_messages(std::nullopt, 0)->size(), 1u);
}

}  // namespace
}  // namespace sotto::client
