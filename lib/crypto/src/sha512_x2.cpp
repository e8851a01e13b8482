// SPDX-License-Identifier: Apache-2.0
// sha512_x2: two SHA-512 digests in one pass of the lane kernel
// (sha512_lanes.hpp), or two OpenSSL digests on CPUs without AVX-512VL.
#include <algorithm>
#include <array>
#include <cstring>

#include "sha512_lanes.hpp"
#include "sotto/crypto/hash.hpp"

namespace sotto::crypto {

namespace {

using detail::kSha512Block;
using detail::kSha512Lanes;

void store_be64(std::uint8_t* p, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<std::uint8_t>(v >> (56 - 8 * i));
}

// One lane's message as blocks: whole blocks straight from the message, then
// one or two padded blocks (FIPS 180-4 §5.1.2: 0x80, zeros, the bit length
// as a 128-bit big-endian number).
class PaddedMessage {
 public:
  explicit PaddedMessage(ByteView m)
      : data_(m.data()),
        whole_(m.size() / kSha512Block),
        blocks_((m.size() + 17 + kSha512Block - 1) / kSha512Block) {
    const std::size_t rest = m.size() % kSha512Block;
    const std::size_t end = (blocks_ - whole_) * kSha512Block;  // 128 or 256
    if (rest != 0) std::memcpy(tail_.data(), m.data() + whole_ * kSha512Block, rest);
    tail_[rest] = 0x80;
    std::memset(tail_.data() + rest + 1, 0, end - 16 - rest - 1);
    store_be64(tail_.data() + end - 16, static_cast<std::uint64_t>(m.size()) >> 61);
    store_be64(tail_.data() + end - 8, static_cast<std::uint64_t>(m.size()) << 3);
  }
  std::size_t blocks() const { return blocks_; }
  const std::uint8_t* block(std::size_t i) const {
    return i < whole_ ? data_ + i * kSha512Block : tail_.data() + (i - whole_) * kSha512Block;
  }

 private:
  const std::uint8_t* data_;
  std::size_t whole_, blocks_;
  std::array<std::uint8_t, std::size_t{2} * kSha512Block> tail_;  // only [0, end) is written and read
};

void store_digest(const detail::Sha512LaneState& s, int lane, Sha512Digest& out) {
  for (std::size_t i = 0; i < 8; ++i) store_be64(out.data() + 8 * i, s.word[i][lane]);
}

}  // namespace

void sha512_x2(ByteView a, ByteView b, Sha512Digest& out_a, Sha512Digest& out_b) {
  // Two lanes only pay off with AVX-512VL (on this project's Zen 5: about
  // 270 ns for both against 410 ns for two OpenSSL calls); the AVX2 kernel
  // takes about 470 ns, slower than OpenSSL, so without AVX-512VL this is two
  // OpenSSL calls.
  const detail::Sha512Kernel kernel = detail::Sha512Kernel::kAvx512;
  if (!detail::sha512_kernel_supported(kernel)) {
    out_a = sha512(a);
    out_b = sha512(b);
    return;
  }
  const PaddedMessage pa(a), pb(b);
  detail::Sha512LaneState state;
  for (int i = 0; i < 8; ++i) std::fill_n(state.word[i], kSha512Lanes, detail::kSha512Init[i]);
  static constexpr std::array<std::uint8_t, kSha512Block> kIdle{};  // for finished/unused lanes
  const std::size_t rounds = std::max(pa.blocks(), pb.blocks());
  for (std::size_t i = 0; i < rounds; ++i) {
    const std::uint8_t* blocks[kSha512Lanes] = {i < pa.blocks() ? pa.block(i) : kIdle.data(),
                                                i < pb.blocks() ? pb.block(i) : kIdle.data(),
                                                kIdle.data(), kIdle.data()};
    detail::sha512_compress_lanes(state, blocks, kernel);
    // A lane's digest is its state right after its own last block.
    if (i + 1 == pa.blocks()) store_digest(state, 0, out_a);
    if (i + 1 == pb.blocks()) store_digest(state, 1, out_b);
  }
}

}  // namespace sotto::crypto
