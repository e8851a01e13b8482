// SPDX-License-Identifier: Apache-2.0
#include "json_fields.hpp"

#include <limits>

#include "sotto/core/encoding.hpp"

namespace sotto::proto_driver {
namespace {

tl::unexpected<Error> missing(const char* field, const char* what) {
  return fail(Errc::bad_request, std::string("field '") + field + "' " + what);
}

}  // namespace

Result<std::string> get_string(const Json& request, const char* field) {
  auto it = request.find(field);
  if (it == request.end() || !it->is_string()) return missing(field, "must be a string");
  return it->get<std::string>();
}

Result<std::uint32_t> get_u32(const Json& request, const char* field) {
  auto it = request.find(field);
  if (it == request.end() || !it->is_number_integer()) return missing(field, "must be an integer");
  auto value = it->get<std::int64_t>();
  if (value < 0 || value > std::numeric_limits<std::uint32_t>::max()) {
    return missing(field, "is out of range");
  }
  return static_cast<std::uint32_t>(value);
}

Result<bool> get_bool_or(const Json& request, const char* field, bool fallback) {
  auto it = request.find(field);
  if (it == request.end() || it->is_null()) return fallback;
  if (!it->is_boolean()) return missing(field, "must be a boolean");
  return it->get<bool>();
}

Result<Bytes> get_b64(const Json& request, const char* field, std::size_t exact_size) {
  auto text = get_string(request, field);
  if (!text) return tl::unexpected(text.error());
  auto bytes = base64_decode(*text);
  if (!bytes) return missing(field, "is not valid base64");
  if (exact_size != 0 && bytes->size() != exact_size) {
    return missing(field, ("must be " + std::to_string(exact_size) + " bytes").c_str());
  }
  return bytes;
}

Result<protocol::PublicKey> get_public_key(const Json& request, const char* field) {
  auto bytes = get_b64(request, field);
  if (!bytes) return tl::unexpected(bytes.error());
  auto key = protocol::PublicKey::deserialize(*bytes);
  if (!key) return missing(field, "is not a 33-byte Curve25519 public key");
  return key;
}

Result<protocol::ProtocolAddress> get_address(const Json& request, const char* field) {
  auto it = request.find(field);
  if (it == request.end() || !it->is_object()) return missing(field, "must be an address object");
  auto name = get_string(*it, "name");
  if (!name) return missing(field, "needs a string 'name'");
  auto device = get_u32(*it, "device");
  if (!device) return missing(field, "needs an integer 'device'");
  return protocol::ProtocolAddress{*name, *device};
}

Result<protocol::DistributionId> get_uuid(const Json& request, const char* field) {
  auto text = get_string(request, field);
  if (!text) return tl::unexpected(text.error());
  if (text->size() != 36) return missing(field, "must be a UUID");
  std::string hex;
  for (std::size_t i = 0; i < text->size(); ++i) {
    bool dash_position = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash_position != ((*text)[i] == '-')) return missing(field, "must be a UUID");
    if (!dash_position) hex.push_back((*text)[i]);
  }
  auto bytes = hex_decode(hex);
  if (!bytes) return missing(field, "must be a UUID");
  protocol::DistributionId id{};
  std::copy(bytes->begin(), bytes->end(), id.begin());
  return id;
}

Json address_json(const protocol::ProtocolAddress& address) {
  return Json{{"name", address.name}, {"device", address.device_id}};
}

}  // namespace sotto::proto_driver
