// SPDX-License-Identifier: Apache-2.0
// Non-blocking send and receive on a socket descriptor, for the code that
// runs TLS records on the socket itself (sottod's sessions, the generator's
// connections). Both retry on EINTR; neither blocks.
#pragma once

#include <cstddef>
#include <cstdint>

#include "sotto/core/bytes.hpp"

namespace sotto::transport {

struct IoResult {
  std::size_t bytes = 0;  // moved before stopping
  int error = 0;          // 0, or the errno that ended it (never EAGAIN)
  bool eof = false;       // receive only: the peer closed its side
};

// Sends as much of `data` as the socket takes now (MSG_NOSIGNAL: a peer that
// reset the connection is an error value, not a SIGPIPE for the process).
IoResult send_now(int fd, ByteView data);

// One recv() into `buffer`: bytes > 0, or eof, or neither (nothing to read,
// EAGAIN), or an error.
IoResult receive_now(int fd, std::uint8_t* buffer, std::size_t size);

}  // namespace sotto::transport
