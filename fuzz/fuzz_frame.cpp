// SPDX-License-Identifier: Apache-2.0
// parse_frame on arbitrary bytes (what any client can put in a WebSocket
// message to sottod), with the re-encode check of the other parser targets.
#include <cstddef>
#include <cstdint>
#include <variant>

#include "fuzz_check.hpp"
#include "sotto/wire/frame.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sotto::wire;
  auto parsed = parse_frame(sotto::ByteView(data, size));
  if (!parsed) {
    sotto::fuzz::check_error_code(parsed.error(), {sotto::Errc::invalid_message});
    return 0;
  }
  SOTTO_FUZZ_CHECK(size <= kMaxFrameSize);
  if (const auto* request = std::get_if<Request>(&*parsed)) {
    SOTTO_FUZZ_CHECK(valid_op(request->op));
  } else {
    const auto& response = std::get<Response>(*parsed);
    SOTTO_FUZZ_CHECK(response.status >= 100 && response.status <= 599);
  }
  const sotto::Bytes wire = encode_frame(*parsed);
  auto again = parse_frame(wire);
  // Re-encoding drops unknown fields, empty bodies and overlong varints, so
  // it should not grow; should it ever pass the limit, the parse must refuse.
  if (wire.size() > kMaxFrameSize) {
    SOTTO_FUZZ_CHECK(!again && again.error().code == sotto::Errc::invalid_message);
    return 0;
  }
  SOTTO_FUZZ_CHECK(again.has_value());
  SOTTO_FUZZ_CHECK(*again == *parsed);
  SOTTO_FUZZ_CHECK(encode_frame(*again) == wire);
  return 0;
}
