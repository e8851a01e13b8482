// SPDX-License-Identifier: Apache-2.0
// Message history, receipts (forward only), statuses and seen envelopes.
#include "store_fixture.hpp"

namespace sotto::client {
namespace {

using testing::account_id;
using testing::TempDir;

class ClientStoreMessages : public ::testing::Test {
 protected:
  std::int64_t add(MessageDirection direction, std::uint8_t peer, std::uint64_t timestamp,
                   MessageStatus status, const std::string& body = "text") {
    StoredMessage m;
    m.direction = direction;
    m.peer = account_id(peer);
    m.peer_device = direction == MessageDirection::incoming ? 2 : 0;
    m.timestamp = timestamp;
    m.received_ms = timestamp + 5;
    m.body = body;
    m.status = status;
    auto id = store->add_message(m);
    EXPECT_TRUE(id.has_value()) << id.error().message;
    return id ? *id : 0;
  }
  std::int64_t outgoing(std::uint8_t peer, std::uint64_t timestamp,
                        MessageStatus status = MessageStatus::sent) {
    return add(MessageDirection::outgoing, peer, timestamp, status);
  }
  MessageStatus status_of(std::int64_t id) {
    auto all = store->list_messages(std::nullopt, 0);
    EXPECT_TRUE(all.has_value());
    for (const auto& m : *all) {
      if (m.id == id) return m.status;
    }
    ADD_FAILURE() << "no message " << id;
    return MessageStatus::queued;
  }

  TempDir dir;
  std::string path = dir.file("client.db");
  std::unique_ptr<ClientStore> store = testing::open_store(path);
};

TEST_F(ClientStoreMessages, RoundTripEveryField) {
  auto id =
      add(MessageDirection::incoming, 2, 0xFFFFFFFFFFFFFFF0ull, MessageStatus::unread, "héllo\n");
  store = testing::open_store(path);
  auto all = store->list_messages(std::nullopt, 0);
  ASSERT_TRUE(all.has_value());
  ASSERT_EQ(all->size(), 1u);
  const auto& m = all->front();
  EXPECT_EQ(m.id, id);
  EXPECT_EQ(m.direction, MessageDirection::incoming);
  EXPECT_EQ(m.peer, account_id(2));
  EXPECT_EQ(m.peer_device, 2u);
  EXPECT_EQ(m.timestamp, 0xFFFFFFFFFFFFFFF0ull);
  EXPECT_EQ(m.received_ms, 0xFFFFFFFFFFFFFFF5ull);
  EXPECT_EQ(m.body, "héllo\n");
  EXPECT_EQ(m.status, MessageStatus::unread);
}

TEST_F(ClientStoreMessages, ReceivedTimeDefaultsToNow) {
  StoredMessage m;
  m.peer = account_id(2);
  ASSERT_TRUE(store->add_message(m));
  EXPECT_GT(store->list_messages(std::nullopt, 0)->front().received_ms, 1600000000000ull);
}

TEST_F(ClientStoreMessages, StatusMustFitDirection) {
  StoredMessage m;
  m.direction = MessageDirection::incoming;
  for (auto status : {MessageStatus::queued, MessageStatus::sent, MessageStatus::delivered}) {
    m.status = status;
    EXPECT_EQ(store->add_message(m).error().code, Errc::bad_request);
  }
  m.direction = MessageDirection::outgoing;
  m.status = MessageStatus::unread;
  EXPECT_EQ(store->add_message(m).error().code, Errc::bad_request);
  m.status = static_cast<MessageStatus>(9);
  EXPECT_EQ(store->add_message(m).error().code, Errc::bad_request);
}

TEST_F(ClientStoreMessages, ListNewestLimitOldestFirstPerPeer) {
  std::vector<std::int64_t> ids;
  for (std::uint64_t i = 0; i < 6; ++i) {
    ids.push_back(add(MessageDirection::incoming, i % 2 == 0 ? 2 : 3, 100 + i,
                      MessageStatus::unread, std::to_string(i)));
  }
  auto last_three = *store->list_messages(std::nullopt, 3);
  ASSERT_EQ(last_three.size(), 3u);
  EXPECT_EQ(last_three[0].id, ids[3]);
  EXPECT_EQ(last_three[2].id, ids[5]);
  auto peer2 = *store->list_messages(account_id(2), 0);
  ASSERT_EQ(peer2.size(), 3u);
  EXPECT_EQ(peer2[0].body, "0");
  EXPECT_EQ(peer2[1].body, "2");
  EXPECT_EQ(peer2[2].body, "4");
  auto peer3 = *store->list_messages(account_id(3), 2);
  ASSERT_EQ(peer3.size(), 2u);
  EXPECT_EQ(peer3[0].body, "3");
  EXPECT_EQ(peer3[1].body, "5");
  EXPECT_TRUE(store->list_messages(account_id(4), 10)->empty());
  EXPECT_EQ(store->list_messages(std::nullopt, 100)->size(), 6u);
}

TEST_F(ClientStoreMessages, UnreadAreIncomingUnreadOldestFirst) {
  auto a = add(MessageDirection::incoming, 2, 1, MessageStatus::unread);
  outgoing(2, 2);
  auto b = add(MessageDirection::incoming, 3, 3, MessageStatus::unread);
  add(MessageDirection::incoming, 3, 4, MessageStatus::read);
  auto unread = *store->unread_messages();
  ASSERT_EQ(unread.size(), 2u);
  EXPECT_EQ(unread[0].id, a);
  EXPECT_EQ(unread[1].id, b);
  ASSERT_TRUE(store->set_status(a, MessageStatus::read));
  unread = *store->unread_messages();
  ASSERT_EQ(unread.size(), 1u);
  EXPECT_EQ(unread[0].id, b);
  ASSERT_TRUE(store->set_status(a, MessageStatus::unread));  // marking unread again is allowed
  EXPECT_EQ(store->unread_messages()->size(), 2u);
}

TEST_F(ClientStoreMessages, ReceiptsOnlyMoveForward) {
  auto m1 = outgoing(2, 1000);
  auto m2 = outgoing(2, 1001);
  auto m3 = outgoing(2, 1002, MessageStatus::queued);
  EXPECT_EQ(*store->apply_receipt(account_id(2), {1000, 1001}, MessageStatus::delivered), 2u);
  EXPECT_EQ(status_of(m1), MessageStatus::delivered);
  EXPECT_EQ(*store->apply_receipt(account_id(2), {1000}, MessageStatus::read), 1u);
  // The late delivery receipt does not undo read; repeating changes nothing.
  EXPECT_EQ(*store->apply_receipt(account_id(2), {1000, 1001}, MessageStatus::delivered), 0u);
  EXPECT_EQ(*store->apply_receipt(account_id(2), {1000}, MessageStatus::read), 0u);
  EXPECT_EQ(status_of(m1), MessageStatus::read);
  EXPECT_EQ(status_of(m2), MessageStatus::delivered);
  // A receipt may overtake the server's answer to the send.
  EXPECT_EQ(*store->apply_receipt(account_id(2), {1002}, MessageStatus::delivered), 1u);
  EXPECT_EQ(status_of(m3), MessageStatus::delivered);
  // Unknown timestamps and an empty list change nothing.
  EXPECT_EQ(*store->apply_receipt(account_id(2), {5}, MessageStatus::read), 0u);
  EXPECT_EQ(*store->apply_receipt(account_id(2), {}, MessageStatus::read), 0u);
}

TEST_F(ClientStoreMessages, ReceiptsTouchOnlyOutgoingToThatPeer) {
  auto incoming = add(MessageDirection::incoming, 2, 1000, MessageStatus::unread);
  auto other_peer = outgoing(3, 1000);
  auto mine = outgoing(2, 1000);
  EXPECT_EQ(*store->apply_receipt(account_id(2), {1000}, MessageStatus::read), 1u);
  EXPECT_EQ(status_of(mine), MessageStatus::read);
  EXPECT_EQ(status_of(incoming), MessageStatus::unread);
  EXPECT_EQ(status_of(other_peer), MessageStatus::sent);
}

TEST_F(ClientStoreMessages, ReceiptStatusMustBeAnOutgoingOne) {
  for (auto status : {MessageStatus::queued, MessageStatus::unread}) {
    EXPECT_EQ(store->apply_receipt(account_id(2), {1}, status).error().code, Errc::bad_request);
  }
}

TEST_F(ClientStoreMessages, SetStatus) {
  auto out = outgoing(2, 1, MessageStatus::queued);
  auto in = add(MessageDirection::incoming, 2, 2, MessageStatus::unread);
  ASSERT_TRUE(store->set_status(out, MessageStatus::sent));
  EXPECT_EQ(status_of(out), MessageStatus::sent);
  ASSERT_TRUE(store->apply_receipt(account_id(2), {1}, MessageStatus::read));
  ASSERT_TRUE(store->set_status(out, MessageStatus::sent));  // late: ignored
  EXPECT_EQ(status_of(out), MessageStatus::read);
  EXPECT_EQ(store->set_status(out, MessageStatus::unread).error().code, Errc::bad_request);
  EXPECT_EQ(store->set_status(in, MessageStatus::delivered).error().code, Errc::bad_request);
  EXPECT_EQ(store->set_status(12345, MessageStatus::read).error().code, Errc::not_found);
}

TEST_F(ClientStoreMessages, SeenEnvelopes) {
  Guid a{}, b{};
  a[0] = 1;
  b[0] = 2;
  const std::uint64_t now = 1700000000000ull;
  EXPECT_FALSE(*store->envelope_seen(a));
  ASSERT_TRUE(store->mark_envelope_seen(a, now));
  ASSERT_TRUE(store->mark_envelope_seen(a, now + 1));  // again: fine
  EXPECT_TRUE(*store->envelope_seen(a));
  EXPECT_FALSE(*store->envelope_seen(b));
  store = testing::open_store(path);
  EXPECT_TRUE(*store->envelope_seen(a));
}

TEST_F(ClientStoreMessages, SeenEnvelopesAreForgottenAfter45Days) {
  constexpr std::uint64_t kDay = 24ull * 60 * 60 * 1000;
  const std::uint64_t start = 1700000000000ull;
  Guid old_guid{}, recent{}, trigger{};
  old_guid[0] = 1;
  recent[0] = 2;
  trigger[0] = 3;
  ASSERT_TRUE(store->mark_envelope_seen(old_guid, start));
  ASSERT_TRUE(store->mark_envelope_seen(recent, start + 10 * kDay));
  store = testing::open_store(path);  // the first mark after opening prunes
  ASSERT_TRUE(store->mark_envelope_seen(trigger, start + 46 * kDay));
  EXPECT_FALSE(*store->envelope_seen(old_guid));
  EXPECT_TRUE(*store->envelope_seen(recent));
  EXPECT_TRUE(*store->envelope_seen(trigger));
}

TEST_F(ClientStoreMessages, PruningHappensWithoutReopeningToo) {
  constexpr std::uint64_t kDay = 24ull * 60 * 60 * 1000;
  const std::uint64_t start = 1700000000000ull;
  Guid old_guid{};
  old_guid[0] = 0xFF;
  ASSERT_TRUE(store->mark_envelope_seen(old_guid, start));
  for (std::uint32_t i = 0; i < 300; ++i) {
    Guid g{};
    g[0] = static_cast<std::uint8_t>(i);
    g[1] = static_cast<std::uint8_t>(i >> 8);
    g[2] = 1;
    ASSERT_TRUE(store->mark_envelope_seen(g, start + 50 * kDay));
  }
  EXPECT_FALSE(*store->envelope_seen(old_guid));
}

}  // namespace
}  // namespace sotto::client
