// SPDX-License-Identifier: Apache-2.0
#include "sotto/crypto/rng.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "sodium_init.hpp"

namespace sotto::crypto {

std::uint32_t Rng::next_u32() {
  std::array<std::uint8_t, 4> b{};
  fill(b);
  return static_cast<std::uint32_t>(b[0]) | (static_cast<std::uint32_t>(b[1]) << 8) |
         (static_cast<std::uint32_t>(b[2]) << 16) | (static_cast<std::uint32_t>(b[3]) << 24);
}

void OsRng::fill(std::span<std::uint8_t> out) {
  detail::ensure_sodium();
  if (!out.empty()) randombytes_buf(out.data(), out.size());
}

Rng& os_rng() {
  static OsRng rng;
  return rng;
}

namespace {

// The original ChaCha20 (64-bit block counter) so the stream never wraps; the
// nonce is fixed because the seed alone names the stream.
constexpr std::array<std::uint8_t, crypto_stream_chacha20_NONCEBYTES> kNonce{};
constexpr std::uint64_t kBlock = 64;

}  // namespace

DeterministicRng::DeterministicRng(std::span<const std::uint8_t, 32> seed)
    : key_(SecretKey<32>::from(seed)) {}

void DeterministicRng::fill(std::span<std::uint8_t> out) {
  if (out.empty()) return;
  detail::ensure_sodium();
  // Byte i of the stream is byte (i % 64) of keystream block i / 64, so the
  // output depends only on the position, never on how reads are chunked.
  std::memset(out.data(), 0, out.size());
  std::size_t done = 0;
  const std::uint64_t offset = position_ % kBlock;
  if (offset != 0) {
    std::array<std::uint8_t, kBlock> block{};
    crypto_stream_chacha20_xor_ic(block.data(), block.data(), block.size(), kNonce.data(),
                                  position_ / kBlock, key_.expose().data());
    const std::size_t take = std::min<std::size_t>(kBlock - offset, out.size());
    std::memcpy(out.data(), block.data() + offset, take);
    secure_wipe(block.data(), block.size());
    done = take;
  }
  if (done < out.size()) {
    // position_ + done is now block-aligned (or we consumed the whole request).
    crypto_stream_chacha20_xor_ic(out.data() + done, out.data() + done, out.size() - done,
                                  kNonce.data(), (position_ + done) / kBlock, key_.expose().data());
  }
  position_ += out.size();
}

}  // namespace sotto::crypto
