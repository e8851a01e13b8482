// SPDX-License-Identifier: Apache-2.0
// SignalMessage framing: version_byte || protobuf || MAC[8] (spec/signal-wire.md §4, §5).
#include "sotto/wire/signal_message.hpp"

#include "pb_io.hpp"
#include "proto/signal_wire.pb.h"
#include "sotto/wire/version.hpp"

namespace sotto::wire {

Bytes encode_signal_message_body(const SignalMessage& message) {
  pb::SignalMessage pb;
  pb.set_ratchet_key(message.ratchet_key.data(), message.ratchet_key.size());
  pb.set_counter(message.counter);
  // libsignal-protocol-c writes previous_counter even when it is 0; so do we,
  // to produce the same bytes (and hence the same MAC input).
  pb.set_previous_counter(message.previous_counter);
  pb.set_ciphertext(message.ciphertext.data(), message.ciphertext.size());
  if (!message.pq_ratchet.empty()) {
    pb.set_pq_ratchet(message.pq_ratchet.data(), message.pq_ratchet.size());
  }
  if (!message.addresses.empty()) {
    pb.set_addresses(message.addresses.data(), message.addresses.size());
  }
  return detail::serialize_with_version(
      version_byte(message.message_version, message.message_version), pb);
}

Result<ParsedSignalMessage> parse_signal_message(ByteView serialized) {
  SOTTO_TRY(detail::check_size(serialized, 1 + kMacSize, "SignalMessage"));
  auto version = check_version_byte(serialized[0]);
  if (!version) return tl::unexpected(version.error());

  const ByteView body = serialized.first(serialized.size() - kMacSize);
  pb::SignalMessage pb;
  SOTTO_TRY(detail::parse_pb(pb, body.subspan(1), "SignalMessage"));
  // The same three fields libsignal and libsignal-protocol-c insist on;
  // previous_counter defaults to 0 when absent.
  if (!pb.has_ratchet_key() || !pb.has_counter() || !pb.has_ciphertext()) {
    return fail(Errc::invalid_message, "SignalMessage: missing ratchet_key, counter or ciphertext");
  }
  if (pb.ratchet_key().size() != detail::kPublicKeySize) {
    return fail(Errc::invalid_message, "SignalMessage: ratchet_key is not 33 bytes");
  }

  ParsedSignalMessage parsed;
  parsed.message.message_version = *version;
  parsed.message.ratchet_key = detail::bytes_of(pb.ratchet_key());
  parsed.message.counter = pb.counter();
  parsed.message.previous_counter = pb.previous_counter();
  parsed.message.ciphertext = detail::bytes_of(pb.ciphertext());
  // An empty field 5/6 means the same as an absent one (SPQR reads an empty
  // pq_ratchet as version V0); the struct cannot tell them apart.
  parsed.message.pq_ratchet = detail::bytes_of(pb.pq_ratchet());
  parsed.message.addresses = detail::bytes_of(pb.addresses());
  parsed.body = body;
  parsed.mac = serialized.last(kMacSize);
  return parsed;
}

}  // namespace sotto::wire
