// SPDX-License-Identifier: Apache-2.0
// Read connections. WAL lets readers run beside the writer, each on a snapshot,
// so reads never wait for a group commit. Connections are opened on demand up
// to a maximum and reused; a reader beyond the maximum waits for a free one.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "sql.hpp"

namespace sotto::storage::sqlite {

class ReaderPool {
 public:
  ReaderPool(std::string path, std::size_t max_connections)
      : path_(std::move(path)), max_(max_connections == 0 ? 1 : max_connections) {}

  // Runs fn(Database&) -> Result<T> inside one read transaction (one
  // consistent snapshot) on a pooled connection. Thread-safe.
  template <class F>
  auto read(F&& fn) -> decltype(fn(std::declval<Database&>())) {
    auto db = acquire();
    if (!db) return tl::unexpected(db.error());
    auto result = in_transaction(**db, fn);
    release(std::move(*db));
    return result;
  }

 private:
  template <class F>
  static auto in_transaction(Database& db, F& fn) -> decltype(fn(db)) {
    if (auto begin = db.query("BEGIN"); !begin) {
      return tl::unexpected(begin.error());
    } else if (auto s = begin->run(); !s) {
      return tl::unexpected(s.error());
    }
    auto result = fn(db);
    // Ends the snapshot so the WAL can be checkpointed past it.
    if (auto end = db.query("COMMIT"); !end) {
      return tl::unexpected(end.error());
    } else if (auto s = end->run(); !s) {
      return tl::unexpected(s.error());
    }
    return result;
  }

  Result<std::unique_ptr<Database>> acquire();
  void release(std::unique_ptr<Database> db);

  std::string path_;
  std::size_t max_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Database>> idle_;  // guarded by mu_
  std::size_t open_ = 0;                         // guarded by mu_
};

}  // namespace sotto::storage::sqlite
