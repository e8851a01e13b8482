// SPDX-License-Identifier: Apache-2.0
// Reading typed fields out of a driver request. Every helper reports a missing
// or mistyped field as Errc::bad_request, naming the field.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "sotto/core/bytes.hpp"
#include "sotto/core/result.hpp"
#include "sotto/protocol/address.hpp"
#include "sotto/protocol/keys.hpp"
#include "sotto/protocol/stores.hpp"

namespace sotto::proto_driver {

using Json = nlohmann::json;

Result<std::string> get_string(const Json& request, const char* field);
Result<std::uint32_t> get_u32(const Json& request, const char* field);
Result<bool> get_bool_or(const Json& request, const char* field, bool fallback);
// A base64 field decoded; `exact_size` (when non-zero) is checked.
Result<Bytes> get_b64(const Json& request, const char* field, std::size_t exact_size = 0);
Result<protocol::PublicKey> get_public_key(const Json& request, const char* field);
Result<protocol::ProtocolAddress> get_address(const Json& request, const char* field);
// A canonical UUID string (8-4-4-4-12 hex) as its 16 bytes.
Result<protocol::DistributionId> get_uuid(const Json& request, const char* field);

Json address_json(const protocol::ProtocolAddress& address);

}  // namespace sotto::proto_driver
