// SPDX-License-Identifier: Apache-2.0
// SignalMessage (whisper) and PreKeySignalMessage framing (spec/signal-wire.md §4, §5).
//   SignalMessage      = version_byte || protobuf || MAC[8]
//   PreKeySignalMessage = version_byte || protobuf   (no MAC at this level)
// Parsers treat input as hostile: any malformed input yields an Error, never a
// crash or an over-read. They check shape only (fields present, lengths); keys
// are validated by the protocol layer.
#pragma once

#include <cstdint>
#include <optional>

#include "sotto/core/bytes.hpp"
#include "sotto/core/result.hpp"

namespace sotto::wire {

constexpr std::size_t kMacSize = 8;
// Upper bound on any serialized message we accept; a larger input is
// Errc::invalid_message before protobuf sees it.
constexpr std::size_t kMaxMessageSize = 256 * 1024;

struct SignalMessage {
  std::uint8_t message_version = 3;  // high nibble of the version byte
  Bytes ratchet_key;                 // 33 bytes, 0x05-prefixed
  std::uint32_t counter = 0;
  std::uint32_t previous_counter = 0;
  Bytes ciphertext;
  Bytes pq_ratchet;  // field 5, v4 only (empty when absent)
  Bytes addresses;   // field 6, v4 only (empty when absent)
};

// version_byte(message_version, message_version) || protobuf: the MAC's input
// (after the two identity keys); the caller appends the 8-byte MAC.
Bytes encode_signal_message_body(const SignalMessage& message);

struct ParsedSignalMessage {
  SignalMessage message;
  ByteView body;  // version byte || protobuf, a view into the parsed input
  ByteView mac;   // the trailing 8 bytes, a view into the parsed input
};

// Errors: Errc::legacy_version / unknown_version for the version nibble,
// Errc::invalid_message for truncation, oversize, bad protobuf, or a missing
// ratchet_key, counter or ciphertext. The returned views alias `serialized`.
Result<ParsedSignalMessage> parse_signal_message(ByteView serialized);

struct PreKeySignalMessage {
  std::uint8_t message_version = 3;
  std::uint32_t registration_id = 0;
  std::optional<std::uint32_t> pre_key_id;
  std::uint32_t signed_pre_key_id = 0;
  std::optional<std::uint32_t> kyber_pre_key_id;  // v4 only
  Bytes kyber_ciphertext;                          // v4 only
  Bytes base_key;      // 33 bytes
  Bytes identity_key;  // 33 bytes
  Bytes message;       // a serialized SignalMessage (with its own version byte and MAC)
};

Bytes encode_prekey_signal_message(const PreKeySignalMessage& message);

// Errors as for parse_signal_message; signed_pre_key_id, base_key, identity_key
// and message are required; kyber id and ciphertext must come together.
Result<PreKeySignalMessage> parse_prekey_signal_message(ByteView serialized);

}  // namespace sotto::wire
