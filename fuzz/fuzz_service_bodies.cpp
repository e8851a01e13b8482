// SPDX-License-Identifier: Apache-2.0
// Every parse_* of the client–server op bodies (sotto/wire/service.hpp) on
// arbitrary bytes: the first byte picks the parser, the rest is the body, as
// any client (or, for the response bodies, any server) can send it. What
// parses must re-encode to bytes that parse to the same value, and encode the
// same again.
#include <cstddef>
#include <cstdint>
#include <iterator>

#include "fuzz_check.hpp"
#include "sotto/wire/service.hpp"

namespace {

using namespace sotto::wire;

template <class Body>
void round_trip(sotto::Result<Body> (*parse)(sotto::ByteView), sotto::ByteView input) {
  auto parsed = parse(input);
  if (!parsed) {
    sotto::fuzz::check_error_code(parsed.error(), {sotto::Errc::invalid_message});
    return;
  }
  const sotto::Bytes encoded = encode(*parsed);
  auto again = parse(encoded);
  SOTTO_FUZZ_CHECK(again.has_value());
  SOTTO_FUZZ_CHECK(*again == *parsed);
  SOTTO_FUZZ_CHECK(encode(*again) == encoded);
}

template <auto Parse>
void check(sotto::ByteView input) {
  round_trip(Parse, input);
}

// Indexed by the input's first byte (modulo the count). The seed corpus
// (make_seed_corpus.cpp) depends on this order: append, never reorder.
constexpr void (*kParsers[])(sotto::ByteView) = {
    check<parse_challenge>,      check<parse_login>,
    check<parse_account_create>, check<parse_account_created>,
    check<parse_account_lookup>, check<parse_account_lookup_result>,
    check<parse_keys_upload>,    check<parse_key_counts>,
    check<parse_keys_fetch>,     check<parse_keys_fetch_result>,
    check<parse_message_send>,   check<parse_mismatched_devices>,
    check<parse_envelope>,       check<parse_message_expired>,
    check<parse_retry_after>,
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  kParsers[data[0] % std::size(kParsers)](sotto::ByteView(data + 1, size - 1));
  return 0;
}
