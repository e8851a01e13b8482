// SPDX-License-Identifier: Apache-2.0
// Contacts by folded username and by account id; address names.
#include "sotto/testing/test_party.hpp"
#include "store_fixture.hpp"

namespace sotto::client {
namespace {

using testing::account_id;
using testing::TempDir;

class ClientStoreContacts : public ::testing::Test {
 protected:
  TempDir dir;
  std::string path = dir.file("client.db");
  std::unique_ptr<ClientStore> store = testing::open_store(path);
};

TEST_F(ClientStoreContacts, FoundByFoldedUsernameAndByAccount) {
  EXPECT_FALSE(store->find_contact("bob")->has_value());
  EXPECT_FALSE(store->find_contact(account_id(2))->has_value());
  ASSERT_TRUE(store->save_contact("Bob.Smith", account_id(2)));
  store = testing::open_store(path);
  for (const char* name : {"bob.smith", "BOB.SMITH", "Bob.Smith"}) {
    auto found = store->find_contact(name);
    ASSERT_TRUE(found.has_value() && found->has_value()) << name;
    EXPECT_EQ((*found)->username, "Bob.Smith");  // as the user wrote it
    EXPECT_EQ((*found)->account_id, account_id(2));
    EXPECT_FALSE((*found)->identity.has_value());
    EXPECT_FALSE((*found)->verified);
    EXPECT_FALSE((*found)->identity_changed);
  }
  EXPECT_EQ((**store->find_contact(account_id(2))).username, "Bob.Smith");
}

TEST_F(ClientStoreContacts, SavingAgainUpdatesTheUsername) {
  ASSERT_TRUE(store->save_contact("bob", account_id(2)));
  ASSERT_TRUE(store->save_contact("BOB", account_id(2)));
  EXPECT_EQ((**store->find_contact(account_id(2))).username, "BOB");
  ASSERT_TRUE(store->save_contact("robert", account_id(2)));
  EXPECT_FALSE(store->find_contact("bob")->has_value());
  EXPECT_EQ((**store->find_contact("robert")).account_id, account_id(2));
  EXPECT_EQ(store->list_contacts()->size(), 1u);
}

TEST_F(ClientStoreContacts, UsernameThatNowNamesAnotherAccountReplacesTheMapping) {
  ASSERT_TRUE(store->save_contact("bob", account_id(2)));
  ASSERT_TRUE(store->save_contact("Bob", account_id(3)));
  EXPECT_EQ((**store->find_contact("bob")).account_id, account_id(3));
  EXPECT_FALSE(store->find_contact(account_id(2))->has_value());
  EXPECT_EQ(store->list_contacts()->size(), 1u);
}

TEST_F(ClientStoreContacts, ListIsSortedByUsernameWithIdentities) {
  ASSERT_TRUE(store->save_contact("carol", account_id(3)));
  ASSERT_TRUE(store->save_contact("Alice", account_id(1)));
  ASSERT_TRUE(store->save_contact("bob", account_id(2)));
  auto rng = sotto::testing::seeded_rng(41);
  auto key = protocol::KeyPair::generate(*rng).public_key;
  protocol::ProtocolAddress bob{address_name(account_id(2)), 1};
  ASSERT_TRUE(store->identity_store().save_identity(bob, key));
  auto contacts = store->list_contacts();
  ASSERT_TRUE(contacts.has_value());
  ASSERT_EQ(contacts->size(), 3u);
  EXPECT_EQ((*contacts)[0].username, "Alice");
  EXPECT_EQ((*contacts)[1].username, "bob");
  EXPECT_EQ((*contacts)[2].username, "carol");
  EXPECT_FALSE((*contacts)[0].identity.has_value());
  ASSERT_TRUE((*contacts)[1].identity.has_value());
  EXPECT_EQ(*(*contacts)[1].identity, key);
}

TEST_F(ClientStoreContacts, EmptyUsernameIsRefused) {
  EXPECT_EQ(store->save_contact("", account_id(2)).error().code, Errc::bad_request);
}

TEST(ClientStoreAddress, NameIsLowercaseHexAndRoundTrips) {
  AccountId id{};
  for (std::size_t i = 0; i < id.size(); ++i) id[i] = static_cast<std::uint8_t>(0xF0 + i);
  auto name = address_name(id);
  EXPECT_EQ(name, "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
  EXPECT_EQ(*account_from_address_name(name), id);
}

TEST(ClientStoreAddress, OnlyTheCanonicalSpellingParses) {
  for (const char* bad :
       {"", "f0", "F0F1F2F3F4F5F6F7F8F9FAFBFCFDFEFF", "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff00",
        "g0f1f2f3f4f5f6f7f8f9fafbfcfdfeff", "f0f1f2f3-f4f5f6f7f8f9fafbfcfdfeff"}) {
    auto parsed = account_from_address_name(bad);
    ASSERT_FALSE(parsed.has_value()) << bad;
    EXPECT_EQ(parsed.error().code, Errc::invalid_encoding);
  }
}

}  // namespace
}  // namespace sotto::client
