// SPDX-License-Identifier: Apache-2.0
// Sender Keys messages in libsignal-protocol-c's v3 layout (spec/signal-wire.md §5, §6):
//   SenderKeyMessage             = 0x33 || protobuf{1:id, 2:iteration, 3:ciphertext} || XEdDSA sig[64]
//   SenderKeyDistributionMessage = 0x33 || protobuf{1:id, 2:iteration, 3:chainKey, 4:signingKey}
// libsignal's (Rust) layout numbers the same fields differently; it belongs to the v4 profile.
#pragma once

#include <cstdint>

#include "sotto/core/bytes.hpp"
#include "sotto/core/result.hpp"
#include "sotto/crypto/secret.hpp"

namespace sotto::wire {

constexpr std::size_t kSignatureSize = 64;

struct SenderKeyMessageV3 {
  std::uint32_t chain_id = 0;
  std::uint32_t iteration = 0;
  Bytes ciphertext;
};

// 0x33 || protobuf: what the signature covers; the caller appends the signature.
Bytes encode_sender_key_message_body(const SenderKeyMessageV3& message);

struct ParsedSenderKeyMessageV3 {
  SenderKeyMessageV3 message;
  ByteView body;       // version byte || protobuf (view into input)
  ByteView signature;  // trailing 64 bytes (view into input)
};

// Errors: legacy_version / unknown_version on the nibble (only 3 is accepted:
// a 4 is unknown_version in this profile), invalid_message on any malformation
// or a missing field.
Result<ParsedSenderKeyMessageV3> parse_sender_key_message_v3(ByteView serialized);

struct SenderKeyDistributionMessageV3 {
  std::uint32_t chain_id = 0;
  std::uint32_t iteration = 0;
  crypto::SecretKey<32> chain_key;
  Bytes signing_key;  // 33 bytes, 0x05-prefixed
};

Bytes encode_sender_key_distribution_message_v3(const SenderKeyDistributionMessageV3& message);
// The chain key must be exactly 32 bytes; intermediate copies of it are wiped.
Result<SenderKeyDistributionMessageV3> parse_sender_key_distribution_message_v3(ByteView serialized);

}  // namespace sotto::wire
