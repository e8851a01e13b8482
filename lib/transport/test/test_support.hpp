// SPDX-License-Identifier: Apache-2.0
// Shared pieces of the transport tests: a temporary folder, one server
// identity for the whole run, an echoing handler that records what it saw,
// and a polling wait with a deadline (every test is bounded in time).
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <variant>
#include <vector>

#include "sotto/transport/certificate.hpp"
#include "sotto/transport/client.hpp"
#include "sotto/transport/server.hpp"

namespace sotto::transport::test {

using namespace std::chrono_literals;

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "sotto-transport-XXXXXX");
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// One identity per test binary: key generation is cheap, but there is no
// reason to repeat it in every test.
inline const ServerIdentity& shared_identity() {
  static TempDir dir;
  static const ServerIdentity identity = [] {
    auto created = load_or_create_server_identity(dir.path() / "identity");
    if (!created) throw std::runtime_error(created.error().message);
    return std::move(*created);
  }();
  return identity;
}

// Polls `done` until it holds or `timeout` passes.
inline bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

// Answers every Request with Response{id, 200, "", body}. Special ops:
// "flood" (body: a decimal count) pushes that many 64 KiB Requests from a
// worker thread, paced at 1 ms, as the server layer would push from its workers;
// "throw" throws; "close" closes the connection with 1000.
class EchoHandler : public ServerHandler {
 public:
  ~EchoHandler() override {
    for (auto& worker : workers_) worker.join();
  }

  void on_open(const ConnectionPtr& connection) override {
    opened_.fetch_add(1);
    if (on_open_hook) on_open_hook(connection);
  }

  void on_frame(const ConnectionPtr& connection, wire::Frame frame) override {
    auto* request = std::get_if<wire::Request>(&frame);
    if (request == nullptr) return;
    if (request->op == "throw") throw std::runtime_error("handler bug");
    if (request->op == "close") return connection->close(CloseCode::normal, "bye");
    if (request->op == "flood") {
      const int count = std::stoi(std::string(as_string(request->body)));
      std::lock_guard lock(mutex_);
      workers_.emplace_back([this, connection, count] { flood(connection, count); });
      return;
    }
    (void)connection->send(wire::Response{request->id, 200, {}, request->body});
  }

  void on_close(const ConnectionPtr& connection) override {
    std::lock_guard lock(mutex_);
    closed_ids_.insert(connection->id());
    closed_.fetch_add(1);
  }

  [[nodiscard]] int opened() const { return opened_.load(); }
  [[nodiscard]] int closed() const { return closed_.load(); }
  [[nodiscard]] bool saw_close_of(std::uint64_t id) {
    std::lock_guard lock(mutex_);
    return closed_ids_.count(id) != 0;
  }
  // How many frames the flood to `id` queued, and how it ended (absent
  // until that flood is over).
  [[nodiscard]] std::optional<std::pair<int, Status>> flood_result(std::uint64_t id) {
    std::lock_guard lock(mutex_);
    auto it = flood_results_.find(id);
    if (it == flood_results_.end()) return std::nullopt;
    return it->second;
  }

  std::function<void(const ConnectionPtr&)> on_open_hook;

 private:
  void flood(const ConnectionPtr& connection, int count) {
    Status result;
    int sent = 0;
    for (; result && sent < count; ++sent) {
      result = connection->send(wire::Request{static_cast<std::uint64_t>(sent + 1), "flood.item",
                                              Bytes(64 * 1024, 0x5a)});
      std::this_thread::sleep_for(1ms);  // ~64 MB/s: any reading client keeps up
    }
    std::lock_guard lock(mutex_);
    flood_results_[connection->id()] = {result ? sent : sent - 1, result};
  }

  std::atomic<int> opened_{0};
  std::atomic<int> closed_{0};
  std::mutex mutex_;
  std::set<std::uint64_t> closed_ids_;
  std::map<std::uint64_t, std::pair<int, Status>> flood_results_;
  std::vector<std::thread> workers_;
};

inline ServerOptions test_server_options() {
  ServerOptions options;
  options.io_threads = 2;
  options.handshake_timeout = 2s;
  options.idle_timeout = 30s;
  options.stop_grace = 500ms;
  return options;
}

inline ClientOptions client_options(const WebSocketServer& server) {
  ClientOptions options;
  options.port = server.port();
  options.pin = shared_identity().pin_bytes;
  options.connect_timeout = 5s;
  return options;
}

// Receives one frame or fails the test.
inline wire::Frame receive_one(WebSocketClient& client, std::chrono::milliseconds timeout = 5s) {
  auto frame = client.receive(timeout);
  if (!frame) {
    ADD_FAILURE() << "receive failed: " << frame.error().message;
    return wire::Response{};
  }
  if (!frame->has_value()) {
    ADD_FAILURE() << "receive timed out";
    return wire::Response{};
  }
  return std::move(**frame);
}

// Waits until the server has closed `client` and returns its close code
// (0 if it closed without one, which fails the test unless
// `close_frame_optional`); frames still arriving are skipped.
inline std::uint16_t wait_for_close(WebSocketClient& client, bool close_frame_optional = false,
                                    std::chrono::milliseconds timeout = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    auto frame = client.receive(100ms);
    if (!frame) {
      auto info = client.close_info();
      if (!info && !close_frame_optional)
        ADD_FAILURE() << "closed without a close frame: " << frame.error().message;
      return info ? info->code : 0;
    }
  }
  ADD_FAILURE() << "the server did not close the connection";
  return 0;
}

}  // namespace sotto::transport::test
