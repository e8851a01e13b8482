// SPDX-License-Identifier: Apache-2.0
// The key derivations of the Double Ratchet as Signal labels them
// (spec/signal-wire.md §4): KDF_RK, the chain step and message-key expansion.
// Internal to the protocol layer.
#pragma once

#include "sotto/core/result.hpp"
#include "sotto/crypto/secret.hpp"
#include "sotto/protocol/keys.hpp"
#include "sotto/protocol/session_state.hpp"

namespace sotto::protocol::detail {

struct RootStep {
  crypto::SecretKey<32> root_key;
  ChainKey chain;  // index 0
};

// KDF_RK: HKDF(salt = root, ikm = DH(ours, theirs), "WhisperRatchet", 64).
Result<RootStep> kdf_root(const crypto::SecretKey<32>& root_key, const KeyPair& ours,
                          const PublicKey& theirs);

// HMAC(CK, 0x01): the seed of the message key at chain.index.
crypto::SecretKey<32> message_seed(const ChainKey& chain);
// CK' = HMAC(CK, 0x02); index + 1.
void advance_chain(ChainKey& chain);

struct MessageKeys {
  crypto::SecretKey<32> cipher_key;
  crypto::SecretKey<32> mac_key;
  crypto::SecretKey<16> iv;
};

// HKDF(salt = none, ikm = seed, "WhisperMessageKeys", 80) → cipher | mac | iv.
MessageKeys derive_message_keys(const crypto::SecretKey<32>& seed);

// Sender keys: HKDF(salt = none, ikm = seed, "WhisperGroup", 48) → iv | cipher.
struct GroupMessageKeys {
  crypto::SecretKey<16> iv;
  crypto::SecretKey<32> cipher_key;
};
GroupMessageKeys derive_group_message_keys(const crypto::SecretKey<32>& seed);


// The seed for message `counter` of a receiving chain (1:1 or sender key):
// steps the chain forward, keeping the seeds it skips (at most
// kMaxSkippedKeysPerChain, oldest dropped first), or takes a kept seed for a
// late message. Errors: duplicate_message (an old counter with no kept seed),
// too_far_in_future (more than kMaxForwardJump ahead).
Result<crypto::SecretKey<32>> take_message_seed(ChainKey& chain,
                                                std::deque<SkippedMessageKey>& skipped,
                                                std::uint32_t counter);

}  // namespace sotto::protocol::detail
