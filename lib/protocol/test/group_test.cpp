// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "sotto/protocol/group_cipher.hpp"
#include "sotto/testing/test_party.hpp"

namespace sotto::protocol {
namespace {

using testing::TestParty;

const DistributionId kGroup{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

class GroupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto skdm = create_sender_key_distribution(alice.address, kGroup, alice.sender_keys, *alice.rng);
    ASSERT_TRUE(skdm.has_value());
    ASSERT_TRUE(process_sender_key_distribution(alice.address, kGroup, *skdm, bob.sender_keys));
  }
  Bytes send(const std::string& s) {
    return *group_encrypt(alice.address, kGroup, to_bytes(s), alice.sender_keys, *alice.rng);
  }
  Result<Bytes> receive(const Bytes& m) {
    return group_decrypt(alice.address, kGroup, m, bob.sender_keys);
  }

  TestParty alice{"alice", 21};
  TestParty bob{"bob", 22};
};

TEST_F(GroupTest, DeliversInAnyOrder) {
  std::vector<std::pair<Bytes, std::string>> sent;
  for (int i = 0; i < 40; ++i) sent.emplace_back(send("g" + std::to_string(i)), "g" + std::to_string(i));
  std::mt19937 shuffle_rng(3);
  std::shuffle(sent.begin(), sent.end(), shuffle_rng);
  for (auto& [m, body] : sent) EXPECT_EQ(as_string(*receive(m)), body);
}

TEST_F(GroupTest, DuplicateTamperAndUnknownSender) {
  auto m = send("x");
  ASSERT_TRUE(receive(m).has_value());
  EXPECT_EQ(receive(m).error().code, Errc::duplicate_message);
  auto m2 = send("y");
  auto tampered = m2;
  tampered[5] ^= 1;
  EXPECT_FALSE(receive(tampered).has_value());
  auto bad_sig = m2;
  bad_sig.back() ^= 1;
  EXPECT_EQ(receive(bad_sig).error().code, Errc::invalid_signature);
  EXPECT_EQ(as_string(*receive(m2)), "y");
  auto unknown = group_decrypt(bob.address, kGroup, m2, alice.sender_keys);
  EXPECT_EQ(unknown.error().code, Errc::no_session);
}

TEST_F(GroupTest, LateJoinerReadsFromCurrentPosition) {
  send("before");
  TestParty carol{"carol", 23};
  auto skdm = create_sender_key_distribution(alice.address, kGroup, alice.sender_keys, *alice.rng);
  ASSERT_TRUE(process_sender_key_distribution(alice.address, kGroup, *skdm, carol.sender_keys));
  auto m = send("after");
  EXPECT_EQ(as_string(*group_decrypt(alice.address, kGroup, m, carol.sender_keys)), "after");
}

TEST_F(GroupTest, RepeatedDistributionDoesNotRewind) {
  auto m = send("first");
  ASSERT_TRUE(receive(m).has_value());
  auto skdm = create_sender_key_distribution(alice.address, kGroup, alice.sender_keys, *alice.rng);
  ASSERT_TRUE(process_sender_key_distribution(alice.address, kGroup, *skdm, bob.sender_keys));
  EXPECT_EQ(receive(m).error().code, Errc::duplicate_message);
}

TEST_F(GroupTest, TooFarInFuture) {
  std::vector<Bytes> sent;
  for (int i = 0; i < 2002; ++i) sent.push_back(send("z"));
  EXPECT_EQ(receive(sent.back()).error().code, Errc::too_far_in_future);
  EXPECT_TRUE(receive(sent[2000]).has_value());
}

}  // namespace
}  // namespace sotto::protocol
