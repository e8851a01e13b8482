// SPDX-License-Identifier: Apache-2.0
#include "sotto/transport/socket_io.hpp"

#include <sys/socket.h>

#include <cerrno>

namespace sotto::transport {

IoResult send_now(int fd, ByteView data) {
  IoResult result;
  while (result.bytes < data.size()) {
    const ssize_t n =
        ::send(fd, data.data() + result.bytes, data.size() - result.bytes, MSG_NOSIGNAL);
    if (n >= 0) {
      result.bytes += static_cast<std::size_t>(n);
      continue;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) result.error = errno;
    break;
  }
  return result;
}

IoResult receive_now(int fd, std::uint8_t* buffer, std::size_t size) {
  IoResult result;
  for (;;) {
    const ssize_t n = ::recv(fd, buffer, size, 0);
    if (n > 0) {
      result.bytes = static_cast<std::size_t>(n);
    } else if (n == 0) {
      result.eof = true;
    } else if (errno == EINTR) {
      continue;
    } else if (errno != EAGAIN && errno != EWOULDBLOCK) {
      result.error = errno;
    }
    return result;
  }
}

}  // namespace sotto::transport
