// SPDX-License-Identifier: Apache-2.0
#include "sotto/crypto/hash.hpp"

#include <gtest/gtest.h>

#include "test_util.hpp"

namespace sotto::crypto {
namespace {

using test::hex;
using test::to_hex;

TEST(Sha512, Abc) {
  // FIPS 180-2 example.
  EXPECT_EQ(to_hex(sha512(as_bytes("abc"))),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
            "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
}

TEST(Sha512, IncrementalMatchesOneShot) {
  Bytes data(1000);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i * 7);
  Sha512 h;
  h.update(ByteView(data).first(1));
  h.update(ByteView(data).subspan(1, 500));
  h.update(ByteView{});
  h.update(ByteView(data).subspan(501));
  EXPECT_EQ(h.finish(), sha512(data));
}

// RFC 4231.
TEST(HmacSha256, Rfc4231) {
  EXPECT_EQ(to_hex(hmac_sha256(Bytes(20, 0x0b), as_bytes("Hi There"))),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(to_hex(hmac_sha256(as_bytes("Jefe"), as_bytes("what do ya want for nothing?"))),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // Test case 6: a 131-byte key is hashed first.
  EXPECT_EQ(to_hex(hmac_sha256(Bytes(131, 0xaa),
                               as_bytes("Test Using Larger Than Block-Size Key - Hash Key First"))),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(HmacSha256, IncrementalMatchesOneShot) {
  const Bytes key(32, 0x5a);
  Bytes data(150);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i);
  HmacSha256 mac(key);
  mac.update(ByteView(data).first(10));
  mac.update(ByteView(data).subspan(10));
  EXPECT_EQ(mac.finish(), hmac_sha256(key, data));

  HmacSha256 long_key(Bytes(100, 1));  // longer than the block: hashed first
  long_key.update(data);
  EXPECT_EQ(long_key.finish(), hmac_sha256(Bytes(100, 1), data));
}

struct HkdfCase {
  const char* ikm;
  const char* salt;
  const char* info;
  std::size_t length;
  const char* okm;
};

// RFC 5869 Appendix A, test cases 1-3.
const HkdfCase kRfc5869[] = {
    {"0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "000102030405060708090a0b0c",
     "f0f1f2f3f4f5f6f7f8f9", 42,
     "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"},
    {"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
     "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
     "404142434445464748494a4b4c4d4e4f",
     "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
     "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
     "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf",
     "b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecf"
     "d0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeef"
     "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
     82,
     "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c"
     "59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71"
     "cc30c58179ec3e87c14c01d5c1f3434f1d87"},
    {"0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "", "", 42,
     "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"},
};

TEST(HkdfSha256, Rfc5869TestCases1To3) {
  int n = 0;
  for (const auto& tc : kRfc5869) {
    ++n;
    const auto okm = hkdf_sha256(hex(tc.salt), hex(tc.ikm), hex(tc.info), tc.length);
    EXPECT_EQ(to_hex(okm.expose()), tc.okm) << "test case " << n;

    Bytes into(tc.length);
    hkdf_sha256(hex(tc.salt), hex(tc.ikm), hex(tc.info), into);
    EXPECT_EQ(to_hex(into), tc.okm) << "test case " << n << " (span form)";
  }
}

TEST(HkdfSha256, EmptySaltMeansZeroSalt) {
  const Bytes ikm(22, 0x0b);
  const auto a = hkdf_sha256(ByteView{}, ikm, as_bytes("x"), 64);
  const auto b = hkdf_sha256(Bytes(32, 0), ikm, as_bytes("x"), 64);
  EXPECT_EQ(to_hex(a.expose()), to_hex(b.expose()));
}

TEST(HkdfSha256, MaximumLengthWorks) {
  const auto out = hkdf_sha256(ByteView{}, Bytes(32, 1), ByteView{}, 255 * 32);
  EXPECT_EQ(out.size(), 255u * 32u);
  // The last block differs from the first (the counter byte is mixed in).
  EXPECT_NE(to_hex(out.expose().first(32)), to_hex(out.expose().last(32)));
}

TEST(HkdfSha256DeathTest, BadLengthAborts) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  Bytes too_long(255 * 32 + 1);
  EXPECT_DEATH(hkdf_sha256(ByteView{}, Bytes(32, 1), ByteView{}, too_long), "");
  EXPECT_DEATH(hkdf_sha256(ByteView{}, Bytes(32, 1), ByteView{}, std::span<std::uint8_t>{}), "");
}

}  // namespace
}  // namespace sotto::crypto
