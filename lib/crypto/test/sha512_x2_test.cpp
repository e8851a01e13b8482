// SPDX-License-Identifier: Apache-2.0
// sha512_x2 (two SHA-512 lanes at once) against the FIPS 180-4 examples and
// against OpenSSL's SHA-512 on every length pairing that matters for padding.
#include <gtest/gtest.h>

#include "sha512_lanes.hpp"
#include "sotto/crypto/hash.hpp"
#include "sotto/crypto/rng.hpp"
#include "test_util.hpp"

namespace sotto::crypto {
namespace {

using test::to_hex;

constexpr std::string_view kAbcDigest =
    "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
    "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f";
constexpr std::string_view k896 =
    "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqr"
    "lmnopqrsmnopqrstnopqrstu";
constexpr std::string_view k896Digest =
    "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018"
    "501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909";

TEST(Sha512x2, ReportsWhichPathRuns) {
  // Not a check: says in the log which path sha512_x2 takes here.
  std::printf("sha512_x2: %s\n", detail::sha512_kernel_supported(detail::Sha512Kernel::kAvx512)
                                     ? "AVX-512VL lanes"
                                     : "two OpenSSL calls (no AVX-512VL)");
}

// Every kernel the CPU supports (not only the one sha512_x2 picks), on four
// different one- and two-block messages at once.
TEST(Sha512x2, EveryKernelMatchesOpenSsl) {
  std::array<std::uint8_t, 32> seed{};
  seed[0] = 0x50;
  DeterministicRng rng(seed);
  int kernels = 0;
  for (auto kernel : {detail::Sha512Kernel::kAvx2, detail::Sha512Kernel::kAvx512}) {
    if (!detail::sha512_kernel_supported(kernel)) continue;
    ++kernels;
    for (int i = 0; i < 200; ++i) {
      // Two blocks per lane: a 256-byte buffer hashed as its own padding,
      // i.e. messages of 111 + 128 bytes laid out by hand.
      std::array<Bytes, detail::kSha512Lanes> msgs;
      std::array<std::array<std::uint8_t, 256>, detail::kSha512Lanes> padded{};
      detail::Sha512LaneState state;
      for (int w = 0; w < 8; ++w) {
        std::fill_n(state.word[w], detail::kSha512Lanes, detail::kSha512Init[w]);
      }
      for (int lane = 0; lane < detail::kSha512Lanes; ++lane) {
        msgs[lane].resize(239);
        rng.fill(msgs[lane]);
        std::copy(msgs[lane].begin(), msgs[lane].end(), padded[lane].begin());
        padded[lane][239] = 0x80;
        padded[lane][254] = (239 * 8) >> 8;
        padded[lane][255] = (239 * 8) & 0xff;
      }
      for (int block = 0; block < 2; ++block) {
        const std::uint8_t* blocks[detail::kSha512Lanes];
        for (int lane = 0; lane < detail::kSha512Lanes; ++lane) {
          blocks[lane] = padded[lane].data() + 128 * block;
        }
        detail::sha512_compress_lanes(state, blocks, kernel);
      }
      for (int lane = 0; lane < detail::kSha512Lanes; ++lane) {
        const Sha512Digest expected = sha512(msgs[lane]);
        for (int w = 0; w < 8; ++w) {
          std::uint64_t want = 0;
          for (int j = 0; j < 8; ++j) want = (want << 8) | expected[8 * w + j];
          ASSERT_EQ(state.word[w][lane], want) << "kernel " << static_cast<int>(kernel);
        }
      }
    }
  }
  std::printf("sha512 lane kernels tested: %d\n", kernels);
}

TEST(Sha512x2, FipsExamples) {
  ASSERT_EQ(k896.size() * 8, 896u);
  Sha512Digest a{}, b{};
  sha512_x2(as_bytes("abc"), as_bytes(k896), a, b);
  EXPECT_EQ(to_hex(a), kAbcDigest);
  EXPECT_EQ(to_hex(b), k896Digest);
  sha512_x2(as_bytes(k896), as_bytes("abc"), a, b);  // lanes swapped
  EXPECT_EQ(to_hex(a), k896Digest);
  EXPECT_EQ(to_hex(b), kAbcDigest);
}

TEST(Sha512x2, MatchesOpenSslOnAllLengthsUpTo300) {
  std::array<std::uint8_t, 32> seed{};
  seed[0] = 0x51;
  DeterministicRng rng(seed);
  Bytes pool(300);
  rng.fill(pool);
  // Every length 0..300 in lane a against a spread of lengths in lane b
  // (both block-boundary sides: 111/112 and 239/240 change the block count).
  for (std::size_t la = 0; la <= 300; ++la) {
    for (std::size_t lb : {std::size_t{0}, std::size_t{1}, std::size_t{97}, std::size_t{111},
                           std::size_t{112}, std::size_t{127}, std::size_t{128}, std::size_t{239},
                           std::size_t{240}, std::size_t{300}, (la * 7 + 3) % 301}) {
      const ByteView a = ByteView(pool).first(la);
      Bytes b_bytes(ByteView(pool).last(lb).begin(), ByteView(pool).last(lb).end());
      if (!b_bytes.empty()) b_bytes[0] ^= 0xa5;  // differ from a even where they overlap
      Sha512Digest da{}, db{};
      sha512_x2(a, b_bytes, da, db);
      ASSERT_EQ(da, sha512(a)) << "lane a, length " << la << " (b " << lb << ")";
      ASSERT_EQ(db, sha512(b_bytes)) << "lane b, length " << lb << " (a " << la << ")";
    }
  }
}

TEST(Sha512x2, RandomMessagesAndAliasedInputs) {
  std::array<std::uint8_t, 32> seed{};
  seed[0] = 0x52;
  DeterministicRng rng(seed);
  for (int i = 0; i < 500; ++i) {
    Bytes a(rng.next_u32() % 301), b(rng.next_u32() % 301);
    rng.fill(a);
    rng.fill(b);
    Sha512Digest da{}, db{};
    sha512_x2(a, b, da, db);
    EXPECT_EQ(da, sha512(a));
    EXPECT_EQ(db, sha512(b));
  }
  // The same buffer in both lanes.
  Bytes m(97, 0x11);
  Sha512Digest da{}, db{};
  sha512_x2(m, m, da, db);
  EXPECT_EQ(da, sha512(m));
  EXPECT_EQ(db, da);
}

TEST(Sha512x2, IteratedChainsLikeAFingerprint) {
  // 64-byte hash || 33-byte key, re-hashed: both chains must track OpenSSL.
  Bytes key_a(33, 0x05), key_b(33, 0x05);
  key_a[7] = 1;
  key_b[7] = 2;
  Sha512Digest ha = sha512(key_a), hb = sha512(key_b);
  Sha512Digest ra = ha, rb = hb;
  Bytes buf_a(97), buf_b(97), ref_a(97), ref_b(97);
  std::copy(key_a.begin(), key_a.end(), buf_a.begin() + 64);
  std::copy(key_b.begin(), key_b.end(), buf_b.begin() + 64);
  ref_a = buf_a;
  ref_b = buf_b;
  for (int i = 0; i < 200; ++i) {
    std::copy(ha.begin(), ha.end(), buf_a.begin());
    std::copy(hb.begin(), hb.end(), buf_b.begin());
    sha512_x2(buf_a, buf_b, ha, hb);
    std::copy(ra.begin(), ra.end(), ref_a.begin());
    std::copy(rb.begin(), rb.end(), ref_b.begin());
    ra = sha512(ref_a);
    rb = sha512(ref_b);
  }
  EXPECT_EQ(ha, ra);
  EXPECT_EQ(hb, rb);
}

}  // namespace
}  // namespace sotto::crypto
