// SPDX-License-Identifier: Apache-2.0
#include "conformance_support.hpp"

namespace sotto::storage::testing {
namespace {

template <class B>
class DurabilityConformance : public StorageTest<B> {};
TYPED_TEST_SUITE(DurabilityConformance, PersistentBackends);

TYPED_TEST(DurabilityConformance, EverythingSurvivesReopen) {
  MailboxLimits limits{.max_messages = 3, .max_bytes = 1 << 20};
  this->reopen(limits);
  AccountId a = this->add_account(1, "Olga");
  ASSERT_OK(this->devices().add_device(make_device(a, 2, 5 * kDayMs)));
  ASSERT_OK(this->keys().set_signed_prekey(a, 1, {1, filled(33, 1), filled(64, 2)}));
  ASSERT_OK(this->keys().set_kyber_last_resort(a, 1, {2, filled(1569, 3), filled(64, 4)}));
  std::vector<OneTimePreKey> ec{{10, filled(33, 5)}, {11, filled(33, 6)}};
  ASSERT_OK(this->keys().add_one_time_prekeys(a, 1, ec));
  ASSERT_OK(this->put(make_envelope(a, 1, 1)));
  ASSERT_OK(this->put(make_envelope(a, 1, 2)));
  ASSERT_OK(this->put(make_envelope(a, 1, 3)));
  auto before = this->mailbox().fetch(a, 1, 0, 10);
  ASSERT_OK(before);

  this->reopen(limits);

  auto account = this->accounts().lookup_username("olga");
  ASSERT_OK(account);
  EXPECT_EQ(account->id, a);
  auto list = this->devices().list_devices(a);
  ASSERT_OK(list);
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[1].last_seen_day_ms, 5 * kDayMs);
  auto counts = this->keys().count_prekeys(a, 1);
  ASSERT_OK(counts);
  EXPECT_EQ(counts->ec, 2u);
  auto bundle = this->keys().take_bundle(a, 1);
  ASSERT_OK(bundle);
  ASSERT_TRUE(bundle->one_time);
  EXPECT_EQ(bundle->one_time->id, 10u);
  EXPECT_TRUE(bundle->kyber_is_last_resort);

  auto after = this->mailbox().fetch(a, 1, 0, 10);
  ASSERT_OK(after);
  ASSERT_EQ(after->size(), before->size());
  for (std::size_t i = 0; i < after->size(); ++i) {
    EXPECT_EQ((*after)[i].seq, (*before)[i].seq);
    EXPECT_EQ((*after)[i].guid, (*before)[i].guid);
    EXPECT_EQ((*after)[i].envelope, (*before)[i].envelope);
  }
  // The queue's size survived too: the cap still holds, and new seqs continue.
  EXPECT_ERRC(this->put(make_envelope(a, 1, 4)), Errc::queue_full);
  ASSERT_OK(this->mailbox().ack(a, 1, guid(3)));
  ASSERT_OK(this->put(make_envelope(a, 1, 4)));
  auto newest = this->mailbox().fetch(a, 1, before->back().seq, 10);
  ASSERT_OK(newest);
  ASSERT_EQ(newest->size(), 1u);
  EXPECT_EQ((*newest)[0].guid, guid(4));
}

}  // namespace
}  // namespace sotto::storage::testing
