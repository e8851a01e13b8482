// SPDX-License-Identifier: Apache-2.0
// What the server (server.cpp) and its connections (connection.cpp) share.
// Private to sotto_rpc.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/post.hpp>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <utility>

#include "sotto/cli/rpc/server.hpp"

namespace sotto::cli::rpc::detail {

class Connection;

// The only way other threads reach the I/O thread. Replies may outlive the
// server (a worker answers after stop()), so they post through a Gate they
// share: once stop() closes it nothing more is posted, and the io_context is
// never touched after it is destroyed.
class Gate {
 public:
  explicit Gate(boost::asio::any_io_executor executor) : executor_(std::move(executor)) {}

  // False (and `task` dropped on this thread) once closed.
  template <class Task>
  bool post(Task&& task) {
    std::lock_guard lock(mutex_);
    if (!open_) return false;
    boost::asio::post(executor_, std::forward<Task>(task));
    return true;
  }

  void close() {
    std::lock_guard lock(mutex_);
    open_ = false;
  }

 private:
  std::mutex mutex_;
  bool open_ = true;
  boost::asio::any_io_executor executor_;
};

// Owned by the server; outlives every connection, which are destroyed with the
// io_context before it.
struct ServerCore {
  ServerCore(RpcServerOptions o, MethodTable m, std::function<void(ConnectionId)> d,
             std::shared_ptr<Gate> g)
      : options(std::move(o)), methods(std::move(m)), on_disconnect(std::move(d)), gate(std::move(g)) {}

  const RpcServerOptions options;
  const MethodTable methods;
  const std::function<void(ConnectionId)> on_disconnect;
  const std::shared_ptr<Gate> gate;

  // I/O thread only. Owns every open connection: one waiting for a deferred
  // Reply has no pending I/O operation to keep it alive.
  std::unordered_map<ConnectionId, std::shared_ptr<Connection>> open;
  ConnectionId next_id = 1;

  // The same ids for notify() on any thread; the I/O thread alone inserts and
  // erases. The weak pointers are only locked on the I/O thread, so a
  // connection is never destroyed elsewhere.
  std::mutex live_mutex;
  std::unordered_map<ConnectionId, std::weak_ptr<Connection>> live;

  // I/O thread: forget a closed connection, then tell the owner.
  // REQUIRES: the caller holds its own reference (this drops ours).
  void unregister(ConnectionId id) {
    {
      std::lock_guard lock(live_mutex);
      live.erase(id);
    }
    open.erase(id);
    if (on_disconnect) on_disconnect(id);
  }
};

}  // namespace sotto::cli::rpc::detail
