// SPDX-License-Identifier: Apache-2.0
#include "conformance_support.hpp"

namespace sotto::storage::testing {
namespace {

template <class B>
class AccountConformance : public StorageTest<B> {};
TYPED_TEST_SUITE(AccountConformance, AllBackends);

TYPED_TEST(AccountConformance, CreateThenGetAndLookup) {
  Account alice{account_id(1), "Alice.Smith", filled(33, 7), 123};
  ASSERT_OK(this->accounts().create_account(alice));

  auto got = this->accounts().get_account(alice.id);
  ASSERT_OK(got);
  EXPECT_EQ(got->id, alice.id);
  EXPECT_EQ(got->username, "Alice.Smith");  // kept as typed
  EXPECT_EQ(got->identity_key, alice.identity_key);
  EXPECT_EQ(got->created_ms, 123);

  for (const char* name : {"Alice.Smith", "alice.smith", "ALICE.SMITH"}) {
    auto found = this->accounts().lookup_username(name);
    ASSERT_OK(found);
    EXPECT_EQ(found->id, alice.id) << name;
  }
}

TYPED_TEST(AccountConformance, UsernameDifferingOnlyInCaseIsTaken) {
  ASSERT_OK(this->accounts().create_account({account_id(1), "bob_99", filled(33, 1), 1}));
  EXPECT_ERRC(this->accounts().create_account({account_id(2), "BOB_99", filled(33, 2), 2}),
              Errc::already_exists);
  // The loser left nothing behind.
  EXPECT_ERRC(this->accounts().get_account(account_id(2)), Errc::not_found);
  auto found = this->accounts().lookup_username("Bob_99");
  ASSERT_OK(found);
  EXPECT_EQ(found->id, account_id(1));
}

// account.create's three writes (account, device, keys) as one.
KeyUpload first_device_keys() {
  KeyUpload keys;
  keys.signed_prekey = SignedPreKey{1, filled(33, 0x11), filled(64, 0x12)};
  keys.one_time = {{1, filled(33, 1)}, {2, filled(33, 2)}};
  keys.kyber = {{3, filled(1569, 3), filled(64, 3)}};
  keys.kyber_last_resort = KyberPreKey{4, filled(1569, 4), filled(64, 4)};
  return keys;
}

TYPED_TEST(AccountConformance, RegisterStoresAccountDeviceAndKeysTogether) {
  const Account alice{account_id(1), "alice", filled(33, 7), 123};
  ASSERT_OK(
      this->accounts().register_account(alice, make_device(alice.id, 1), first_device_keys()));
  auto found = this->accounts().lookup_username("ALICE");
  ASSERT_OK(found);
  EXPECT_EQ(found->id, alice.id);
  auto devices = this->devices().list_devices(alice.id);
  ASSERT_OK(devices);
  ASSERT_EQ(devices->size(), 1u);
  EXPECT_EQ((*devices)[0].registration_id, 1001u);
  auto counts = this->keys().count_prekeys(alice.id, 1);
  ASSERT_OK(counts);
  EXPECT_EQ(counts->ec, 2u);
  EXPECT_EQ(counts->kyber, 1u);
  auto bundle = this->keys().take_bundle(alice.id, 1);
  ASSERT_OK(bundle);
  EXPECT_EQ(bundle->signed_prekey.id, 1u);
  ASSERT_TRUE(bundle->one_time);
  EXPECT_EQ(bundle->one_time->id, 1u);
}

TYPED_TEST(AccountConformance, RegisterFailingMidwayLeavesNothing) {
  const Account alice{account_id(1), "alice", filled(33, 7), 123};
  // The account and device rows and the first keys are written before the
  // repeated Kyber id is reached: all of it must be undone.
  KeyUpload keys = first_device_keys();
  keys.kyber.push_back({3, filled(1569, 9), filled(64, 9)});
  EXPECT_ERRC(this->accounts().register_account(alice, make_device(alice.id, 1), keys),
              Errc::bad_request);
  EXPECT_ERRC(this->accounts().get_account(alice.id), Errc::not_found);
  EXPECT_ERRC(this->accounts().lookup_username("alice"), Errc::not_found);
  EXPECT_ERRC(this->devices().list_devices(alice.id), Errc::not_found);
  EXPECT_ERRC(this->keys().count_prekeys(alice.id, 1), Errc::not_found);

  // A bad device refuses the whole registration too.
  Device bad = make_device(alice.id, 1);
  bad.public_key.pop_back();
  EXPECT_ERRC(this->accounts().register_account(alice, bad, first_device_keys()),
              Errc::bad_request);
  EXPECT_ERRC(this->accounts().lookup_username("alice"), Errc::not_found);

  // The name is still free.
  ASSERT_OK(
      this->accounts().register_account(alice, make_device(alice.id, 1), first_device_keys()));
  auto counts = this->keys().count_prekeys(alice.id, 1);
  ASSERT_OK(counts);
  EXPECT_EQ(counts->ec, 2u);
}

TYPED_TEST(AccountConformance, RegisterWithTakenNameLeavesNoDevice) {
  ASSERT_OK(this->accounts().create_account({account_id(1), "bob", filled(33, 1), 1}));
  const Account other{account_id(2), "BOB", filled(33, 2), 2};
  EXPECT_ERRC(
      this->accounts().register_account(other, make_device(other.id, 1), first_device_keys()),
      Errc::already_exists);
  EXPECT_ERRC(this->accounts().get_account(other.id), Errc::not_found);
  EXPECT_ERRC(this->devices().get_device(other.id, 1), Errc::not_found);
}

TYPED_TEST(AccountConformance, AccountIdIsUnique) {
  ASSERT_OK(this->accounts().create_account({account_id(1), "carol", filled(33, 1), 1}));
  EXPECT_ERRC(this->accounts().create_account({account_id(1), "dave", filled(33, 1), 1}),
              Errc::already_exists);
  EXPECT_ERRC(this->accounts().lookup_username("dave"), Errc::not_found);
}

TYPED_TEST(AccountConformance, EmptyUsernameIsRejected) {
  EXPECT_ERRC(this->accounts().create_account({account_id(1), "", filled(33, 1), 1}),
              Errc::bad_request);
}

TYPED_TEST(AccountConformance, UnknownAccountIsNotFound) {
  EXPECT_ERRC(this->accounts().get_account(account_id(9)), Errc::not_found);
  EXPECT_ERRC(this->accounts().lookup_username("nobody"), Errc::not_found);
  EXPECT_ERRC(this->accounts().delete_account(account_id(9)), Errc::not_found);
}

TYPED_TEST(AccountConformance, DeleteCascadesToDevicesKeysAndQueues) {
  AccountId a = this->add_account(1, "erin");
  AccountId other = this->add_account(2, "frank");
  ASSERT_OK(this->devices().add_device(make_device(a, 2)));
  for (DeviceId d : {1u, 2u}) {
    ASSERT_OK(this->keys().set_signed_prekey(a, d, {1, filled(33, 1), filled(64, 2)}));
    ASSERT_OK(this->keys().set_kyber_last_resort(a, d, {2, filled(1569, 3), filled(64, 4)}));
    std::vector<OneTimePreKey> ec{{10, filled(33, 5)}, {11, filled(33, 6)}};
    ASSERT_OK(this->keys().add_one_time_prekeys(a, d, ec));
    std::vector<KyberPreKey> kyber{{20, filled(1569, 7), filled(64, 8)}};
    ASSERT_OK(this->keys().add_kyber_prekeys(a, d, kyber));
  }
  ASSERT_OK(this->put(make_envelope(a, 1, 100)));
  ASSERT_OK(this->put(make_envelope(a, 2, 101)));
  ASSERT_OK(this->put(make_envelope(other, 1, 102)));

  ASSERT_OK(this->accounts().delete_account(a));

  EXPECT_ERRC(this->accounts().get_account(a), Errc::not_found);
  EXPECT_ERRC(this->accounts().lookup_username("erin"), Errc::not_found);
  EXPECT_ERRC(this->devices().list_devices(a), Errc::not_found);
  for (DeviceId d : {1u, 2u}) {
    EXPECT_ERRC(this->devices().get_device(a, d), Errc::not_found);
    EXPECT_ERRC(this->keys().count_prekeys(a, d), Errc::not_found);
    EXPECT_ERRC(this->keys().take_bundle(a, d), Errc::not_found);
    EXPECT_ERRC(this->mailbox().count(a, d), Errc::not_found);
    EXPECT_ERRC(this->mailbox().fetch(a, d, 0, 10), Errc::not_found);
  }
  // Nothing of the deleted account expires later: its envelopes are gone.
  auto expired = this->mailbox().expire(std::int64_t{1} << 60, 100);
  ASSERT_OK(expired);
  ASSERT_EQ(expired->size(), 1u);
  EXPECT_EQ((*expired)[0].guid, guid(102));

  // The other account is untouched, and the username and id are free again.
  ASSERT_OK(this->accounts().get_account(other));
  ASSERT_OK(this->accounts().create_account({a, "ERIN", filled(33, 9), 5}));
  ASSERT_OK(this->devices().add_device(make_device(a, 1)));
  auto counts = this->keys().count_prekeys(a, 1);
  ASSERT_OK(counts);
  EXPECT_EQ(counts->ec, 0u);
  EXPECT_EQ(counts->kyber, 0u);
  auto queued = this->mailbox().count(a, 1);
  ASSERT_OK(queued);
  EXPECT_EQ(*queued, 0u);
}

}  // namespace
}  // namespace sotto::storage::testing
