// SPDX-License-Identifier: Apache-2.0
// Reading the fields of one driver request (spec: proto-driver.md). Every
// accessor fails with Errc::bad_request naming the field, so a malformed
// request never reaches the library.
#pragma once

#include <signal_protocol_types.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "sotto/core/bytes.hpp"
#include "sotto/core/result.hpp"

namespace sotto::peer_c {

using Json = nlohmann::json;

// {"name": "<string>", "device": <int>}. Keeps the name's storage, so view()
// stays valid (and NUL-terminated, which the library's log lines rely on) for
// the Address's lifetime.
struct Address {
  std::string name;
  std::int32_t device = 0;

  [[nodiscard]] signal_protocol_address view() const { return {name.c_str(), name.size(), device}; }
  [[nodiscard]] Json to_json() const { return Json{{"name", name}, {"device", device}}; }
};

// True when `key` is present and not null.
bool has_field(const Json& obj, std::string_view key);

Result<std::string> get_string(const Json& obj, std::string_view key);
Result<std::int64_t> get_integer(const Json& obj, std::string_view key, std::int64_t min,
                                 std::int64_t max);
Result<std::uint32_t> get_u32(const Json& obj, std::string_view key);
Result<bool> get_bool(const Json& obj, std::string_view key);
Result<Bytes> get_base64(const Json& obj, std::string_view key);
Result<Address> get_address(const Json& obj, std::string_view key);
Result<const Json*> get_object(const Json& obj, std::string_view key);

// The first byte of every v3 message carries the version in its high nibble
// (its low nibble is ignored by receivers). This peer speaks v3 only: below 3
// is legacy_version, 4 and above unknown_version, an empty message
// invalid_message.
Status check_version_byte(ByteView message);

}  // namespace sotto::peer_c
