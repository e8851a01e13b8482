// SPDX-License-Identifier: Apache-2.0
// One error vocabulary for every layer. Each value has a stable snake_case name
// (errc_name) that drivers, logs and the client API expose; the names of the
// first block are the error codes of the sotto-proto driver contract.
#pragma once

#include <string_view>

namespace sotto {

enum class Errc {
  // Driver-contract codes (spec/proto-driver.md).
  bad_request,
  invalid_message,
  invalid_mac,
  invalid_signature,
  duplicate_message,
  too_far_in_future,
  untrusted_identity,
  no_session,
  invalid_prekey_id,
  invalid_kyber_prekey_id,
  legacy_version,
  unknown_version,
  invalid_certificate,
  expired_certificate,
  internal,
  // Finer-grained library codes; drivers map them onto the codes above.
  invalid_key,        // wrong key type byte or length, or a non-canonical key
  invalid_encoding,   // bad hex/base64/UTF-8 in local input
  zero_shared_secret, // X25519 produced the all-zero output (small-order point)
  bad_padding,        // CBC padding wrong after a valid MAC: treat as invalid_message
  limit_exceeded,     // a bounded store or counter would overflow
  // Transport (lib/transport).
  network_error,      // connect/listen/handshake failed, or the connection was lost or closed
  tls_pin_mismatch,   // the server's certificate does not hash to the pinned SHA-256
  // Server storage (lib/storage); the server maps them onto response statuses.
  not_found,          // no such account, device, key or queued message (404)
  already_exists,     // a unique name or id is taken (409)
  queue_full,         // a device's queue is at its count or byte cap (507)
  // Client (client/).
  unauthenticated,    // the server refused a login or an op needs one (401)
  timed_out,          // no answer within the caller's deadline
  rate_limited,       // the server asked us to slow down (429)
};

// The stable name of a code, e.g. "invalid_mac".
std::string_view errc_name(Errc code) noexcept;

}  // namespace sotto
