// SPDX-License-Identifier: Apache-2.0
#include <vector>

#include "conformance_support.hpp"

namespace sotto::storage::testing {
namespace {

template <class B>
class DeviceConformance : public StorageTest<B> {};
TYPED_TEST_SUITE(DeviceConformance, AllBackends);

constexpr std::int64_t kDay3 = 3 * kDayMs;

TYPED_TEST(DeviceConformance, AddListAndGet) {
  AccountId a = account_id(1);
  ASSERT_OK(this->accounts().create_account({a, "gina", filled(33, 1), 1}));
  for (DeviceId d : {3u, 1u, 127u}) {
    ASSERT_OK(this->devices().add_device(make_device(a, d, kDay3 + 5 * 3'600'000)));
  }
  auto list = this->devices().list_devices(a);
  ASSERT_OK(list);
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ((*list)[0].id, 1u);
  EXPECT_EQ((*list)[1].id, 3u);
  EXPECT_EQ((*list)[2].id, 127u);

  auto d3 = this->devices().get_device(a, 3);
  ASSERT_OK(d3);
  Device want = make_device(a, 3, kDay3 + 5 * 3'600'000);
  EXPECT_EQ(d3->account, a);
  EXPECT_EQ(d3->id, 3u);
  EXPECT_EQ(d3->public_key, want.public_key);
  EXPECT_EQ(d3->registration_id, want.registration_id);
  EXPECT_EQ(d3->created_ms, want.created_ms);
  EXPECT_EQ(d3->last_seen_day_ms, kDay3);  // the creation day, at 00:00 UTC
}

TYPED_TEST(DeviceConformance, AccountWithoutDevicesListsEmpty) {
  ASSERT_OK(this->accounts().create_account({account_id(1), "hank", filled(33, 1), 1}));
  auto list = this->devices().list_devices(account_id(1));
  ASSERT_OK(list);
  EXPECT_TRUE(list->empty());
}

TYPED_TEST(DeviceConformance, RejectsBadInput) {
  AccountId a = this->add_account(1, "ivy");
  EXPECT_ERRC(this->devices().add_device(make_device(a, 0)), Errc::bad_request);
  EXPECT_ERRC(this->devices().add_device(make_device(a, 128)), Errc::bad_request);
  Device short_key = make_device(a, 2);
  short_key.public_key.pop_back();
  EXPECT_ERRC(this->devices().add_device(short_key), Errc::bad_request);
  EXPECT_ERRC(this->devices().add_device(make_device(a, 1)), Errc::already_exists);
  EXPECT_ERRC(this->devices().add_device(make_device(account_id(9), 1)), Errc::not_found);
  auto list = this->devices().list_devices(a);
  ASSERT_OK(list);
  EXPECT_EQ(list->size(), 1u);
}

// Every send reads the recipient's list, so a store may keep it in memory;
// each change must show in the next list all the same.
TYPED_TEST(DeviceConformance, ListFollowsEveryChange) {
  AccountId a = this->add_account(1, "kim");
  auto ids = [&] {
    std::vector<DeviceId> out;
    auto list = this->devices().list_devices(a);
    EXPECT_TRUE(list);
    if (list) {
      for (const auto& d : *list) out.push_back(d.id);
    }
    return out;
  };
  EXPECT_EQ(ids(), (std::vector<DeviceId>{1}));
  ASSERT_OK(this->devices().add_device(make_device(a, 2)));
  EXPECT_EQ(ids(), (std::vector<DeviceId>{1, 2}));
  ASSERT_OK(this->devices().remove_device(a, 1));
  EXPECT_EQ(ids(), (std::vector<DeviceId>{2}));
  ASSERT_OK(this->devices().touch_last_seen(a, 2, 40 * kDayMs));
  auto list = this->devices().list_devices(a);
  ASSERT_OK(list);
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].last_seen_day_ms, 40 * kDayMs);
  ASSERT_OK(this->accounts().delete_account(a));
  EXPECT_ERRC(this->devices().list_devices(a), Errc::not_found);
}

TYPED_TEST(DeviceConformance, UnknownIsNotFound) {
  AccountId a = this->add_account(1, "jack");
  EXPECT_ERRC(this->devices().list_devices(account_id(9)), Errc::not_found);
  EXPECT_ERRC(this->devices().get_device(a, 2), Errc::not_found);
  EXPECT_ERRC(this->devices().get_device(account_id(9), 1), Errc::not_found);
  EXPECT_ERRC(this->devices().remove_device(a, 2), Errc::not_found);
  EXPECT_ERRC(this->devices().touch_last_seen(a, 2, kDay3), Errc::not_found);
}

TYPED_TEST(DeviceConformance, RemoveCascadesSoAReusedIdStartsEmpty) {
  AccountId a = this->add_account(1, "kate");
  ASSERT_OK(this->devices().add_device(make_device(a, 2)));
  ASSERT_OK(this->keys().set_signed_prekey(a, 2, {1, filled(33, 1), filled(64, 2)}));
  std::vector<OneTimePreKey> ec{{10, filled(33, 5)}};
  ASSERT_OK(this->keys().add_one_time_prekeys(a, 2, ec));
  ASSERT_OK(this->put(make_envelope(a, 2, 1)));
  ASSERT_OK(this->put(make_envelope(a, 1, 2)));

  ASSERT_OK(this->devices().remove_device(a, 2));
  EXPECT_ERRC(this->devices().get_device(a, 2), Errc::not_found);
  EXPECT_ERRC(this->mailbox().count(a, 2), Errc::not_found);

  ASSERT_OK(this->devices().add_device(make_device(a, 2)));
  EXPECT_ERRC(this->keys().take_bundle(a, 2), Errc::not_found);  // no signed prekey
  auto counts = this->keys().count_prekeys(a, 2);
  ASSERT_OK(counts);
  EXPECT_EQ(counts->ec, 0u);
  auto fetched = this->mailbox().fetch(a, 2, 0, 10);
  ASSERT_OK(fetched);
  EXPECT_TRUE(fetched->empty());
  // The old message's guid is free again, and device 1 kept its message.
  ASSERT_OK(this->put(make_envelope(a, 2, 1)));
  auto count1 = this->mailbox().count(a, 1);
  ASSERT_OK(count1);
  EXPECT_EQ(*count1, 1u);
}

TYPED_TEST(DeviceConformance, LastSeenIsADayAndNeverMovesBack) {
  AccountId a = this->add_account(1, "liam");  // created at 1000 ms: day 0
  ASSERT_OK(this->devices().touch_last_seen(a, 1, kDay3 + 17 * 3'600'000 + 1));
  auto d = this->devices().get_device(a, 1);
  ASSERT_OK(d);
  EXPECT_EQ(d->last_seen_day_ms, kDay3);

  ASSERT_OK(this->devices().touch_last_seen(a, 1, kDayMs + 5));
  d = this->devices().get_device(a, 1);
  ASSERT_OK(d);
  EXPECT_EQ(d->last_seen_day_ms, kDay3);
}

TEST(UtcDay, TruncatesToMidnightUtc) {
  EXPECT_EQ(utc_day_start(0), 0);
  EXPECT_EQ(utc_day_start(kDayMs - 1), 0);
  EXPECT_EQ(utc_day_start(kDayMs), kDayMs);
  EXPECT_EQ(utc_day_start(-1), -kDayMs);
  EXPECT_EQ(utc_day_start(1'700'000'000'000), 1'699'920'000'000);  // 2023-11-14
}

TEST(FoldUsername, LowercasesAsciiOnly) {
  EXPECT_EQ(fold_username("Alice_.9Z"), "alice_.9z");
  EXPECT_EQ(fold_username("\xC3\x84"), "\xC3\x84");  // non-ASCII passes unchanged
}

}  // namespace
}  // namespace sotto::storage::testing
