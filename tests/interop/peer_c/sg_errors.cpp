// SPDX-License-Identifier: Apache-2.0
#include "sg_errors.hpp"

#include <signal_protocol.h>

namespace sotto::peer_c {
namespace {

Error make(Errc code, std::string_view what, int rc) {
  return Error{code, std::string(what) + " (" + std::string(sg_error_name(rc)) + ")"};
}

}  // namespace

std::string_view sg_error_name(int rc) {
  switch (rc) {
    case SG_SUCCESS:
      return "SG_SUCCESS";
    case SG_ERR_NOMEM:
      return "SG_ERR_NOMEM";
    case SG_ERR_INVAL:
      return "SG_ERR_INVAL";
    case SG_ERR_UNKNOWN:
      return "SG_ERR_UNKNOWN";
    case SG_ERR_DUPLICATE_MESSAGE:
      return "SG_ERR_DUPLICATE_MESSAGE";
    case SG_ERR_INVALID_KEY:
      return "SG_ERR_INVALID_KEY";
    case SG_ERR_INVALID_KEY_ID:
      return "SG_ERR_INVALID_KEY_ID";
    case SG_ERR_INVALID_MAC:
      return "SG_ERR_INVALID_MAC";
    case SG_ERR_INVALID_MESSAGE:
      return "SG_ERR_INVALID_MESSAGE";
    case SG_ERR_INVALID_VERSION:
      return "SG_ERR_INVALID_VERSION";
    case SG_ERR_LEGACY_MESSAGE:
      return "SG_ERR_LEGACY_MESSAGE";
    case SG_ERR_NO_SESSION:
      return "SG_ERR_NO_SESSION";
    case SG_ERR_STALE_KEY_EXCHANGE:
      return "SG_ERR_STALE_KEY_EXCHANGE";
    case SG_ERR_UNTRUSTED_IDENTITY:
      return "SG_ERR_UNTRUSTED_IDENTITY";
    case SG_ERR_VRF_SIG_VERIF_FAILED:
      return "SG_ERR_VRF_SIG_VERIF_FAILED";
    case SG_ERR_INVALID_PROTO_BUF:
      return "SG_ERR_INVALID_PROTO_BUF";
    case SG_ERR_FP_VERSION_MISMATCH:
      return "SG_ERR_FP_VERSION_MISMATCH";
    case SG_ERR_FP_IDENT_MISMATCH:
      return "SG_ERR_FP_IDENT_MISMATCH";
    default:
      return "SG_ERR_(other)";
  }
}

Error decrypt_error(int rc, const Context& context, std::string_view what) {
  switch (rc) {
    case SG_ERR_DUPLICATE_MESSAGE:
      return make(Errc::duplicate_message, what, rc);
    case SG_ERR_LEGACY_MESSAGE:
      return make(Errc::legacy_version, what, rc);
    case SG_ERR_INVALID_MAC:
      return make(Errc::invalid_mac, what, rc);
    case SG_ERR_UNTRUSTED_IDENTITY:
      return make(Errc::untrusted_identity, what, rc);
    case SG_ERR_NO_SESSION:
      return make(Errc::no_session, what, rc);
    case SG_ERR_INVALID_KEY_ID:
      return make(Errc::invalid_prekey_id, what, rc);
    case SG_ERR_INVALID_MESSAGE:
      // A session decrypt tries the current state, then every archived one;
      // a MAC failure in one state wins over "too far" in another (an old
      // state sees any unknown ratchet key as a fresh chain at index 0).
      if (context.log_contains("into the future") && !context.log_contains("mac not verified")) {
        return make(Errc::too_far_in_future, what, rc);
      }
      if (context.log_contains("No keys for")) return make(Errc::no_session, what, rc);
      return make(Errc::invalid_message, what, rc);
    case SG_ERR_INVALID_VERSION:  // after check_version_byte: an inner/outer version mismatch
    case SG_ERR_INVALID_PROTO_BUF:
    case SG_ERR_INVALID_KEY:
    case SG_ERR_INVAL:  // the library's answer to a too-short message
      return make(Errc::invalid_message, what, rc);
    default:
      return make(Errc::internal, what, rc);
  }
}

Error library_error(int rc, std::string_view what) {
  switch (rc) {
    case SG_ERR_UNTRUSTED_IDENTITY:
      return make(Errc::untrusted_identity, what, rc);
    case SG_ERR_NO_SESSION:
      return make(Errc::no_session, what, rc);
    case SG_ERR_INVALID_KEY_ID:
      return make(Errc::invalid_prekey_id, what, rc);
    case SG_ERR_LEGACY_MESSAGE:
      return make(Errc::legacy_version, what, rc);
    case SG_ERR_INVALID_VERSION:
    case SG_ERR_FP_VERSION_MISMATCH:
      return make(Errc::unknown_version, what, rc);
    case SG_ERR_INVALID_MESSAGE:
    case SG_ERR_INVALID_PROTO_BUF:
    case SG_ERR_INVALID_KEY:
    case SG_ERR_INVAL:
      return make(Errc::invalid_message, what, rc);
    default:
      return make(Errc::internal, what, rc);
  }
}

}  // namespace sotto::peer_c
