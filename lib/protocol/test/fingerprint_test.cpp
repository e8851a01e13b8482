// SPDX-License-Identifier: Apache-2.0
// libsignal's published fingerprint vector (fingerprint.rs; also in
// libsignal-protocol-c's test_fingerprint.c).
#include "sotto/protocol/fingerprint.hpp"

#include <gtest/gtest.h>

#include "sotto/core/encoding.hpp"

namespace sotto::protocol {
namespace {

PublicKey key(const char* hex) { return *PublicKey::deserialize(*hex_decode(hex)); }

const PublicKey kAlice = key("0506863bc66d02b40d27b8d49ca7c09e9239236f9d7d25d6fcca5ce13c7064d868");
const PublicKey kBob = key("05f781b6fb32fed9ba1cf2de978d4d5da28dc34046ae814402b5c0dbd96fda907b");
constexpr const char* kDisplayable = "300354477692869396892869876765458257569162576843440918079131";
constexpr const char* kAliceScannable =
    "080112220a201e301a0353dce3dbe7684cb8336e85136cdc0ee96219494ada305d62a7bd61df1a220a20d62cbf73a1"
    "1592015b6b9f1682ac306fea3aaf3885b84d12bca631e9d4fb3a4d";
constexpr const char* kBobScannable =
    "080112220a20d62cbf73a11592015b6b9f1682ac306fea3aaf3885b84d12bca631e9d4fb3a4d1a220a201e301a0353"
    "dce3dbe7684cb8336e85136cdc0ee96219494ada305d62a7bd61df";

TEST(Fingerprint, LibsignalVectorV1) {
  auto alice = compute_fingerprint(1, 5200, as_bytes("+14152222222"), kAlice,
                                   as_bytes("+14153333333"), kBob);
  auto bob = compute_fingerprint(1, 5200, as_bytes("+14153333333"), kBob,
                                 as_bytes("+14152222222"), kAlice);
  ASSERT_TRUE(alice && bob);
  EXPECT_EQ(alice->displayable, kDisplayable);
  EXPECT_EQ(bob->displayable, kDisplayable);
  EXPECT_EQ(hex_encode(alice->scannable), kAliceScannable);
  EXPECT_EQ(hex_encode(bob->scannable), kBobScannable);
  EXPECT_TRUE(*compare_scannable(alice->scannable, bob->scannable));
  EXPECT_TRUE(*compare_scannable(bob->scannable, alice->scannable));
}

TEST(Fingerprint, MismatchAndVersionErrors) {
  auto alice = *compute_fingerprint(1, 100, as_bytes("a"), kAlice, as_bytes("b"), kBob);
  auto wrong = *compute_fingerprint(1, 100, as_bytes("b"), kAlice, as_bytes("a"), kBob);
  EXPECT_FALSE(*compare_scannable(alice.scannable, wrong.scannable));
  auto v2 = *compute_fingerprint(2, 100, as_bytes("b"), kBob, as_bytes("a"), kAlice);
  EXPECT_EQ(compare_scannable(alice.scannable, v2.scannable).error().code, Errc::unknown_version);
  EXPECT_EQ(compare_scannable(alice.scannable, Bytes{0xff}).error().code, Errc::invalid_message);
  EXPECT_EQ(compute_fingerprint(1, 1, {}, kAlice, {}, kBob).error().code, Errc::bad_request);
  EXPECT_EQ(compute_fingerprint(1, 1'000'001, {}, kAlice, {}, kBob).error().code, Errc::bad_request);
}

}  // namespace
}  // namespace sotto::protocol
