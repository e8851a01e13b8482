// SPDX-License-Identifier: Apache-2.0
// "HOST:PORT" or "[IPV6]:PORT" as people type them: sottod's --listen, the
// client's --server, the daemon's --tcp.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "sotto/core/result.hpp"

namespace sotto {

struct HostPort {
  std::string host;  // without the brackets of an IPv6 literal
  std::uint16_t port = 0;
};

// Port 0..65535 (callers that need a real port refuse 0 themselves).
// bad_request, with a message saying what is expected, on anything else.
Result<HostPort> parse_host_port(std::string_view text);

}  // namespace sotto
