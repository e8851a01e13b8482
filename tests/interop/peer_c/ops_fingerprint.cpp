// SPDX-License-Identifier: Apache-2.0
// Safety numbers with libsignal-protocol-c's fingerprint generator.
#include <curve.h>
#include <fingerprint.h>

#include <algorithm>
#include <limits>

#include "ops.hpp"
#include "sg_errors.hpp"
#include "signal_c_handles.hpp"
#include "sotto/core/encoding.hpp"

namespace sotto::peer_c {
namespace {

using FingerprintGenerator = Owned<fingerprint_generator, &fingerprint_generator_free>;

constexpr std::int64_t kMinIterations = 2;
constexpr std::int64_t kMaxIterations = 1'000'000;

// The C library takes stable identifiers as C strings.
Result<std::string> stable_id(const Json& request, std::string_view field) {
  auto bytes = get_base64(request, field);
  if (!bytes) return tl::unexpected(bytes.error());
  if (std::find(bytes->begin(), bytes->end(), 0) != bytes->end()) {
    return fail(
        Errc::bad_request,
        std::string(field) + " contains a NUL byte, which libsignal-protocol-c cannot take");
  }
  return std::string(as_string(*bytes));
}

Result<Ref<ec_public_key>> decode_key(const Bytes& bytes, signal_context* ctx,
                                      std::string_view field) {
  Ref<ec_public_key> key;
  if (bytes.size() != 33 || curve_decode_point(key.out(), bytes.data(), bytes.size(), ctx) < 0) {
    return fail(Errc::bad_request,
                std::string(field) + " is not a 33-byte 0x05-prefixed Curve25519 key");
  }
  return key;
}

Result<Ref<scannable_fingerprint>> parse_scannable(const Json& request, std::string_view field,
                                                   signal_context* ctx) {
  auto bytes = get_base64(request, field);
  if (!bytes) return tl::unexpected(bytes.error());
  Ref<scannable_fingerprint> s;
  const int rc = scannable_fingerprint_deserialize(s.out(), bytes->data(), bytes->size(), ctx);
  if (rc < 0) return tl::unexpected(library_error(rc, "parsing " + std::string(field)));
  return s;
}

}  // namespace

// Extension beyond the contract: an optional "local_identity_key" replaces the
// party's own key, so a published vector (whose private keys are unknown) can
// be checked through the driver.
OpResult op_fingerprint(Driver& driver, const Json& request) {
  PEER_C_ASSIGN(party, driver.party(request));
  PEER_C_ASSIGN(local_id, stable_id(request, "local_id"));
  PEER_C_ASSIGN(remote_id, stable_id(request, "remote_id"));
  PEER_C_ASSIGN(remote_bytes, get_base64(request, "remote_identity_key"));
  PEER_C_ASSIGN(iterations, get_integer(request, "iterations", kMinIterations, kMaxIterations));
  PEER_C_ASSIGN(version,
                get_integer(request, "version", 1, std::numeric_limits<std::uint32_t>::max()));
  signal_context* ctx = party->ctx();
  Bytes local_bytes(party->data().identity_public.begin(), party->data().identity_public.end());
  if (has_field(request, "local_identity_key")) {
    PEER_C_ASSIGN(override_bytes, get_base64(request, "local_identity_key"));
    local_bytes = std::move(override_bytes);
  }
  PEER_C_ASSIGN(local_key, decode_key(local_bytes, ctx, "local identity key"));
  PEER_C_ASSIGN(remote_key, decode_key(remote_bytes, ctx, "remote_identity_key"));

  // The generator only makes scannable versions 0 and 1; for 1 and above the
  // content is the same (the first 32 bytes of each side's hash), so other
  // versions are built from the version-1 result.
  fingerprint_generator* raw = nullptr;
  int rc = fingerprint_generator_create(&raw, static_cast<int>(iterations), 1, ctx);
  if (rc < 0) return tl::unexpected(library_error(rc, "fingerprint_generator_create"));
  FingerprintGenerator generator(raw);
  Ref<fingerprint> fp;
  rc = fingerprint_generator_create_for(generator.get(), local_id.c_str(), local_key.get(),
                                        remote_id.c_str(), remote_key.get(), fp.out());
  if (rc < 0) return tl::unexpected(library_error(rc, "fingerprint_generator_create_for"));

  const scannable_fingerprint* scannable = fingerprint_get_scannable(fp.get());
  Ref<scannable_fingerprint> rebuilt;
  if (version != 1) {
    rc = scannable_fingerprint_create(rebuilt.out(), static_cast<std::uint32_t>(version), nullptr,
                                      scannable_fingerprint_get_local_fingerprint(scannable),
                                      nullptr,
                                      scannable_fingerprint_get_remote_fingerprint(scannable));
    if (rc < 0) return tl::unexpected(library_error(rc, "scannable_fingerprint_create"));
    scannable = rebuilt.get();
  }
  Buffer serialized;
  rc = scannable_fingerprint_serialize(serialized.out(), scannable);
  if (rc < 0) return tl::unexpected(library_error(rc, "scannable_fingerprint_serialize"));
  return Json{{"displayable", displayable_fingerprint_text(fingerprint_get_displayable(fp.get()))},
              {"scannable", base64_encode(ByteView(serialized.data(), serialized.size()))}};
}

OpResult op_fingerprint_compare(Driver& driver, const Json& request) {
  signal_context* ctx = driver.shared_context().get();
  PEER_C_ASSIGN(ours, parse_scannable(request, "scannable", ctx));
  PEER_C_ASSIGN(theirs, parse_scannable(request, "other", ctx));
  const int rc = scannable_fingerprint_compare(ours.get(), theirs.get());
  if (rc == 1) return Json{{"match", true}};
  if (rc == 0 || rc == SG_ERR_FP_IDENT_MISMATCH) return Json{{"match", false}};
  return tl::unexpected(library_error(rc, "scannable_fingerprint_compare"));
}

}  // namespace sotto::peer_c
