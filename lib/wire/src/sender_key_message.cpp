// SPDX-License-Identifier: Apache-2.0
// SenderKeyMessage, libsignal-protocol-c layout:
// 0x33 || protobuf{1 id, 2 iteration, 3 ciphertext} || XEdDSA signature[64]
// (spec/signal-wire.md §5, §6).
#include "sotto/wire/sender_key_message.hpp"

#include "pb_io.hpp"
#include "proto/sender_keys_v3.pb.h"
#include "sender_key_version.hpp"
#include "sotto/wire/version.hpp"

namespace sotto::wire {

Bytes encode_sender_key_message_body(const SenderKeyMessageV3& message) {
  pb::SenderKeyMessage pb;
  pb.set_id(message.chain_id);
  pb.set_iteration(message.iteration);
  pb.set_ciphertext(message.ciphertext.data(), message.ciphertext.size());
  return detail::serialize_with_version(version_byte(kVersion3, kVersion3), pb);
}

Result<ParsedSenderKeyMessageV3> parse_sender_key_message_v3(ByteView serialized) {
  SOTTO_TRY(detail::check_size(serialized, 1 + kSignatureSize, "SenderKeyMessage"));
  SOTTO_TRY(detail::check_sender_key_version(serialized[0], "SenderKeyMessage"));

  const ByteView body = serialized.first(serialized.size() - kSignatureSize);
  pb::SenderKeyMessage pb;
  SOTTO_TRY(detail::parse_pb(pb, body.subspan(1), "SenderKeyMessage"));
  if (!pb.has_id() || !pb.has_iteration() || !pb.has_ciphertext()) {
    return fail(Errc::invalid_message, "SenderKeyMessage: missing id, iteration or ciphertext");
  }

  ParsedSenderKeyMessageV3 parsed;
  parsed.message.chain_id = pb.id();
  parsed.message.iteration = pb.iteration();
  parsed.message.ciphertext = detail::bytes_of(pb.ciphertext());
  parsed.body = body;
  parsed.signature = serialized.last(kSignatureSize);
  return parsed;
}

}  // namespace sotto::wire
