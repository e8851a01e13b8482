// SPDX-License-Identifier: Apache-2.0
#include "source_address.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

namespace sotto::bench {

boost::system::error_code open_from(boost::asio::ip::tcp::socket& socket,
                                    const std::string& bind_address) {
  using tcp = boost::asio::ip::tcp;
  boost::system::error_code ec;
  socket.open(tcp::v4(), ec);
  if (ec || bind_address.empty()) return ec;
  const int one = 1;
  ::setsockopt(socket.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
  const auto local = boost::asio::ip::make_address_v4(bind_address, ec);
  if (!ec) socket.bind(tcp::endpoint(local, 0), ec);
  return ec;
}

}  // namespace sotto::bench
