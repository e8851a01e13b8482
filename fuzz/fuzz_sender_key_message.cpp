// SPDX-License-Identifier: Apache-2.0
// parse_sender_key_message_v3 on arbitrary bytes, with the same re-encode check.
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "fuzz_check.hpp"
#include "sotto/wire/sender_key_message.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sotto::wire;
  auto parsed = parse_sender_key_message_v3(sotto::ByteView(data, size));
  if (!parsed) {
    sotto::fuzz::check_wire_error(parsed.error());
    return 0;
  }
  SOTTO_FUZZ_CHECK(parsed->body.data() == data && parsed->body.size() == size - kSignatureSize);
  SOTTO_FUZZ_CHECK(parsed->signature.data() == data + size - kSignatureSize &&
                   parsed->signature.size() == kSignatureSize);
  SOTTO_FUZZ_CHECK((data[0] >> 4) == 3);

  sotto::Bytes wire = encode_sender_key_message_body(parsed->message);
  const sotto::Bytes body = wire;
  sotto::append(wire, parsed->signature);
  auto again = parse_sender_key_message_v3(wire);
  if (sotto::fuzz::grew_past_limit(wire, again)) return 0;
  SOTTO_FUZZ_CHECK(again.has_value());
  SOTTO_FUZZ_CHECK(again->message.chain_id == parsed->message.chain_id &&
                   again->message.iteration == parsed->message.iteration &&
                   again->message.ciphertext == parsed->message.ciphertext);
  SOTTO_FUZZ_CHECK(std::equal(again->signature.begin(), again->signature.end(),
                              parsed->signature.begin(), parsed->signature.end()));
  SOTTO_FUZZ_CHECK(encode_sender_key_message_body(again->message) == body);
  return 0;
}
