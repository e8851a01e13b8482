// SPDX-License-Identifier: Apache-2.0
// `sotto daemon`: keeps the client connected and answers JSON-RPC 2.0 on a
// Unix socket and/or loopback TCP (docs/client.md "Daemon"). One thread owns
// the client: RPC handlers post work to it, and between tasks it receives, so
// messages are decrypted, stored and acknowledged while the daemon runs, and
// forwarded to every subscriber of subscribeReceive.
#pragma once

#include <memory>

#include "sotto/cli/rpc/server.hpp"
#include "sotto/client/client.hpp"

namespace sotto::cli {

class Daemon {
 public:
  // Takes the client; starts its thread and the RPC server.
  static Result<std::unique_ptr<Daemon>> start(std::unique_ptr<client::Client> client,
                                               const rpc::RpcServerOptions& options);
  ~Daemon();  // stop()
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  std::optional<std::uint16_t> tcp_port() const;
  void stop();

  struct Impl;

 private:
  explicit Daemon(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace sotto::cli
