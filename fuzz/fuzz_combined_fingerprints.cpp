// SPDX-License-Identifier: Apache-2.0
// parse_combined_fingerprints on arbitrary bytes (e.g. a scanned QR code), with
// the same re-encode check.
#include <cstddef>
#include <cstdint>

#include "fuzz_check.hpp"
#include "sotto/wire/fingerprint.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sotto::wire;
  auto parsed = parse_combined_fingerprints(sotto::ByteView(data, size));
  if (!parsed) {
    sotto::fuzz::check_error_code(parsed.error(), {sotto::Errc::invalid_message});
    return 0;
  }
  const sotto::Bytes wire = encode_combined_fingerprints(*parsed);
  auto again = parse_combined_fingerprints(wire);
  if (sotto::fuzz::grew_past_limit(wire, again)) return 0;
  SOTTO_FUZZ_CHECK(again.has_value());
  SOTTO_FUZZ_CHECK(again->version == parsed->version && again->local == parsed->local &&
                   again->remote == parsed->remote);
  SOTTO_FUZZ_CHECK(encode_combined_fingerprints(*again) == wire);
  return 0;
}
