// SPDX-License-Identifier: Apache-2.0
#include "sotto/core/errc.hpp"

namespace sotto {

std::string_view errc_name(Errc code) noexcept {
  switch (code) {
    case Errc::bad_request: return "bad_request";
    case Errc::invalid_message: return "invalid_message";
    case Errc::invalid_mac: return "invalid_mac";
    case Errc::invalid_signature: return "invalid_signature";
    case Errc::duplicate_message: return "duplicate_message";
    case Errc::too_far_in_future: return "too_far_in_future";
    case Errc::untrusted_identity: return "untrusted_identity";
    case Errc::no_session: return "no_session";
    case Errc::invalid_prekey_id: return "invalid_prekey_id";
    case Errc::invalid_kyber_prekey_id: return "invalid_kyber_prekey_id";
    case Errc::legacy_version: return "legacy_version";
    case Errc::unknown_version: return "unknown_version";
    case Errc::invalid_certificate: return "invalid_certificate";
    case Errc::expired_certificate: return "expired_certificate";
    case Errc::internal: return "internal";
    case Errc::invalid_key: return "invalid_key";
    case Errc::invalid_encoding: return "invalid_encoding";
    case Errc::zero_shared_secret: return "zero_shared_secret";
    case Errc::bad_padding: return "bad_padding";
    case Errc::limit_exceeded: return "limit_exceeded";
    case Errc::network_error: return "network_error";
    case Errc::tls_pin_mismatch: return "tls_pin_mismatch";
    case Errc::not_found: return "not_found";
    case Errc::already_exists: return "already_exists";
    case Errc::queue_full: return "queue_full";
    case Errc::unauthenticated: return "unauthenticated";
    case Errc::timed_out: return "timed_out";
    case Errc::rate_limited: return "rate_limited";
  }
  return "internal";
}

}  // namespace sotto
