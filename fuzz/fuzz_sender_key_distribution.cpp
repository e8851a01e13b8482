// SPDX-License-Identifier: Apache-2.0
// parse_sender_key_distribution_message_v3 on arbitrary bytes, with the same
// re-encode check.
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "fuzz_check.hpp"
#include "sotto/wire/sender_key_message.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sotto::wire;
  auto parsed = parse_sender_key_distribution_message_v3(sotto::ByteView(data, size));
  if (!parsed) {
    sotto::fuzz::check_wire_error(parsed.error());
    return 0;
  }
  SOTTO_FUZZ_CHECK(parsed->signing_key.size() == 33);

  const sotto::Bytes wire = encode_sender_key_distribution_message_v3(*parsed);
  auto again = parse_sender_key_distribution_message_v3(wire);
  if (sotto::fuzz::grew_past_limit(wire, again)) return 0;
  SOTTO_FUZZ_CHECK(again.has_value());
  const auto key = parsed->chain_key.expose();
  const auto key_again = again->chain_key.expose();
  SOTTO_FUZZ_CHECK(again->chain_id == parsed->chain_id && again->iteration == parsed->iteration &&
                   std::equal(key.begin(), key.end(), key_again.begin(), key_again.end()) &&
                   again->signing_key == parsed->signing_key);
  SOTTO_FUZZ_CHECK(encode_sender_key_distribution_message_v3(*again) == wire);
  return 0;
}
