// SPDX-License-Identifier: Apache-2.0
// The local account row: round trip, immutable keys, the identity cache, wipe.
#include "sotto/crypto/ct.hpp"
#include "sotto/testing/test_party.hpp"
#include "store_fixture.hpp"

namespace sotto::client {
namespace {

using testing::TempDir;

class ClientStoreAccount : public ::testing::Test {
 protected:
  void SetUp() override { store = testing::open_store(path); }

  TempDir dir;
  std::string path = dir.file("client.db");
  std::unique_ptr<crypto::DeterministicRng> rng = sotto::testing::seeded_rng(11);
  LocalAccount account = testing::make_account("Alice", 1, *rng);
  std::unique_ptr<ClientStore> store;
};

void expect_same(const LocalAccount& a, const LocalAccount& b) {
  EXPECT_EQ(a.username, b.username);
  EXPECT_EQ(a.account_id, b.account_id);
  EXPECT_EQ(a.device_id, b.device_id);
  EXPECT_TRUE(crypto::ct_equal(a.device_seed.expose(), b.device_seed.expose()));
  EXPECT_EQ(a.identity.public_key, b.identity.public_key);
  EXPECT_TRUE(crypto::ct_equal(a.identity.private_key.expose(), b.identity.private_key.expose()));
  EXPECT_EQ(a.registration_id, b.registration_id);
  EXPECT_EQ(a.server_host, b.server_host);
  EXPECT_EQ(a.server_port, b.server_port);
  EXPECT_EQ(a.server_pin, b.server_pin);
  EXPECT_EQ(a.next_prekey_id, b.next_prekey_id);
  EXPECT_EQ(a.next_signed_prekey_id, b.next_signed_prekey_id);
}

LocalAccount copy_of(const LocalAccount& a) {
  LocalAccount b;
  b.username = a.username;
  b.account_id = a.account_id;
  b.device_id = a.device_id;
  b.device_seed = a.device_seed.clone();
  b.identity = a.identity.clone();
  b.registration_id = a.registration_id;
  b.server_host = a.server_host;
  b.server_port = a.server_port;
  b.server_pin = a.server_pin;
  b.next_prekey_id = a.next_prekey_id;
  b.next_signed_prekey_id = a.next_signed_prekey_id;
  return b;
}

TEST_F(ClientStoreAccount, NoneAtFirst) {
  auto loaded = store->load_account();
  ASSERT_TRUE(loaded.has_value());
  EXPECT_FALSE(loaded->has_value());
  EXPECT_EQ(store->identity_store().local_registration_id(), 0u);
}

TEST_F(ClientStoreAccount, RoundTripsEveryFieldAcrossReopen) {
  account.next_prekey_id = 0xFFFFFE;
  account.next_signed_prekey_id = 77;
  account.server_port = 65535;
  ASSERT_TRUE(store->save_account(account));
  expect_same(**store->load_account(), account);
  store = testing::open_store(path);
  expect_same(**store->load_account(), account);
}

TEST_F(ClientStoreAccount, UpdatesTheFieldsThatMayChange) {
  ASSERT_TRUE(store->save_account(account));
  auto changed = copy_of(account);
  changed.username = "alice2";
  changed.account_id = testing::account_id(9);
  changed.device_id = 3;
  changed.server_host = "example.org";
  changed.server_port = 1;
  changed.server_pin.fill(1);
  changed.next_prekey_id = 101;
  changed.next_signed_prekey_id = 5;
  ASSERT_TRUE(store->save_account(changed));
  expect_same(**store->load_account(), changed);
}

TEST_F(ClientStoreAccount, KeysOfAnExistingAccountNeverChange) {
  ASSERT_TRUE(store->save_account(account));
  auto other_identity = copy_of(account);
  other_identity.identity = protocol::IdentityKeyPair::generate(*rng);
  EXPECT_EQ(store->save_account(other_identity).error().code, Errc::already_exists);
  auto other_seed = copy_of(account);
  other_seed.device_seed.mutable_bytes()[0] ^= 1;
  EXPECT_EQ(store->save_account(other_seed).error().code, Errc::already_exists);
  auto other_registration = copy_of(account);
  other_registration.registration_id += 1;
  EXPECT_EQ(store->save_account(other_registration).error().code, Errc::already_exists);
  expect_same(**store->load_account(), account);
  EXPECT_EQ(store->identity_store().identity_key_pair().public_key, account.identity.public_key);
}

TEST_F(ClientStoreAccount, IdentityStoreServesTheAccountKeys) {
  ASSERT_TRUE(store->save_account(account));
  EXPECT_EQ(store->identity_store().identity_key_pair().public_key, account.identity.public_key);
  EXPECT_EQ(store->identity_store().local_registration_id(), account.registration_id);
  store = testing::open_store(path);
  // Cached at open, before any load_account().
  EXPECT_EQ(store->identity_store().identity_key_pair().public_key, account.identity.public_key);
  EXPECT_TRUE(crypto::ct_equal(store->identity_store().identity_key_pair().private_key.expose(),
                               account.identity.private_key.expose()));
  EXPECT_EQ(store->identity_store().local_registration_id(), account.registration_id);
}

TEST_F(ClientStoreAccount, WipeDeletesEverything) {
  ASSERT_TRUE(store->save_account(account));
  auto peer = testing::account_id(2);
  ASSERT_TRUE(store->save_contact("bob", peer));
  protocol::ProtocolAddress bob{address_name(peer), 1};
  ASSERT_TRUE(store->identity_store().save_identity(bob, account.identity.public_key));
  ASSERT_TRUE(store->prekey_store().store_prekey(protocol::generate_prekey(1, *rng)));
  ASSERT_TRUE(store->signed_prekey_store().store_signed_prekey(
      protocol::generate_signed_prekey(1, account.identity, 0, *rng)));
  ASSERT_TRUE(store->session_store().store_session(bob, protocol::SessionRecord{}));
  StoredMessage message;
  message.peer = peer;
  auto id = store->add_message(message);
  ASSERT_TRUE(id);
  ASSERT_TRUE(store->add_outbox(peer, 1, *id, to_bytes("content")));
  ASSERT_TRUE(store->mark_envelope_seen(Guid{}, 1));

  ASSERT_TRUE(store->wipe());
  for (int reopened = 0; reopened < 2; ++reopened) {
    EXPECT_FALSE(store->load_account()->has_value());
    EXPECT_EQ(store->identity_store().local_registration_id(), 0u);
    EXPECT_TRUE(store->list_contacts()->empty());
    EXPECT_FALSE(store->identity_store().get_identity(bob)->has_value());
    EXPECT_EQ(*store->prekey_count(), 0u);
    EXPECT_FALSE(store->latest_signed_prekey_id()->has_value());
    EXPECT_TRUE(store->session_devices(peer)->empty());
    EXPECT_TRUE(store->list_messages(std::nullopt, 0)->empty());
    EXPECT_TRUE(store->list_outbox()->empty());
    EXPECT_FALSE(*store->envelope_seen(Guid{}));
    store = testing::open_store(path);
  }
  // A new account can be registered in the same file.
  auto fresh = testing::make_account("carol", 3, *rng);
  EXPECT_TRUE(store->save_account(fresh));
}

}  // namespace
}  // namespace sotto::client
