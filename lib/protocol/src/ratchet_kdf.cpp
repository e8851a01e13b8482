// SPDX-License-Identifier: Apache-2.0
#include "ratchet_kdf.hpp"

#include <algorithm>

#include "sotto/crypto/hash.hpp"
#include "sotto/protocol/limits.hpp"

namespace sotto::protocol::detail {
namespace {

constexpr std::string_view kRatchetInfo = "WhisperRatchet";
constexpr std::string_view kMessageKeysInfo = "WhisperMessageKeys";
constexpr std::string_view kGroupInfo = "WhisperGroup";
constexpr std::uint8_t kMessageKeySeedByte = 0x01;
constexpr std::uint8_t kChainKeySeedByte = 0x02;

crypto::SecretKey<32> chain_hmac(const ChainKey& chain, std::uint8_t byte) {
  auto tag = crypto::hmac_sha256(chain.key.expose(), ByteView(&byte, 1));
  auto out = crypto::SecretKey<32>::from(tag);
  crypto::secure_wipe(tag.data(), tag.size());
  return out;
}

template <std::size_t N>
void split(const crypto::SecretKey<N>& whole, std::size_t offset, std::span<std::uint8_t> out) {
  auto src = whole.expose().subspan(offset, out.size());
  std::copy(src.begin(), src.end(), out.begin());
}

}  // namespace

Result<RootStep> kdf_root(const crypto::SecretKey<32>& root_key, const KeyPair& ours,
                          const PublicKey& theirs) {
  auto shared = ours.agree(theirs);
  if (!shared) return tl::unexpected(shared.error());
  crypto::SecretKey<64> derived;
  crypto::hkdf_sha256(root_key.expose(), shared->expose(), as_bytes(kRatchetInfo),
                      derived.mutable_bytes());
  RootStep step;
  split(derived, 0, step.root_key.mutable_bytes());
  split(derived, 32, step.chain.key.mutable_bytes());
  step.chain.index = 0;
  return step;
}

crypto::SecretKey<32> message_seed(const ChainKey& chain) {
  return chain_hmac(chain, kMessageKeySeedByte);
}

void advance_chain(ChainKey& chain) {
  chain.key = chain_hmac(chain, kChainKeySeedByte);
  ++chain.index;
}

MessageKeys derive_message_keys(const crypto::SecretKey<32>& seed) {
  crypto::SecretKey<80> derived;
  crypto::hkdf_sha256({}, seed.expose(), as_bytes(kMessageKeysInfo), derived.mutable_bytes());
  MessageKeys keys;
  split(derived, 0, keys.cipher_key.mutable_bytes());
  split(derived, 32, keys.mac_key.mutable_bytes());
  split(derived, 64, keys.iv.mutable_bytes());
  return keys;
}

GroupMessageKeys derive_group_message_keys(const crypto::SecretKey<32>& seed) {
  crypto::SecretKey<48> derived;
  crypto::hkdf_sha256({}, seed.expose(), as_bytes(kGroupInfo), derived.mutable_bytes());
  GroupMessageKeys keys;
  split(derived, 0, keys.iv.mutable_bytes());
  split(derived, 16, keys.cipher_key.mutable_bytes());
  return keys;
}


Result<crypto::SecretKey<32>> take_message_seed(ChainKey& chain,
                                                std::deque<SkippedMessageKey>& skipped,
                                                std::uint32_t counter) {
  if (counter < chain.index) {
    for (auto it = skipped.begin(); it != skipped.end(); ++it) {
      if (it->index == counter) {
        auto seed = std::move(it->seed);
        skipped.erase(it);
        return seed;
      }
    }
    return fail(Errc::duplicate_message, "message with old counter " + std::to_string(counter));
  }
  // Bounds the work and memory one message can demand of us.
  if (counter - chain.index > kMaxForwardJump) {
    return fail(Errc::too_far_in_future, "message is too far into the future");
  }
  while (chain.index < counter) {
    skipped.push_back({chain.index, message_seed(chain)});
    if (skipped.size() > kMaxSkippedKeysPerChain) skipped.pop_front();
    advance_chain(chain);
  }
  auto seed = message_seed(chain);
  advance_chain(chain);
  return seed;
}

}  // namespace sotto::protocol::detail
