// SPDX-License-Identifier: Apache-2.0
// The stored-record parsers: whatever the bytes, no crash; a record that
// parses serializes back to a form that parses to the same bytes again.
#include <cstdint>

#include "fuzz_check.hpp"
#include "sotto/protocol/records.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  sotto::ByteView input(data, size);
  if (auto session = sotto::protocol::parse_session_record(input)) {
    auto once = sotto::protocol::serialize_record(*session);
    auto again = sotto::protocol::parse_session_record(once.expose());
    SOTTO_FUZZ_CHECK(again.has_value());
    auto twice = sotto::protocol::serialize_record(*again);
    SOTTO_FUZZ_CHECK(twice.size() == once.size());
  } else {
    SOTTO_FUZZ_CHECK(session.error().code == sotto::Errc::invalid_message);
  }
  if (auto senders = sotto::protocol::parse_sender_key_record(input)) {
    auto once = sotto::protocol::serialize_record(*senders);
    SOTTO_FUZZ_CHECK(sotto::protocol::parse_sender_key_record(once.expose()).has_value());
  }
  return 0;
}
