// SPDX-License-Identifier: Apache-2.0
#include "reader_pool.hpp"

namespace sotto::storage::sqlite {

Result<std::unique_ptr<Database>> ReaderPool::acquire() {
  {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return !idle_.empty() || open_ < max_; });
    if (!idle_.empty()) {
      auto db = std::move(idle_.back());
      idle_.pop_back();
      return db;
    }
    ++open_;  // reserve the slot, then open outside the lock
  }
  auto db = Database::open(path_, Database::Role::reader);
  if (!db) {
    {
      std::lock_guard lock(mu_);
      --open_;
    }
    cv_.notify_one();
  }
  return db;
}

void ReaderPool::release(std::unique_ptr<Database> db) {
  // Never pool a connection still inside a transaction (a failed COMMIT): its
  // stale snapshot would be the next reader's view.
  if (sqlite3_get_autocommit(db->handle()) == 0) (void)db->exec("ROLLBACK");
  {
    std::lock_guard lock(mu_);
    idle_.push_back(std::move(db));
  }
  cv_.notify_one();
}

}  // namespace sotto::storage::sqlite
