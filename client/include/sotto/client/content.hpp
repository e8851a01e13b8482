// SPDX-License-Identifier: Apache-2.0
// The plaintext of a 1:1 message between Sotto clients (client/proto/
// content.proto): a text message or a receipt, plus the sender's claimed
// username. Padded before encryption so ciphertext lengths say little about
// the text (a 0x80 byte, then zeros up to a multiple of 160 bytes, as Signal's
// clients do).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sotto/core/bytes.hpp"
#include "sotto/core/result.hpp"
#include "sotto/crypto/secret.hpp"

namespace sotto::client {

inline constexpr std::size_t kMaxBodySize = 32 * 1024;  // bytes of UTF-8
inline constexpr std::size_t kMaxReceiptTimestamps = 512;
inline constexpr std::size_t kPaddingBlock = 160;

struct DataMessage {
  std::string body;
  std::uint64_t timestamp = 0;
};

enum class ReceiptType { delivery = 0, read = 1 };

struct Receipt {
  ReceiptType type = ReceiptType::delivery;
  std::vector<std::uint64_t> timestamps;
};

struct Content {
  std::string sender_username;
  std::optional<DataMessage> data;
  std::optional<Receipt> receipt;
};

// Serialized and padded. bad_request when the body is too long or the content
// carries neither a message nor a receipt.
Result<crypto::SecretBytes> encode_content(const Content& content);
// Strips the padding and parses. invalid_message on bad padding, a malformed
// protobuf, no message and no receipt, or fields over their bounds.
Result<Content> parse_content(ByteView padded);

}  // namespace sotto::client
