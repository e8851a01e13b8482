// SPDX-License-Identifier: Apache-2.0
// What the listener (server.cpp) and the per-connection session (session.cpp)
// share. Private to lib/transport.
#pragma once

#include <openssl/ssl.h>

#include <boost/asio/ip/tcp.hpp>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "sotto/transport/server.hpp"

namespace sotto::transport::detail {

class Session;

// Owned by the server; outlives every session (stop() waits for `live` to
// drain before the server is destroyed).
struct SessionShared {
  SessionShared(ServerHandler& h, SSL_CTX* t, const ServerOptions& o)
      : handler(h), tls(t), options(o) {}

  ServerHandler& handler;
  SSL_CTX* const tls;  // the server's; every session's TLS stream uses it
  const ServerOptions options;

  std::mutex mutex;                 // guards everything below
  std::condition_variable drained;  // notified whenever `live` shrinks
  std::unordered_map<std::uint64_t, std::weak_ptr<Session>> live;
  // Open sessions per source_key(); an entry goes when its count reaches 0.
  std::unordered_map<std::string, std::size_t> per_source;
  bool stopping = false;  // no new sessions once set
  std::uint64_t next_id = 1;
};

// What max_connections_per_ip counts by: the IPv4 address (also for an
// IPv4-mapped IPv6 one), else the IPv6 /64 prefix.
std::string source_key(const boost::asio::ip::address& address);

// Takes over an accepted socket (whose executor is its I/O thread's
// io_context): TLS handshake, WebSocket upgrade, then Frames.
// Refuses it (closes the socket) when the server is at max_connections, its
// source at max_connections_per_ip, or the server is stopping.
void start_session(boost::asio::ip::tcp::socket socket, SessionShared& shared);

// Thread-safe. Graceful: a 1001 closing handshake. Hard: cut the socket.
void close_session(const std::shared_ptr<Session>& session, bool hard);

}  // namespace sotto::transport::detail
