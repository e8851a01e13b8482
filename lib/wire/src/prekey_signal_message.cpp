// SPDX-License-Identifier: Apache-2.0
// PreKeySignalMessage framing: version_byte || protobuf (spec/signal-wire.md §3, §5).
#include <optional>

#include "pb_io.hpp"
#include "proto/signal_wire.pb.h"
#include "sotto/wire/signal_message.hpp"
#include "sotto/wire/version.hpp"

namespace sotto::wire {

// Field order on the wire: protobuf writes fields in field-number order
// (1 pre_key_id, 2 base_key, 3 identity_key, 4 message, 5 registration_id,
// 6 signed_pre_key_id, 7, 8). libsignal-protocol-c's protobuf-c descriptors are
// sorted by field number too, so for the same content the bytes are identical.
// registration_id and signed_pre_key_id are always written (as the C library
// does); pre_key_id and the Kyber fields only when present.
Bytes encode_prekey_signal_message(const PreKeySignalMessage& message) {
  pb::PreKeySignalMessage pb;
  pb.set_registration_id(message.registration_id);
  if (message.pre_key_id) pb.set_pre_key_id(*message.pre_key_id);
  pb.set_signed_pre_key_id(message.signed_pre_key_id);
  if (message.kyber_pre_key_id) pb.set_kyber_pre_key_id(*message.kyber_pre_key_id);
  if (!message.kyber_ciphertext.empty()) {
    pb.set_kyber_ciphertext(message.kyber_ciphertext.data(), message.kyber_ciphertext.size());
  }
  pb.set_base_key(message.base_key.data(), message.base_key.size());
  pb.set_identity_key(message.identity_key.data(), message.identity_key.size());
  pb.set_message(message.message.data(), message.message.size());
  return detail::serialize_with_version(
      version_byte(message.message_version, message.message_version), pb);
}

Result<PreKeySignalMessage> parse_prekey_signal_message(ByteView serialized) {
  SOTTO_TRY(detail::check_size(serialized, 1, "PreKeySignalMessage"));
  auto version = check_version_byte(serialized[0]);
  if (!version) return tl::unexpected(version.error());

  pb::PreKeySignalMessage pb;
  SOTTO_TRY(detail::parse_pb(pb, serialized.subspan(1), "PreKeySignalMessage"));
  // registration_id and pre_key_id may be absent (0 and "no one-time prekey").
  if (!pb.has_signed_pre_key_id() || !pb.has_base_key() || !pb.has_identity_key() ||
      !pb.has_message()) {
    return fail(
        Errc::invalid_message,
        "PreKeySignalMessage: missing signed_pre_key_id, base_key, identity_key or message");
  }
  if (pb.base_key().size() != detail::kPublicKeySize ||
      pb.identity_key().size() != detail::kPublicKeySize) {
    return fail(Errc::invalid_message,
                "PreKeySignalMessage: base_key or identity_key is not 33 bytes");
  }
  // A Kyber id without a ciphertext (or the reverse) cannot be processed by
  // either side; whether a version requires them is the protocol layer's call.
  // An empty ciphertext counts as absent, as it does in our struct.
  const bool has_kyber_ciphertext = pb.has_kyber_ciphertext() && !pb.kyber_ciphertext().empty();
  if (pb.has_kyber_pre_key_id() != has_kyber_ciphertext) {
    return fail(Errc::invalid_message,
                "PreKeySignalMessage: kyber_pre_key_id and kyber_ciphertext must come together");
  }

  PreKeySignalMessage out;
  out.message_version = *version;
  out.registration_id = pb.registration_id();
  if (pb.has_pre_key_id()) out.pre_key_id = pb.pre_key_id();
  out.signed_pre_key_id = pb.signed_pre_key_id();
  if (pb.has_kyber_pre_key_id()) out.kyber_pre_key_id = pb.kyber_pre_key_id();
  out.kyber_ciphertext = detail::bytes_of(pb.kyber_ciphertext());
  out.base_key = detail::bytes_of(pb.base_key());
  out.identity_key = detail::bytes_of(pb.identity_key());
  out.message = detail::bytes_of(pb.message());
  return out;
}

}  // namespace sotto::wire
