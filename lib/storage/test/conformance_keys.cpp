// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <mutex>
#include <set>
#include <thread>

#include "conformance_support.hpp"

namespace sotto::storage::testing {
namespace {

template <class B>
class KeyConformance : public StorageTest<B> {
 protected:
  void SetUp() override {
    StorageTest<B>::SetUp();
    a_ = this->add_account(1, "mia");
  }
  Status add_ec(std::initializer_list<std::uint32_t> ids) {
    std::vector<OneTimePreKey> keys;
    for (auto id : ids) keys.push_back({id, filled(33, static_cast<std::uint8_t>(id))});
    return this->keys().add_one_time_prekeys(a_, 1, keys);
  }
  Status add_kyber(std::initializer_list<std::uint32_t> ids) {
    std::vector<KyberPreKey> keys;
    for (auto id : ids) {
      keys.push_back({id, filled(1569, static_cast<std::uint8_t>(id)), filled(64, 1)});
    }
    return this->keys().add_kyber_prekeys(a_, 1, keys);
  }
  AccountId a_;
};
TYPED_TEST_SUITE(KeyConformance, AllBackends);

const SignedPreKey kSigned{7, filled(33, 0x51), filled(64, 0x52)};
const KyberPreKey kLastResort{8, filled(1569, 0x61), filled(64, 0x62)};

TYPED_TEST(KeyConformance, BundleNeedsASignedPreKey) {
  EXPECT_ERRC(this->keys().take_bundle(this->a_, 1), Errc::not_found);
  ASSERT_OK(this->keys().set_signed_prekey(this->a_, 1, kSigned));
  auto bundle = this->keys().take_bundle(this->a_, 1);
  ASSERT_OK(bundle);
  EXPECT_EQ(bundle->signed_prekey.id, 7u);
  EXPECT_EQ(bundle->signed_prekey.public_key, kSigned.public_key);
  EXPECT_EQ(bundle->signed_prekey.signature, kSigned.signature);
  EXPECT_FALSE(bundle->one_time);
  EXPECT_FALSE(bundle->kyber);  // no Kyber key of any kind uploaded
  EXPECT_FALSE(bundle->kyber_is_last_resort);
}

TYPED_TEST(KeyConformance, UploadStoresEverythingAtOnce) {
  KeyUpload upload;
  upload.signed_prekey = kSigned;
  upload.one_time = {{5, filled(33, 5)}, {6, filled(33, 6)}};
  upload.kyber = {{7, filled(1569, 7), filled(64, 7)}};
  upload.kyber_last_resort = kLastResort;
  ASSERT_OK(this->keys().upload_keys(this->a_, 1, upload));
  auto counts = this->keys().count_prekeys(this->a_, 1);
  ASSERT_OK(counts);
  EXPECT_EQ(counts->ec, 2u);
  EXPECT_EQ(counts->kyber, 1u);
  // An empty upload is fine and changes nothing.
  ASSERT_OK(this->keys().upload_keys(this->a_, 1, {}));
  auto bundle = this->keys().take_bundle(this->a_, 1);
  ASSERT_OK(bundle);
  EXPECT_EQ(bundle->signed_prekey.id, kSigned.id);
  ASSERT_TRUE(bundle->one_time);
  EXPECT_EQ(bundle->one_time->id, 5u);
  ASSERT_TRUE(bundle->kyber);
  EXPECT_EQ(bundle->kyber->id, 7u);
  EXPECT_ERRC(this->keys().upload_keys(this->a_, 9, upload), Errc::not_found);
}

TYPED_TEST(KeyConformance, UploadFailingMidwayChangesNothing) {
  ASSERT_OK(this->keys().set_signed_prekey(this->a_, 1, kSigned));
  ASSERT_OK(this->add_ec({1}));
  // The signed prekey and the one-time keys come before the repeated Kyber
  // id: a store writing as it goes must undo them.
  KeyUpload upload;
  upload.signed_prekey = SignedPreKey{99, filled(33, 9), filled(64, 9)};
  upload.one_time = {{5, filled(33, 5)}, {6, filled(33, 6)}};
  upload.kyber = {{7, filled(1569, 7), filled(64, 7)}, {7, filled(1569, 8), filled(64, 8)}};
  upload.kyber_last_resort = kLastResort;
  EXPECT_ERRC(this->keys().upload_keys(this->a_, 1, upload), Errc::bad_request);
  // A repeated one-time EC id is refused alike.
  upload.kyber.pop_back();
  upload.one_time.push_back({5, filled(33, 1)});
  EXPECT_ERRC(this->keys().upload_keys(this->a_, 1, upload), Errc::bad_request);

  auto counts = this->keys().count_prekeys(this->a_, 1);
  ASSERT_OK(counts);
  EXPECT_EQ(counts->ec, 1u);
  EXPECT_EQ(counts->kyber, 0u);
  auto bundle = this->keys().take_bundle(this->a_, 1);
  ASSERT_OK(bundle);
  EXPECT_EQ(bundle->signed_prekey.id, kSigned.id);  // not replaced
  ASSERT_TRUE(bundle->one_time);
  EXPECT_EQ(bundle->one_time->id, 1u);
  EXPECT_FALSE(bundle->kyber);  // no last-resort key was stored
}

TYPED_TEST(KeyConformance, SignedAndLastResortKeysAreReplaced) {
  ASSERT_OK(this->keys().set_signed_prekey(this->a_, 1, kSigned));
  ASSERT_OK(this->keys().set_signed_prekey(this->a_, 1, {9, filled(33, 1), filled(64, 2)}));
  ASSERT_OK(this->keys().set_kyber_last_resort(this->a_, 1, kLastResort));
  ASSERT_OK(this->keys().set_kyber_last_resort(this->a_, 1, {10, filled(1569, 3), filled(64, 4)}));
  auto bundle = this->keys().take_bundle(this->a_, 1);
  ASSERT_OK(bundle);
  EXPECT_EQ(bundle->signed_prekey.id, 9u);
  EXPECT_EQ(bundle->signed_prekey.public_key, filled(33, 1));
  ASSERT_TRUE(bundle->kyber);
  EXPECT_EQ(bundle->kyber->id, 10u);
  EXPECT_EQ(bundle->kyber->signature, filled(64, 4));
  EXPECT_TRUE(bundle->kyber_is_last_resort);
}

TYPED_TEST(KeyConformance, OneTimeKeysGoOutOnceLowestIdFirst) {
  ASSERT_OK(this->keys().set_signed_prekey(this->a_, 1, kSigned));
  ASSERT_OK(this->add_ec({5, 3, 9}));
  auto counts = this->keys().count_prekeys(this->a_, 1);
  ASSERT_OK(counts);
  EXPECT_EQ(counts->ec, 3u);
  for (std::uint32_t want : {3u, 5u, 9u}) {
    auto bundle = this->keys().take_bundle(this->a_, 1);
    ASSERT_OK(bundle);
    ASSERT_TRUE(bundle->one_time);
    EXPECT_EQ(bundle->one_time->id, want);
    EXPECT_EQ(bundle->one_time->public_key, filled(33, static_cast<std::uint8_t>(want)));
  }
  auto bundle = this->keys().take_bundle(this->a_, 1);
  ASSERT_OK(bundle);
  EXPECT_FALSE(bundle->one_time);
  counts = this->keys().count_prekeys(this->a_, 1);
  ASSERT_OK(counts);
  EXPECT_EQ(counts->ec, 0u);
}

TYPED_TEST(KeyConformance, KyberOneTimeKeysThenLastResort) {
  ASSERT_OK(this->keys().set_signed_prekey(this->a_, 1, kSigned));
  ASSERT_OK(this->keys().set_kyber_last_resort(this->a_, 1, kLastResort));
  ASSERT_OK(this->add_kyber({22, 21}));
  auto counts = this->keys().count_prekeys(this->a_, 1);
  ASSERT_OK(counts);
  EXPECT_EQ(counts->kyber, 2u);  // the last-resort key is not counted
  for (std::uint32_t want : {21u, 22u}) {
    auto bundle = this->keys().take_bundle(this->a_, 1);
    ASSERT_OK(bundle);
    ASSERT_TRUE(bundle->kyber);
    EXPECT_EQ(bundle->kyber->id, want);
    EXPECT_EQ(bundle->kyber->public_key, filled(1569, static_cast<std::uint8_t>(want)));
    EXPECT_FALSE(bundle->kyber_is_last_resort);
  }
  for (int i = 0; i < 2; ++i) {  // the last-resort key is handed out, never used up
    auto bundle = this->keys().take_bundle(this->a_, 1);
    ASSERT_OK(bundle);
    ASSERT_TRUE(bundle->kyber);
    EXPECT_EQ(bundle->kyber->id, kLastResort.id);
    EXPECT_EQ(bundle->kyber->public_key, kLastResort.public_key);
    EXPECT_TRUE(bundle->kyber_is_last_resort);
  }
}

TYPED_TEST(KeyConformance, ReuploadedIdReplacesTheKey) {
  ASSERT_OK(this->keys().set_signed_prekey(this->a_, 1, kSigned));
  ASSERT_OK(this->add_ec({1}));
  std::vector<OneTimePreKey> again{{1, filled(33, 0xEE)}};
  ASSERT_OK(this->keys().add_one_time_prekeys(this->a_, 1, again));
  auto counts = this->keys().count_prekeys(this->a_, 1);
  ASSERT_OK(counts);
  EXPECT_EQ(counts->ec, 1u);
  auto bundle = this->keys().take_bundle(this->a_, 1);
  ASSERT_OK(bundle);
  ASSERT_TRUE(bundle->one_time);
  EXPECT_EQ(bundle->one_time->public_key, filled(33, 0xEE));
}

TYPED_TEST(KeyConformance, DevicesHaveSeparateStocks) {
  ASSERT_OK(this->devices().add_device(make_device(this->a_, 2)));
  ASSERT_OK(this->keys().set_signed_prekey(this->a_, 2, kSigned));
  ASSERT_OK(this->add_ec({1, 2}));  // device 1 only
  auto bundle = this->keys().take_bundle(this->a_, 2);
  ASSERT_OK(bundle);
  EXPECT_FALSE(bundle->one_time);
  auto counts = this->keys().count_prekeys(this->a_, 1);
  ASSERT_OK(counts);
  EXPECT_EQ(counts->ec, 2u);
}

TYPED_TEST(KeyConformance, UnknownDeviceIsNotFound) {
  AccountId a = this->a_;
  std::vector<OneTimePreKey> ec{{1, filled(33, 1)}};
  std::vector<KyberPreKey> kyber{{1, filled(1569, 1), filled(64, 1)}};
  EXPECT_ERRC(this->keys().set_signed_prekey(a, 2, kSigned), Errc::not_found);
  EXPECT_ERRC(this->keys().set_kyber_last_resort(a, 2, kLastResort), Errc::not_found);
  EXPECT_ERRC(this->keys().add_one_time_prekeys(a, 2, ec), Errc::not_found);
  EXPECT_ERRC(this->keys().add_one_time_prekeys(a, 2, {}), Errc::not_found);
  EXPECT_ERRC(this->keys().add_kyber_prekeys(a, 2, kyber), Errc::not_found);
  EXPECT_ERRC(this->keys().count_prekeys(a, 2), Errc::not_found);
  EXPECT_ERRC(this->keys().take_bundle(a, 2), Errc::not_found);
  EXPECT_ERRC(this->keys().take_bundle(account_id(9), 1), Errc::not_found);
}

// keys.fetch from many connections at once: every one-time key must reach
// exactly one caller, and the callers past the stock must get none.
TYPED_TEST(KeyConformance, ConcurrentTakesHandOutEachKeyOnce) {
  constexpr int kThreads = 4;
  constexpr int kTakesPerThread = 200;
  constexpr std::uint32_t kEcKeys = 500;
  constexpr std::uint32_t kKyberKeys = 300;
  ASSERT_OK(this->keys().set_signed_prekey(this->a_, 1, kSigned));
  ASSERT_OK(this->keys().set_kyber_last_resort(this->a_, 1, kLastResort));
  std::vector<OneTimePreKey> ec;
  for (std::uint32_t id = 1; id <= kEcKeys; ++id) ec.push_back({id, filled(33, 1)});
  ASSERT_OK(this->keys().add_one_time_prekeys(this->a_, 1, ec));
  std::vector<KyberPreKey> kyber;
  for (std::uint32_t id = 1; id <= kKyberKeys; ++id) {
    kyber.push_back({id, filled(1569, 1), filled(64, 1)});
  }
  ASSERT_OK(this->keys().add_kyber_prekeys(this->a_, 1, kyber));

  std::mutex mu;
  std::multiset<std::uint32_t> ec_ids, kyber_ids;
  int no_ec = 0, last_resort = 0, errors = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kTakesPerThread; ++i) {
        auto bundle = this->keys().take_bundle(this->a_, 1);
        std::lock_guard lock(mu);
        if (!bundle || !bundle->kyber) {
          ++errors;
          continue;
        }
        if (bundle->one_time) {
          ec_ids.insert(bundle->one_time->id);
        } else {
          ++no_ec;
        }
        if (bundle->kyber_is_last_resort) {
          ++last_resort;
        } else {
          kyber_ids.insert(bundle->kyber->id);
        }
      }
    });
  }
  for (auto& t : threads) t.join();

  ASSERT_EQ(errors, 0);
  ASSERT_EQ(ec_ids.size(), kEcKeys);
  EXPECT_EQ(std::set<std::uint32_t>(ec_ids.begin(), ec_ids.end()).size(), kEcKeys)
      << "a one-time EC prekey went to two callers";
  EXPECT_EQ(*ec_ids.begin(), 1u);
  EXPECT_EQ(*ec_ids.rbegin(), kEcKeys);
  EXPECT_EQ(no_ec, kThreads * kTakesPerThread - static_cast<int>(kEcKeys));
  ASSERT_EQ(kyber_ids.size(), kKyberKeys);
  EXPECT_EQ(std::set<std::uint32_t>(kyber_ids.begin(), kyber_ids.end()).size(), kKyberKeys)
      << "a one-time Kyber prekey went to two callers";
  EXPECT_EQ(last_resort, kThreads * kTakesPerThread - static_cast<int>(kKyberKeys));
  auto counts = this->keys().count_prekeys(this->a_, 1);
  ASSERT_OK(counts);
  EXPECT_EQ(counts->ec, 0u);
  EXPECT_EQ(counts->kyber, 0u);
}

}  // namespace
}  // namespace sotto::storage::testing
