// SPDX-License-Identifier: Apache-2.0
// parse_signal_message on arbitrary bytes; whatever parses must re-encode to a
// message that parses to the same fields.
#include <cstddef>
#include <cstdint>

#include "fuzz_check.hpp"
#include "sotto/wire/signal_message.hpp"

namespace {

using sotto::wire::SignalMessage;

bool same(const SignalMessage& a, const SignalMessage& b) {
  return a.message_version == b.message_version && a.ratchet_key == b.ratchet_key &&
         a.counter == b.counter && a.previous_counter == b.previous_counter &&
         a.ciphertext == b.ciphertext && a.pq_ratchet == b.pq_ratchet && a.addresses == b.addresses;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sotto::wire;
  const sotto::ByteView input(data, size);
  auto parsed = parse_signal_message(input);
  if (!parsed) {
    sotto::fuzz::check_wire_error(parsed.error());
    return 0;
  }
  // The views alias the input exactly: body || mac == input.
  SOTTO_FUZZ_CHECK(parsed->body.data() == data && parsed->body.size() == size - kMacSize);
  SOTTO_FUZZ_CHECK(parsed->mac.data() == data + size - kMacSize && parsed->mac.size() == kMacSize);
  SOTTO_FUZZ_CHECK(parsed->message.ratchet_key.size() == 33);

  const sotto::Bytes body = encode_signal_message_body(parsed->message);
  const sotto::Bytes wire = sotto::concat({body, parsed->mac});
  auto again = parse_signal_message(wire);
  if (sotto::fuzz::grew_past_limit(wire, again)) return 0;
  SOTTO_FUZZ_CHECK(again.has_value());
  SOTTO_FUZZ_CHECK(same(again->message, parsed->message));
  SOTTO_FUZZ_CHECK(again->body.size() == body.size());
  // Our encoding is canonical: encoding what it parses to gives it back.
  SOTTO_FUZZ_CHECK(encode_signal_message_body(again->message) == body);
  return 0;
}
