// SPDX-License-Identifier: Apache-2.0
#include "request.hpp"

#include <limits>

#include "sotto/core/encoding.hpp"

namespace sotto::peer_c {
namespace {

Result<const Json*> lookup(const Json& obj, std::string_view key) {
  if (!obj.is_object())
    return fail(Errc::bad_request, "expected an object holding '" + std::string(key) + "'");
  auto it = obj.find(std::string(key));
  if (it == obj.end() || it->is_null())
    return fail(Errc::bad_request, "missing field '" + std::string(key) + "'");
  return &*it;
}

}  // namespace

bool has_field(const Json& obj, std::string_view key) {
  if (!obj.is_object()) return false;
  auto it = obj.find(std::string(key));
  return it != obj.end() && !it->is_null();
}

Result<std::string> get_string(const Json& obj, std::string_view key) {
  auto v = lookup(obj, key);
  if (!v) return tl::unexpected(v.error());
  if (!(*v)->is_string())
    return fail(Errc::bad_request, "field '" + std::string(key) + "' must be a string");
  return (*v)->get<std::string>();
}

Result<std::int64_t> get_integer(const Json& obj, std::string_view key, std::int64_t min,
                                 std::int64_t max) {
  auto v = lookup(obj, key);
  if (!v) return tl::unexpected(v.error());
  const Json& j = **v;
  const std::string range = " in [" + std::to_string(min) + ", " + std::to_string(max) + "]";
  if (j.is_number_unsigned()) {
    const auto u = j.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) ||
        static_cast<std::int64_t>(u) > max || static_cast<std::int64_t>(u) < min) {
      return fail(Errc::bad_request, "field '" + std::string(key) + "' must be an integer" + range);
    }
    return static_cast<std::int64_t>(u);
  }
  if (j.is_number_integer()) {
    const auto i = j.get<std::int64_t>();
    if (i < min || i > max)
      return fail(Errc::bad_request, "field '" + std::string(key) + "' must be an integer" + range);
    return i;
  }
  return fail(Errc::bad_request, "field '" + std::string(key) + "' must be an integer" + range);
}

Result<std::uint32_t> get_u32(const Json& obj, std::string_view key) {
  auto v = get_integer(obj, key, 0, std::numeric_limits<std::uint32_t>::max());
  if (!v) return tl::unexpected(v.error());
  return static_cast<std::uint32_t>(*v);
}

Result<bool> get_bool(const Json& obj, std::string_view key) {
  auto v = lookup(obj, key);
  if (!v) return tl::unexpected(v.error());
  if (!(*v)->is_boolean())
    return fail(Errc::bad_request, "field '" + std::string(key) + "' must be a boolean");
  return (*v)->get<bool>();
}

Result<Bytes> get_base64(const Json& obj, std::string_view key) {
  auto s = get_string(obj, key);
  if (!s) return tl::unexpected(s.error());
  auto bytes = base64_decode(*s);
  if (!bytes)
    return fail(Errc::bad_request, "field '" + std::string(key) + "' is not valid base64");
  return std::move(*bytes);
}

Result<Address> get_address(const Json& obj, std::string_view key) {
  auto v = get_object(obj, key);
  if (!v) return tl::unexpected(v.error());
  auto name = get_string(**v, "name");
  if (!name)
    return fail(Errc::bad_request, "address '" + std::string(key) + "': " + name.error().message);
  auto device = get_integer(**v, "device", 0, std::numeric_limits<std::int32_t>::max());
  if (!device)
    return fail(Errc::bad_request, "address '" + std::string(key) + "': " + device.error().message);
  return Address{std::move(*name), static_cast<std::int32_t>(*device)};
}

Result<const Json*> get_object(const Json& obj, std::string_view key) {
  auto v = lookup(obj, key);
  if (!v) return tl::unexpected(v.error());
  if (!(*v)->is_object())
    return fail(Errc::bad_request, "field '" + std::string(key) + "' must be an object");
  return *v;
}

Status check_version_byte(ByteView message) {
  if (message.empty()) return fail(Errc::invalid_message, "empty message");
  const int version = message[0] >> 4;
  if (version < 3) return fail(Errc::legacy_version, "message version " + std::to_string(version));
  if (version > 3)
    return fail(Errc::unknown_version,
                "message version " + std::to_string(version) + " (this peer speaks v3)");
  return ok();
}

}  // namespace sotto::peer_c
