// SPDX-License-Identifier: Apache-2.0
// The SQLite protocol stores behave like the in-memory ones: one typed suite
// runs against both (trust policy differences are in trust_test.cpp).
#include "sotto/crypto/ct.hpp"
#include "sotto/protocol/group_cipher.hpp"
#include "sotto/protocol/memory_stores.hpp"
#include "sotto/protocol/records.hpp"
#include "sotto/protocol/session_builder.hpp"
#include "sotto/testing/test_party.hpp"
#include "store_fixture.hpp"

namespace sotto::client {
namespace {

using protocol::ProtocolAddress;

struct MemoryStores {
  std::unique_ptr<crypto::DeterministicRng> rng = sotto::testing::seeded_rng(21);
  protocol::InMemoryIdentityKeyStore identity{protocol::IdentityKeyPair::generate(*rng), 7};
  protocol::InMemoryPreKeyStore prekeys;
  protocol::InMemorySignedPreKeyStore signed_prekeys;
  protocol::InMemorySessionStore sessions;
  protocol::InMemorySenderKeyStore sender_keys;

  protocol::IdentityKeyStore& identity_store() { return identity; }
  protocol::PreKeyStore& prekey_store() { return prekeys; }
  protocol::SignedPreKeyStore& signed_prekey_store() { return signed_prekeys; }
  protocol::SessionStore& session_store() { return sessions; }
  protocol::SenderKeyStore& sender_key_store() { return sender_keys; }
  void reopen() {}
};

struct SqlStores {
  SqlStores() {
    auto account = testing::make_account("alice", 1, *rng);
    EXPECT_TRUE(store->save_account(account));
  }
  testing::TempDir dir;
  std::string path = dir.file("client.db");
  std::unique_ptr<crypto::DeterministicRng> rng = sotto::testing::seeded_rng(21);
  std::unique_ptr<ClientStore> store = testing::open_store(path);

  protocol::IdentityKeyStore& identity_store() { return store->identity_store(); }
  protocol::PreKeyStore& prekey_store() { return store->prekey_store(); }
  protocol::SignedPreKeyStore& signed_prekey_store() { return store->signed_prekey_store(); }
  protocol::SessionStore& session_store() { return store->session_store(); }
  protocol::SenderKeyStore& sender_key_store() { return store->sender_key_store(); }
  // Everything must come back from the file, not from memory.
  void reopen() { store = testing::open_store(path); }
};

template <class Stores>
class ClientStoreProtocolStores : public ::testing::Test {
 protected:
  Stores s;
  crypto::Rng& rng() { return *s.rng; }
};

struct StoreNames {
  template <class T>
  static std::string GetName(int) {
    return std::is_same_v<T, MemoryStores> ? "Memory" : "Sqlite";
  }
};

using StoreTypes = ::testing::Types<MemoryStores, SqlStores>;
TYPED_TEST_SUITE(ClientStoreProtocolStores, StoreTypes, StoreNames);

bool same_secret(const crypto::SecretBytes& a, const crypto::SecretBytes& b) {
  return crypto::ct_equal(a.expose(), b.expose());
}

// A session record with a current and an archived state, made by the protocol.
protocol::SessionRecord real_session(crypto::Rng& rng, std::uint32_t registration_id) {
  sotto::testing::TestParty alice{"alice", 5}, bob{"bob", 6, registration_id};
  auto stores = alice.stores();
  EXPECT_TRUE(protocol::process_prekey_bundle(bob.address, bob.make_bundle(), stores, rng));
  EXPECT_TRUE(protocol::process_prekey_bundle(bob.address, bob.make_bundle(false, 2), stores, rng));
  return **alice.sessions.load_session(bob.address);
}

TYPED_TEST(ClientStoreProtocolStores, MissingPreKeyIsInvalidPreKeyId) {
  auto loaded = this->s.prekey_store().load_prekey(5);
  ASSERT_FALSE(loaded.has_value());
  EXPECT_EQ(loaded.error().code, Errc::invalid_prekey_id);
}

TYPED_TEST(ClientStoreProtocolStores, PreKeysStoreReplaceAndRemove) {
  auto& store = this->s.prekey_store();
  auto first = protocol::generate_prekey(5, this->rng());
  auto first_public = first.key_pair.public_key;
  auto first_private = first.key_pair.private_key.clone();
  ASSERT_TRUE(store.store_prekey(std::move(first)));
  ASSERT_TRUE(store.store_prekey(protocol::generate_prekey(6, this->rng())));
  this->s.reopen();
  auto loaded = this->s.prekey_store().load_prekey(5);
  ASSERT_TRUE(loaded.has_value());
  EXPECT_EQ(loaded->id, 5u);
  EXPECT_EQ(loaded->key_pair.public_key, first_public);
  EXPECT_TRUE(crypto::ct_equal(loaded->key_pair.private_key.expose(), first_private.expose()));

  auto replacement = protocol::generate_prekey(5, this->rng());
  auto replacement_public = replacement.key_pair.public_key;
  ASSERT_TRUE(this->s.prekey_store().store_prekey(std::move(replacement)));
  EXPECT_EQ(this->s.prekey_store().load_prekey(5)->key_pair.public_key, replacement_public);

  ASSERT_TRUE(this->s.prekey_store().remove_prekey(5));
  EXPECT_EQ(this->s.prekey_store().load_prekey(5).error().code, Errc::invalid_prekey_id);
  EXPECT_TRUE(this->s.prekey_store().load_prekey(6).has_value());
  EXPECT_TRUE(this->s.prekey_store().remove_prekey(5));  // already gone: fine
}

TYPED_TEST(ClientStoreProtocolStores, SignedPreKeysRoundTripAndReplace) {
  auto& store = this->s.signed_prekey_store();
  EXPECT_EQ(store.load_signed_prekey(1).error().code, Errc::invalid_prekey_id);
  // A copy: the reference would not survive the reopen below.
  auto identity = this->s.identity_store().identity_key_pair().clone();
  auto record = protocol::generate_signed_prekey(1, identity, 1234567, this->rng());
  auto serialized = protocol::serialize_record(record);
  ASSERT_TRUE(store.store_signed_prekey(std::move(record)));
  this->s.reopen();
  auto loaded = this->s.signed_prekey_store().load_signed_prekey(1);
  ASSERT_TRUE(loaded.has_value());
  EXPECT_EQ(loaded->timestamp_ms, 1234567u);
  EXPECT_TRUE(same_secret(protocol::serialize_record(*loaded), serialized));

  auto replacement = protocol::generate_signed_prekey(1, identity, 99, this->rng());
  ASSERT_TRUE(this->s.signed_prekey_store().store_signed_prekey(std::move(replacement)));
  EXPECT_EQ(this->s.signed_prekey_store().load_signed_prekey(1)->timestamp_ms, 99u);
  EXPECT_EQ(this->s.signed_prekey_store().load_signed_prekey(2).error().code,
            Errc::invalid_prekey_id);
}

TYPED_TEST(ClientStoreProtocolStores, SessionsRoundTripPerDevice) {
  ProtocolAddress bob1{"bob", 1}, bob2{"bob", 2}, carol1{"carol", 1};
  EXPECT_FALSE(this->s.session_store().load_session(bob1)->has_value());
  auto record = real_session(this->rng(), 42);
  auto serialized = protocol::serialize_record(record);
  ASSERT_TRUE(this->s.session_store().store_session(bob1, std::move(record)));
  this->s.reopen();
  auto loaded = this->s.session_store().load_session(bob1);
  ASSERT_TRUE(loaded.has_value() && loaded->has_value());
  EXPECT_EQ((*loaded)->archived().size(), 1u);
  EXPECT_EQ((*loaded)->current()->remote_registration_id, 42u);
  EXPECT_TRUE(same_secret(protocol::serialize_record(**loaded), serialized));
  EXPECT_FALSE(this->s.session_store().load_session(bob2)->has_value());
  EXPECT_FALSE(this->s.session_store().load_session(carol1)->has_value());
}

TYPED_TEST(ClientStoreProtocolStores, LoadedSessionIsACopy) {
  ProtocolAddress bob{"bob", 1};
  ASSERT_TRUE(this->s.session_store().store_session(bob, real_session(this->rng(), 42)));
  auto copy = **this->s.session_store().load_session(bob);
  copy.current()->remote_registration_id = 9;
  copy.current()->sender_chain.index = 1000;
  auto again = **this->s.session_store().load_session(bob);
  EXPECT_EQ(again.current()->remote_registration_id, 42u);
  EXPECT_EQ(again.current()->sender_chain.index, 0u);
  // Storing replaces.
  ASSERT_TRUE(this->s.session_store().store_session(bob, std::move(copy)));
  EXPECT_EQ((**this->s.session_store().load_session(bob)).current()->remote_registration_id, 9u);
}

TYPED_TEST(ClientStoreProtocolStores, SenderKeysPerSenderDeviceAndDistribution) {
  ProtocolAddress alice1{"alice", 1}, alice2{"alice", 2};
  protocol::DistributionId group_a{}, group_b{};
  group_b[0] = 1;
  EXPECT_FALSE(this->s.sender_key_store().load_sender_key(alice1, group_a)->has_value());
  auto distribution = protocol::create_sender_key_distribution(
      alice1, group_a, this->s.sender_key_store(), this->rng());
  ASSERT_TRUE(distribution.has_value());
  this->s.reopen();
  auto loaded = this->s.sender_key_store().load_sender_key(alice1, group_a);
  ASSERT_TRUE(loaded.has_value() && loaded->has_value());
  EXPECT_EQ((*loaded)->states.size(), 1u);
  EXPECT_FALSE(this->s.sender_key_store().load_sender_key(alice1, group_b)->has_value());
  EXPECT_FALSE(this->s.sender_key_store().load_sender_key(alice2, group_a)->has_value());

  // The stored chain keeps working: a receiver decrypts what it encrypts.
  protocol::InMemorySenderKeyStore receiver;
  ASSERT_TRUE(protocol::process_sender_key_distribution(alice1, group_a, *distribution, receiver));
  auto message = protocol::group_encrypt(alice1, group_a, to_bytes("to the group"),
                                         this->s.sender_key_store(), this->rng());
  ASSERT_TRUE(message.has_value());
  EXPECT_EQ(as_string(*protocol::group_decrypt(alice1, group_a, *message, receiver)),
            "to the group");

  // Loads are copies; stores replace.
  auto copy = **this->s.sender_key_store().load_sender_key(alice1, group_a);
  copy.states.clear();
  EXPECT_EQ((**this->s.sender_key_store().load_sender_key(alice1, group_a)).states.size(), 1u);
  ASSERT_TRUE(this->s.sender_key_store().store_sender_key(alice1, group_a, std::move(copy)));
  EXPECT_TRUE((**this->s.sender_key_store().load_sender_key(alice1, group_a)).states.empty());
}

TYPED_TEST(ClientStoreProtocolStores, IdentitiesSaveAndGet) {
  auto& store = this->s.identity_store();
  ProtocolAddress bob1{"bob", 1};
  auto first = protocol::KeyPair::generate(this->rng()).public_key;
  auto second = protocol::KeyPair::generate(this->rng()).public_key;
  EXPECT_FALSE(store.get_identity(bob1)->has_value());
  EXPECT_TRUE(*store.is_trusted_identity(bob1, first, protocol::Direction::sending));
  EXPECT_TRUE(*store.is_trusted_identity(bob1, first, protocol::Direction::receiving));
  EXPECT_FALSE(store.get_identity(bob1)->has_value());  // asking stores nothing
  EXPECT_FALSE(*store.save_identity(bob1, first));
  EXPECT_FALSE(*store.save_identity(bob1, first));
  this->s.reopen();
  auto& reopened = this->s.identity_store();
  EXPECT_EQ(**reopened.get_identity(bob1), first);
  EXPECT_TRUE(*reopened.is_trusted_identity(bob1, first, protocol::Direction::sending));
  EXPECT_TRUE(*reopened.is_trusted_identity(bob1, first, protocol::Direction::receiving));
  EXPECT_TRUE(*reopened.save_identity(bob1, second));
  EXPECT_EQ(**reopened.get_identity(bob1), second);
  EXPECT_FALSE(*reopened.save_identity(bob1, second));
  EXPECT_FALSE(reopened.get_identity(ProtocolAddress{"carol", 1})->has_value());
}

TYPED_TEST(ClientStoreProtocolStores, LocalIdentityAndRegistrationId) {
  const auto& pair = this->s.identity_store().identity_key_pair();
  EXPECT_EQ(pair.public_key, protocol::KeyPair::from_private(pair.private_key.clone()).public_key);
  EXPECT_NE(this->s.identity_store().local_registration_id(), 0u);
}

}  // namespace
}  // namespace sotto::client
