// SPDX-License-Identifier: Apache-2.0
// parse_prekey_signal_message on arbitrary bytes, with the same re-encode check.
#include <cstddef>
#include <cstdint>

#include "fuzz_check.hpp"
#include "sotto/wire/signal_message.hpp"

namespace {

using sotto::wire::PreKeySignalMessage;

bool same(const PreKeySignalMessage& a, const PreKeySignalMessage& b) {
  return a.message_version == b.message_version && a.registration_id == b.registration_id &&
         a.pre_key_id == b.pre_key_id && a.signed_pre_key_id == b.signed_pre_key_id &&
         a.kyber_pre_key_id == b.kyber_pre_key_id && a.kyber_ciphertext == b.kyber_ciphertext &&
         a.base_key == b.base_key && a.identity_key == b.identity_key && a.message == b.message;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sotto::wire;
  auto parsed = parse_prekey_signal_message(sotto::ByteView(data, size));
  if (!parsed) {
    sotto::fuzz::check_wire_error(parsed.error());
    return 0;
  }
  SOTTO_FUZZ_CHECK(parsed->base_key.size() == 33 && parsed->identity_key.size() == 33);
  SOTTO_FUZZ_CHECK(parsed->kyber_pre_key_id.has_value() == !parsed->kyber_ciphertext.empty());

  const sotto::Bytes wire = encode_prekey_signal_message(*parsed);
  auto again = parse_prekey_signal_message(wire);
  if (sotto::fuzz::grew_past_limit(wire, again)) return 0;
  SOTTO_FUZZ_CHECK(again.has_value());
  SOTTO_FUZZ_CHECK(same(*again, *parsed));
  SOTTO_FUZZ_CHECK(encode_prekey_signal_message(*again) == wire);
  return 0;
}
