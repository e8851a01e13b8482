// SPDX-License-Identifier: Apache-2.0
// The outbox: oldest first, attempts noted, items removed once sent.
#include "store_fixture.hpp"

namespace sotto::client {
namespace {

using testing::account_id;
using testing::TempDir;

class ClientStoreOutbox : public ::testing::Test {
 protected:
  std::int64_t message() {
    StoredMessage m;
    m.direction = MessageDirection::outgoing;
    m.peer = account_id(2);
    m.status = MessageStatus::queued;
    auto id = store->add_message(m);
    EXPECT_TRUE(id.has_value());
    return id ? *id : 0;
  }

  TempDir dir;
  std::string path = dir.file("client.db");
  std::unique_ptr<ClientStore> store = testing::open_store(path);
};

TEST_F(ClientStoreOutbox, OldestFirstWithEveryField) {
  auto m = message();
  auto first = store->add_outbox(account_id(2), 500, m, to_bytes("first content"));
  auto second = store->add_outbox(account_id(3), 400, 0, to_bytes("receipt"));
  auto third = store->add_outbox(account_id(2), 300, 0, {});
  ASSERT_TRUE(first && second && third);
  store = testing::open_store(path);
  auto items = store->list_outbox();
  ASSERT_TRUE(items.has_value());
  ASSERT_EQ(items->size(), 3u);
  const auto& a = (*items)[0];
  EXPECT_EQ(a.id, *first);
  EXPECT_EQ(a.destination, account_id(2));
  EXPECT_EQ(a.timestamp, 500u);
  EXPECT_EQ(a.message_id, m);
  EXPECT_EQ(as_string(a.content.expose()), "first content");
  EXPECT_EQ(a.attempts, 0u);
  EXPECT_TRUE(a.last_error.empty());
  EXPECT_EQ((*items)[1].id, *second);
  EXPECT_EQ((*items)[1].message_id, 0);
  EXPECT_EQ(as_string((*items)[1].content.expose()), "receipt");
  EXPECT_EQ((*items)[2].id, *third);
  EXPECT_TRUE((*items)[2].content.empty());
}

TEST_F(ClientStoreOutbox, AttemptsAndRemoval) {
  auto a = *store->add_outbox(account_id(2), 1, 0, to_bytes("a"));
  auto b = *store->add_outbox(account_id(2), 2, 0, to_bytes("b"));
  ASSERT_TRUE(store->note_outbox_attempt(a, "network_error: timed out"));
  ASSERT_TRUE(store->note_outbox_attempt(a, "server 500"));
  auto items = *store->list_outbox();
  EXPECT_EQ(items[0].attempts, 2u);
  EXPECT_EQ(items[0].last_error, "server 500");
  EXPECT_EQ(items[1].attempts, 0u);
  ASSERT_TRUE(store->remove_outbox(a));
  items = *store->list_outbox();
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].id, b);
  EXPECT_TRUE(store->remove_outbox(a));  // already gone: fine
  EXPECT_EQ(store->note_outbox_attempt(a, "x").error().code, Errc::not_found);
  // Ids are not reused: a new item goes last.
  ASSERT_TRUE(store->remove_outbox(b));
  auto c = *store->add_outbox(account_id(2), 3, 0, to_bytes("c"));
  EXPECT_GT(c, b);
}

TEST_F(ClientStoreOutbox, MessageIdMustNameAMessage) {
  auto result = store->add_outbox(account_id(2), 1, 999, to_bytes("x"));
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, Errc::not_found);
  EXPECT_TRUE(store->list_outbox()->empty());
}

}  // namespace
}  // namespace sotto::client
