// SPDX-License-Identifier: Apache-2.0
// parse_content on arbitrary bytes: what a peer can put inside an encrypted
// message to a Sotto client. What parses must re-encode and parse to the same.
#include <cstddef>
#include <cstdint>

#include "fuzz_check.hpp"
#include "sotto/client/content.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sotto::client;
  auto parsed = parse_content(sotto::ByteView(data, size));
  if (!parsed) {
    sotto::fuzz::check_error_code(parsed.error(), {sotto::Errc::invalid_message});
    return 0;
  }
  SOTTO_FUZZ_CHECK(parsed->data || parsed->receipt);
  if (parsed->data) SOTTO_FUZZ_CHECK(parsed->data->body.size() <= kMaxBodySize);
  if (parsed->receipt) SOTTO_FUZZ_CHECK(parsed->receipt->timestamps.size() <= kMaxReceiptTimestamps);
  auto encoded = encode_content(*parsed);
  SOTTO_FUZZ_CHECK(encoded.has_value());
  SOTTO_FUZZ_CHECK(encoded->size() % kPaddingBlock == 0);
  auto again = parse_content(encoded->expose());
  SOTTO_FUZZ_CHECK(again.has_value());
  SOTTO_FUZZ_CHECK(again->sender_username == parsed->sender_username);
  SOTTO_FUZZ_CHECK(again->data.has_value() == parsed->data.has_value());
  if (again->data) {
    SOTTO_FUZZ_CHECK(again->data->body == parsed->data->body);
    SOTTO_FUZZ_CHECK(again->data->timestamp == parsed->data->timestamp);
  }
  SOTTO_FUZZ_CHECK(again->receipt.has_value() == parsed->receipt.has_value());
  if (again->receipt) {
    SOTTO_FUZZ_CHECK(again->receipt->type == parsed->receipt->type);
    SOTTO_FUZZ_CHECK(again->receipt->timestamps == parsed->receipt->timestamps);
  }
  return 0;
}
