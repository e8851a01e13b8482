// SPDX-License-Identifier: Apache-2.0
// `sotto daemon --socket PATH` of one user as a child process, with an
// RpcClient connected to it and subscribed events sorted by type.
#pragma once

#include <chrono>
#include <deque>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "e2e_support.hpp"
#include "sotto/cli/rpc/client.hpp"

namespace sotto::systest::e2e {

namespace rpc = sotto::cli::rpc;

class RunningDaemon {
 public:
  RunningDaemon(const User& user, std::filesystem::path socket);
  ~RunningDaemon();  // SIGKILLs a daemon still running
  RunningDaemon(const RunningDaemon&) = delete;
  RunningDaemon& operator=(const RunningDaemon&) = delete;

  // Starts the daemon, waits for "listening on unix:PATH" and connects.
  // false (see failure()) when any step fails.
  bool start();
  [[nodiscard]] const std::string& failure() const { return failure_; }

  rpc::RpcClient& rpc() { return *rpc_; }
  // call() flattened: the result, or the error (RPC or transport).
  Result<json> call(std::string_view method, json params,
                    std::chrono::milliseconds timeout = std::chrono::seconds(30));

  // The next event (the "result" of a "receive" notification) of `type`;
  // events of other types met on the way are kept for later calls.
  std::optional<json> next_event(std::string_view type, std::chrono::milliseconds timeout);
  // The subscription id of the last notification read.
  [[nodiscard]] const json& last_subscription() const { return last_subscription_; }

  // SIGTERM; ok when it exits 0 within 15 s and removed its socket file.
  Status stop();
  [[nodiscard]] std::string stderr_text() const;

 private:
  User user_;
  std::filesystem::path socket_;
  std::unique_ptr<ChildProcess> process_;
  std::optional<rpc::RpcClient> rpc_;
  std::deque<json> pending_;
  json last_subscription_;
  std::string failure_;
};

}  // namespace sotto::systest::e2e
