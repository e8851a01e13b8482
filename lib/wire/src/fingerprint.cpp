// SPDX-License-Identifier: Apache-2.0
// Scannable fingerprint encoding (spec/signal-wire.md §5 "Fingerprint", §7).
#include "sotto/wire/fingerprint.hpp"

#include "pb_io.hpp"
#include "proto/fingerprint.pb.h"
#include "sotto/wire/signal_message.hpp"

namespace sotto::wire {

// Byte-identical to libsignal-protocol-c for versions 1 and 2; for version 0
// the C library also writes each side's stable identifier, which we do not.
Bytes encode_combined_fingerprints(const CombinedFingerprints& fingerprints) {
  pb::CombinedFingerprints pb;
  pb.set_version(fingerprints.version);
  pb.mutable_local_fingerprint()->set_content(fingerprints.local.data(), fingerprints.local.size());
  pb.mutable_remote_fingerprint()->set_content(fingerprints.remote.data(),
                                               fingerprints.remote.size());
  const std::size_t size = pb.ByteSizeLong();
  Bytes out(size);
  pb.SerializeWithCachedSizesToArray(out.data());
  return out;
}

Result<CombinedFingerprints> parse_combined_fingerprints(ByteView serialized) {
  // No version byte: the scannable form is a bare protobuf.
  SOTTO_TRY(detail::check_size(serialized, 0, "CombinedFingerprints"));
  pb::CombinedFingerprints pb;
  SOTTO_TRY(detail::parse_pb(pb, serialized, "CombinedFingerprints"));
  if (!pb.has_version() || !pb.has_local_fingerprint() || !pb.local_fingerprint().has_content() ||
      !pb.has_remote_fingerprint() || !pb.remote_fingerprint().has_content()) {
    return fail(Errc::invalid_message, "CombinedFingerprints: missing version or fingerprint");
  }
  // Content lengths are not checked here: comparing a 31-byte fingerprint
  // with ours is a mismatch for the protocol layer to report, not a parse error.
  CombinedFingerprints out;
  out.version = pb.version();
  out.local = detail::bytes_of(pb.local_fingerprint().content());
  out.remote = detail::bytes_of(pb.remote_fingerprint().content());
  return out;
}

}  // namespace sotto::wire
