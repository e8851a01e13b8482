// SPDX-License-Identifier: Apache-2.0
// Who a session or sender key belongs to: an account name (a UUID service id in
// v4, any string in v3) plus a device id.
#pragma once

#include <compare>
#include <cstdint>
#include <string>

namespace sotto::protocol {

struct ProtocolAddress {
  std::string name;
  std::uint32_t device_id = 1;

  friend auto operator<=>(const ProtocolAddress&, const ProtocolAddress&) = default;
};

}  // namespace sotto::protocol
