// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "sotto/core/result.hpp"

namespace sotto::sottod {

struct ListenAddress {
  std::string host;
  std::uint16_t port = 0;
};

// Parses "HOST:PORT" or "[IPV6]:PORT" (port 0..65535; 0 picks a free one).
// bad_request on anything else.
Result<ListenAddress> parse_listen_address(std::string_view text);

}  // namespace sotto::sottod
