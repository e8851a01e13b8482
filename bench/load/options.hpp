// SPDX-License-Identifier: Apache-2.0
// sotto-bench's settings (see main.cpp for the flags and their help).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace sotto::bench {

// The wire the generator speaks: Sotto's own (TLS 1.3 WebSockets), or a peer
// server's, over plain TCP (README.md "Peer servers").
enum class Protocol { sotto, xmpp, mqtt };

inline const char* protocol_name(Protocol protocol) {
  switch (protocol) {
    case Protocol::xmpp:
      return "xmpp";
    case Protocol::mqtt:
      return "mqtt";
    case Protocol::sotto:
      break;
  }
  return "sotto";
}

struct BenchOptions {
  std::string workload;  // w1, w2, w3
  Protocol protocol = Protocol::sotto;

  // Clients and setup.
  std::size_t clients = 1000;
  std::size_t source_addresses = 8;  // 127.0.0.2 .. 127.0.0.(1+n)
  std::size_t concurrency = 200;     // setup operations in flight

  // W1.
  std::vector<std::string> phases = {"closed", "open"};
  std::size_t in_flight = 500;  // closed loop: messages sent and not yet delivered
  double warmup_s = 5;
  double duration_s = 30;
  double rate = 0;              // open loop msg/s; 0: rate_fraction of the closed-loop max
  double rate_fraction = 0.5;   // of the closed-loop delivered rate
  double drain_timeout_s = 60;  // after a phase, for what is in flight

  // W2.
  std::vector<std::size_t> stages = {5000, 10000, 19900};
  std::size_t per_process = 10000;  // connections per generator process
  // all; or, for a peer server the bench cannot restart itself: register
  // (create the accounts and exit) and then measure (log in to them).
  std::string w2_step = "all";
  double settle_s = 5;       // after a stage is online, before reading RSS
  double idle_sample_s = 5;  // idle CPU measured over this long

  // W3.
  std::size_t messages = 100000;
  std::size_t senders = 10;
  std::size_t sender_window = 32;  // unanswered sends per sender (server allows 64)

  // Payload.
  std::size_t plaintext_size = 200;
  std::size_t payload_count = 64;
  std::uint64_t seed = 1;

  // Prepended to every username (a server reused across runs needs a new
  // one each time: names are unique).
  std::string name_tag;

  bool progress = true;  // one line a second on stderr

  // W2 worker processes (internal).
  std::string worker;
  std::size_t first_name = 0;
  std::string accounts_file;  // name index and account id of registered accounts
  std::string self_exe;
};

}  // namespace sotto::bench
