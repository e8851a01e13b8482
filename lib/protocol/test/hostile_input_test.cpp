// SPDX-License-Identifier: Apache-2.0
// Every kind of bad message gets its own typed error, and the session still
// decrypts the next valid message afterwards.
#include <gtest/gtest.h>

#include "sotto/protocol/session_builder.hpp"
#include "sotto/protocol/session_cipher.hpp"
#include "sotto/testing/test_party.hpp"
#include "sotto/wire/signal_message.hpp"

namespace sotto::protocol {
namespace {

using testing::TestParty;

class HostileInputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto stores = alice.stores();
    auto bundle = bob.make_bundle();
    ASSERT_TRUE(process_prekey_bundle(bob.address, bundle, stores, *alice.rng).has_value());
    ASSERT_EQ(deliver_to_bob(send_from_alice("hello")).value_or(Bytes{}), to_bytes("hello"));
    auto bob_stores = bob.stores();
    auto reply = encrypt(alice.address, to_bytes("hi"), bob_stores, *bob.rng);
    auto stores2 = alice.stores();
    ASSERT_TRUE(decrypt_signal_message(bob.address, reply->serialized, stores2, *alice.rng));
  }

  CiphertextMessage send_from_alice(const std::string& plaintext) {
    auto stores = alice.stores();
    return *encrypt(bob.address, to_bytes(plaintext), stores, *alice.rng);
  }
  Result<Bytes> deliver_to_bob(const CiphertextMessage& m) {
    auto stores = bob.stores();
    if (m.type == MessageType::prekey) {
      return decrypt_prekey_message(alice.address, m.serialized, stores, *bob.rng);
    }
    return decrypt_signal_message(alice.address, m.serialized, stores, *bob.rng);
  }
  Errc error_of(const CiphertextMessage& m) {
    auto r = deliver_to_bob(m);
    EXPECT_FALSE(r.has_value());
    return r ? Errc::internal : r.error().code;
  }
  void expect_session_still_works() {
    auto m = send_from_alice("still works");
    auto r = deliver_to_bob(m);
    ASSERT_TRUE(r.has_value()) << r.error().message;
    EXPECT_EQ(as_string(*r), "still works");
  }

  TestParty alice{"alice", 11, 1};
  TestParty bob{"bob", 12, 2};
};

TEST_F(HostileInputTest, TamperedMacIsInvalidMac) {
  auto m = send_from_alice("secret");
  m.serialized.back() ^= 0x01;
  EXPECT_EQ(error_of(m), Errc::invalid_mac);
  m.serialized.back() ^= 0x01;
  EXPECT_EQ(as_string(*deliver_to_bob(m)), "secret");
  expect_session_still_works();
}

TEST_F(HostileInputTest, TamperedCiphertextIsInvalidMac) {
  auto m = send_from_alice("secret");
  m.serialized[m.serialized.size() - 12] ^= 0x40;
  EXPECT_EQ(error_of(m), Errc::invalid_mac);
  expect_session_still_works();
}

TEST_F(HostileInputTest, TruncatedMessagesAreInvalid) {
  auto m = send_from_alice("secret");
  for (std::size_t len = 0; len < m.serialized.size(); ++len) {
    CiphertextMessage cut{m.type, Bytes(m.serialized.begin(), m.serialized.begin() + len)};
    auto code = error_of(cut);
    EXPECT_TRUE(code == Errc::invalid_message || code == Errc::invalid_mac ||
                code == Errc::legacy_version)
        << "length " << len << ": " << errc_name(code);
  }
  expect_session_still_works();
}

TEST_F(HostileInputTest, OversizedMessageIsInvalid) {
  auto m = send_from_alice("secret");
  m.serialized.resize(wire::kMaxMessageSize + 1, 0);
  EXPECT_EQ(error_of(m), Errc::invalid_message);
  expect_session_still_works();
}

TEST_F(HostileInputTest, VersionBytesAreChecked) {
  auto m = send_from_alice("secret");
  auto legacy = m;
  legacy.serialized[0] = 0x23;
  EXPECT_EQ(error_of(legacy), Errc::legacy_version);
  auto unknown = m;
  unknown.serialized[0] = 0x53;
  EXPECT_EQ(error_of(unknown), Errc::unknown_version);
  auto mismatched = m;  // a v4 message on a v3 session
  mismatched.serialized[0] = 0x44;
  EXPECT_NE(error_of(mismatched), Errc::internal);
  EXPECT_EQ(as_string(*deliver_to_bob(m)), "secret");
}

TEST_F(HostileInputTest, ReplayedCounterIsDuplicate) {
  auto m = send_from_alice("once");
  ASSERT_TRUE(deliver_to_bob(m).has_value());
  EXPECT_EQ(error_of(m), Errc::duplicate_message);
  expect_session_still_works();
}

TEST_F(HostileInputTest, UnknownPrekeyIdsAreReported) {
  TestParty carol{"carol", 13, 3};
  auto bundle = bob.make_bundle(true, 7, 700);
  bundle.prekey_id = 701;  // a one-time id bob never issued
  auto stores = carol.stores();
  ASSERT_TRUE(process_prekey_bundle(bob.address, bundle, stores, *carol.rng).has_value());
  auto m = *encrypt(bob.address, to_bytes("hey"), stores, *carol.rng);
  auto bob_stores = bob.stores();
  auto r = decrypt_prekey_message(carol.address, m.serialized, bob_stores, *bob.rng);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::invalid_prekey_id);
  EXPECT_FALSE(bob.identity.get_identity(carol.address)->has_value());

  bundle.prekey_id.reset();
  bundle.prekey.reset();
  bundle.signed_prekey_id = 8;  // unknown signed prekey id (same key, wrong id)
  ASSERT_TRUE(process_prekey_bundle(bob.address, bundle, stores, *carol.rng).has_value());
  m = *encrypt(bob.address, to_bytes("hey"), stores, *carol.rng);
  r = decrypt_prekey_message(carol.address, m.serialized, bob_stores, *bob.rng);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::invalid_prekey_id);
  expect_session_still_works();
}

TEST_F(HostileInputTest, ForgedPreKeyMessageLeavesNoTrace) {
  // Mallory claims to be alice with her own identity.
  TestParty mallory{"alice", 14, 1};
  auto stores = mallory.stores();
  ASSERT_TRUE(process_prekey_bundle(bob.address, bob.make_bundle(true, 9, 900), stores,
                                    *mallory.rng).has_value());
  auto m = *encrypt(bob.address, to_bytes("i am alice"), stores, *mallory.rng);
  EXPECT_EQ(error_of(m), Errc::untrusted_identity);
  EXPECT_TRUE(bob.prekeys.load_prekey(900).has_value());
  expect_session_still_works();
}

TEST_F(HostileInputTest, ReplayedPreKeyMessageWithRespelledBaseKeyIsRefused) {
  // Without a one-time prekey nothing is consumed by the first delivery, so a
  // replay is caught only by recognising the base key, whatever its spelling.
  TestParty carol{"carol", 15, 3};
  auto stores = carol.stores();
  ASSERT_TRUE(process_prekey_bundle(bob.address, bob.make_bundle(false, 10), stores, *carol.rng));
  auto m = *encrypt(bob.address, to_bytes("once"), stores, *carol.rng);
  auto bob_stores = bob.stores();
  ASSERT_TRUE(decrypt_prekey_message(carol.address, m.serialized, bob_stores, *bob.rng));
  auto parsed = *wire::parse_prekey_signal_message(m.serialized);
  parsed.base_key[32] ^= 0x80;  // bit 255 of u: ignored by X25519
  auto respelled = wire::encode_prekey_signal_message(parsed);
  auto r = decrypt_prekey_message(carol.address, respelled, bob_stores, *bob.rng);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::invalid_message);
  EXPECT_EQ(decrypt_prekey_message(carol.address, m.serialized, bob_stores, *bob.rng).error().code,
            Errc::duplicate_message);
}

TEST_F(HostileInputTest, WhisperBytesGivenAsPreKeyAreInvalid) {
  auto m = send_from_alice("secret");
  m.type = MessageType::prekey;
  auto code = error_of(m);
  EXPECT_TRUE(code == Errc::invalid_message || code == Errc::legacy_version) << errc_name(code);
  m.type = MessageType::whisper;
  EXPECT_EQ(as_string(*deliver_to_bob(m)), "secret");
}

}  // namespace
}  // namespace sotto::protocol
