// SPDX-License-Identifier: Apache-2.0
// Opens a client socket from one of the generator's source addresses
// (127.0.0.2 ..), shared by the TLS WebSocket and the plain TCP clients.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>
#include <string>

namespace sotto::bench {

// Opens `socket` (IPv4) and binds it to `bind_address` unless that is empty
// (then the kernel picks). The source port is left to connect time, per
// destination (IP_BIND_ADDRESS_NO_PORT), instead of one shared range at bind
// time, so tens of thousands of connections fit.
boost::system::error_code open_from(boost::asio::ip::tcp::socket& socket,
                                    const std::string& bind_address);

}  // namespace sotto::bench
