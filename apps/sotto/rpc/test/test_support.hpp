// SPDX-License-Identifier: Apache-2.0
// Shared by the sotto_rpc tests: a private temp directory for socket files,
// waiting helpers, and a few methods every test server offers.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>

#include "sotto/cli/rpc/client.hpp"
#include "sotto/cli/rpc/server.hpp"

namespace sotto::cli::rpc::testing {

inline constexpr std::chrono::milliseconds kWait{5000};

// Socket paths must fit sockaddr_un (108 bytes), so stay short under /tmp.
class TempDir {
 public:
  TempDir() {
    std::string pattern = "/tmp/sotto-rpc-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) ADD_FAILURE() << "mkdtemp failed";
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Polls `done` until it holds or kWait passes.
inline bool wait_until(const std::function<bool()>& done) {
  auto deadline = std::chrono::steady_clock::now() + kWait;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return done();
}

// "echo": answers its params. "whoami": answers the caller's ConnectionId.
inline MethodTable basic_methods() {
  MethodTable m;
  m["echo"] = [](const nlohmann::json& params, ConnectionId, Reply reply) { reply(params); };
  m["whoami"] = [](const nlohmann::json&, ConnectionId from, Reply reply) { reply(from); };
  return m;
}

inline RpcServerOptions unix_options(const TempDir& dir) {
  RpcServerOptions o;
  o.unix_path = dir.file("d.sock");
  return o;
}

inline std::unique_ptr<RpcServer> start_or_die(const RpcServerOptions& options,
                                               MethodTable methods = basic_methods(),
                                               std::function<void(ConnectionId)> gone = {}) {
  auto server = RpcServer::start(options, std::move(methods), std::move(gone));
  if (!server) {
    ADD_FAILURE() << "start: " << server.error().message;
    return nullptr;
  }
  return std::move(*server);
}

inline RpcClient connect_or_die(const std::string& path) {
  auto client = RpcClient::connect_unix(path);
  if (!client) throw std::runtime_error("connect: " + client.error().message);
  return std::move(*client);
}

}  // namespace sotto::cli::rpc::testing
