// SPDX-License-Identifier: Apache-2.0
#include "checkpointer.hpp"

#include <pthread.h>

#include <algorithm>

namespace sotto::storage::sqlite {

Checkpointer::Checkpointer(std::unique_ptr<Database> db, int wal_pages)
    : db_(std::move(db)),
      wal_pages_(wal_pages),
      next_request_at_(wal_pages),
      thread_([this] { loop(); }) {}

Checkpointer::~Checkpointer() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
  // The last connection to close checkpoints; this one closes last.
  if (refused_.load())
    sqlite3_db_config(db_->handle(), SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
}

void Checkpointer::refuse() { refused_.store(true); }

void Checkpointer::watch(Database& writer_db) {
  // Replaces SQLite's own auto-checkpoint hook on that connection.
  sqlite3_wal_hook(writer_db.handle(), &Checkpointer::on_commit, this);
}

int Checkpointer::on_commit(void* self, sqlite3* writer, const char*, int pages) {
  auto* c = static_cast<Checkpointer*>(self);
  if (c->refused_.load()) return SQLITE_OK;
  if (pages >= kCatchUpFactor * c->wal_pages_) {
    // Under continuous writes a background checkpoint never quite catches up
    // before the next transaction, and SQLite only starts the log over when
    // one has. Copying the (short) rest here, between two transactions, lets
    // the next one restart it, so the log stays bounded.
    sqlite3_wal_checkpoint_v2(writer, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    c->catch_ups_.fetch_add(1);
  } else if (pages < c->wal_pages_) {
    c->next_request_at_ = c->wal_pages_;  // below the threshold: the log started over
  } else if (pages >= c->next_request_at_) {
    // Not again until the log has grown by a step. A background checkpoint
    // never lets the log start over (the writer opens its next transaction
    // before the checkpoint ends; only the catch-up above does), so a request
    // at every commit past the threshold ran a checkpoint and an fsync of the
    // database per commit: 470/s in W1's open loop, each copying ~18 pages.
    c->next_request_at_ = pages + std::max(1, c->wal_pages_ / kRequestsPerThreshold);
    {
      std::lock_guard lock(c->mu_);
      c->requested_ = true;
    }
    c->cv_.notify_one();
  }
  return SQLITE_OK;
}

void Checkpointer::loop() {
  pthread_setname_np(pthread_self(), "sotto-db-ckpt");
  for (;;) {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stop_ || requested_; });
      if (stop_) return;
      requested_ = false;
    }
    if (refused_.load()) continue;
    // PASSIVE copies what it can without waiting for any lock; frames a
    // reader still needs stay for the next round. Once everything is copied
    // the writer starts the log over, so it stops growing.
    int log_pages = 0, copied = 0;
    int rc = sqlite3_wal_checkpoint_v2(db_->handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE,
                                       &log_pages, &copied);
    if (rc == SQLITE_OK) done_.fetch_add(1);
  }
}

}  // namespace sotto::storage::sqlite
