// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "conformance_support.hpp"

namespace sotto::storage::testing {
namespace {

class SqliteGroupCommit : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = open_sqlite(dir_.path() / "server.db");
    ASSERT_NE(store_, nullptr);
    ASSERT_OK(store_->accounts().create_account({a_, "quinn", filled(33, 1), 1}));
    ASSERT_OK(store_->devices().add_device(make_device(a_, 1)));
  }
  std::uint64_t queued() {
    auto n = store_->mailbox().count(a_, 1);
    EXPECT_TRUE(n);
    return n ? *n : 0;
  }

  TempDir dir_;
  std::unique_ptr<sqlite::SqliteStorage> store_;
  AccountId a_ = account_id(1);
};

TEST_F(SqliteGroupCommit, ManyEnqueuesShareOneTransaction) {
  constexpr int kSends = 300;
  std::vector<std::future<Result<EnqueueResults>>> done;
  const std::uint64_t commits_before = store_->commit_count();
  {
    auto hold = store_->hold_writer();  // let the sends pile up as under load
    for (int i = 0; i < kSends; ++i) {
      auto promise = std::make_shared<std::promise<Result<EnqueueResults>>>();
      done.push_back(promise->get_future());
      store_->mailbox().enqueue_async({make_envelope(a_, 1, static_cast<std::uint32_t>(i), 200)},
                                      [promise](Result<EnqueueResults> r) {
                                        promise->set_value(std::move(r));
                                      });
    }
  }
  for (auto& f : done) {
    auto r = f.get();
    ASSERT_OK(r);
    ASSERT_OK(r->at(0));
  }
  EXPECT_EQ(store_->commit_count() - commits_before, 1u);
  EXPECT_EQ(queued(), static_cast<std::uint64_t>(kSends));
}

// A failing job in a batch is rolled back alone and the others still commit
// (the batch runs again with a savepoint per job), in one transaction.
TEST_F(SqliteGroupCommit, AFailingJobDoesNotUndoItsBatch) {
  std::promise<Result<EnqueueResults>> first, last;
  std::promise<Status> bad_ack;
  const std::uint64_t commits_before = store_->commit_count();
  {
    auto hold = store_->hold_writer();
    store_->mailbox().enqueue_async({make_envelope(a_, 1, 1)},
                                    [&](Result<EnqueueResults> r) { first.set_value(r); });
    store_->mailbox().ack_async(a_, 1, guid(999), [&](Status s) { bad_ack.set_value(s); });
    store_->mailbox().enqueue_async({make_envelope(a_, 1, 2)},
                                    [&](Result<EnqueueResults> r) { last.set_value(r); });
  }
  ASSERT_OK(first.get_future().get());
  EXPECT_ERRC(bad_ack.get_future().get(), Errc::not_found);
  ASSERT_OK(last.get_future().get());
  EXPECT_EQ(store_->commit_count() - commits_before, 1u);
  EXPECT_EQ(queued(), 2u);
}

// The completion comes after the commit: a reader on another connection
// already sees the message when the callback runs.
TEST_F(SqliteGroupCommit, CompletionComesAfterTheCommit) {
  std::promise<std::uint64_t> seen;
  store_->mailbox().enqueue_async({make_envelope(a_, 1, 1)}, [&](Result<EnqueueResults>) {
    auto n = store_->mailbox().count(a_, 1);  // a read: allowed in a callback
    seen.set_value(n ? *n : 0);
  });
  EXPECT_EQ(seen.get_future().get(), 1u);
}

// The completion waits for the fsync of the log that holds the commit.
TEST_F(SqliteGroupCommit, CompletionComesAfterTheLogIsSynced) {
  const std::uint64_t syncs_before = store_->log_sync_count();
  std::promise<std::uint64_t> syncs_at_completion;
  store_->mailbox().enqueue_async({make_envelope(a_, 1, 1)}, [&](Result<EnqueueResults> r) {
    EXPECT_TRUE(r && r->at(0));
    syncs_at_completion.set_value(store_->log_sync_count());
  });
  EXPECT_GT(syncs_at_completion.get_future().get(), syncs_before);
  // Blocking writes too.
  const std::uint64_t before_blocking = store_->log_sync_count();
  ASSERT_OK(store_->devices().add_device(make_device(a_, 2)));
  EXPECT_GT(store_->log_sync_count(), before_blocking);
}

// Completions come in commit order, also when one fsync covers several
// commits: the server delivers new envelopes from them in seq order.
TEST_F(SqliteGroupCommit, CompletionsComeInCommitOrderAcrossSyncs) {
  constexpr int kSends = 400;
  std::mutex mu;
  std::vector<std::uint64_t> seqs;
  std::promise<void> all;
  std::atomic<int> left{kSends};
  for (int i = 0; i < kSends; ++i) {
    store_->mailbox().enqueue_async({make_envelope(a_, 1, static_cast<std::uint32_t>(i))},
                                    [&](Result<EnqueueResults> r) {
                                      {
                                        std::lock_guard lock(mu);
                                        seqs.push_back(r && r->at(0) ? *r->at(0) : 0);
                                      }
                                      if (left.fetch_sub(1) == 1) all.set_value();
                                    });
  }
  all.get_future().wait();
  ASSERT_EQ(seqs.size(), static_cast<std::size_t>(kSends));
  EXPECT_TRUE(std::is_sorted(seqs.begin(), seqs.end()));
  EXPECT_EQ(std::count(seqs.begin(), seqs.end(), 0u), 0);
  EXPECT_LE(store_->log_sync_count(), store_->commit_count());
}

// Closing the store finishes what was submitted: nothing accepted is dropped.
TEST_F(SqliteGroupCommit, CloseFinishesSubmittedWrites) {
  constexpr int kSends = 100;
  std::atomic<int> completed{0};
  for (int i = 0; i < kSends; ++i) {
    store_->mailbox().enqueue_async({make_envelope(a_, 1, static_cast<std::uint32_t>(i))},
                                    [&](Result<EnqueueResults> r) {
                                      if (r && r->at(0)) completed.fetch_add(1);
                                    });
  }
  store_.reset();
  EXPECT_EQ(completed.load(), kSends);
  store_ = open_sqlite(dir_.path() / "server.db");
  ASSERT_NE(store_, nullptr);
  EXPECT_EQ(queued(), static_cast<std::uint64_t>(kSends));
}

// A completion that submits another write while the store closes (the
// server's ack write after a delivery, say): that write runs and completes too.
TEST_F(SqliteGroupCommit, CloseFinishesWritesSubmittedByCompletions) {
  std::atomic<bool> chained_done{false};
  auto* mailbox = &store_->mailbox();
  const AccountId account = a_;
  mailbox->enqueue_async({make_envelope(a_, 1, 1)}, [&, mailbox, account](Result<EnqueueResults>) {
    mailbox->enqueue_async({make_envelope(account, 1, 2)},
                           [&](Result<EnqueueResults> r) { chained_done = r && r->at(0); });
  });
  store_.reset();
  EXPECT_TRUE(chained_done.load());
  store_ = open_sqlite(dir_.path() / "server.db");
  ASSERT_NE(store_, nullptr);
  EXPECT_EQ(queued(), 2u);
}

// A store at `file` that checkpoints past `pages` pages of log, with account
// 1's device 1 to queue for.
std::unique_ptr<sqlite::SqliteStorage> open_with_device(const std::filesystem::path& file,
                                                        int pages) {
  sqlite::Options options = options_for(file);
  options.wal_checkpoint_pages = pages;
  auto opened = sqlite::SqliteStorage::open(options);
  EXPECT_TRUE(opened.has_value());
  if (!opened) return nullptr;
  const AccountId a = account_id(1);
  EXPECT_TRUE((*opened)->accounts().create_account({a, "sam", filled(33, 1), 1}).has_value());
  EXPECT_TRUE((*opened)->devices().add_device(make_device(a, 1)).has_value());
  return std::move(*opened);
}

// Checkpoints run in the background; under continuous writes the writer
// catches up itself past 4x the threshold, so the log stays bounded.
TEST(SqliteCheckpoint, TheLogStaysBoundedUnderContinuousWrites) {
  constexpr int kPages = 64;  // 256 KiB; the hard bound is 4x that
  TempDir dir;
  auto file = dir.path() / "server.db";
  auto opened = open_with_device(file, kPages);
  ASSERT_NE(opened, nullptr);
  auto& store = *opened;
  const AccountId a = account_id(1);
  auto wal = std::filesystem::path(file.string() + "-wal");
  std::uintmax_t max_wal = 0;
  std::uint32_t n = 0;
  for (int round = 0; round < 120; ++round) {  // 6 MB of envelopes, back to back
    std::vector<NewEnvelope> batch;
    for (int i = 0; i < 50; ++i) batch.push_back(make_envelope(a, 1, n++, 1000));
    ASSERT_OK(store.mailbox().enqueue(std::move(batch)));
    max_wal = std::max(max_wal, std::filesystem::file_size(wal));
  }
  EXPECT_GT(store.checkpoint_count() + store.writer_checkpoint_count(), 0u);
  // Without checkpoints the log would hold all ~6 MB; with them it stays near
  // the 4x bound (a catch-up can lose a race with a background checkpoint and
  // wait for the next commit, hence the slack).
  EXPECT_LT(max_wal, 8u * kPages * 4120u) << "largest log " << max_wal << " bytes";
  auto count = store.mailbox().count(a, 1);
  ASSERT_OK(count);
  EXPECT_EQ(*count, 6000u);
}

// Past the threshold a background checkpoint is asked for once per quarter
// threshold of log growth, not at every commit: the log only starts over
// after the writer's own catch-up, so a request per commit ran a checkpoint
// (and a database fsync) per commit.
TEST(SqliteCheckpoint, NotOnePerCommitPastTheThreshold) {
  constexpr int kPages = 64;
  constexpr int kCommits = 200;
  TempDir dir;
  auto opened = open_with_device(dir.path() / "server.db", kPages);
  ASSERT_NE(opened, nullptr);
  auto& store = *opened;
  const AccountId a = account_id(1);
  std::uint32_t n = 0;
  // Past the threshold first (the log is not checkpointed below it).
  for (int i = 0; i < 10; ++i) {
    std::vector<NewEnvelope> batch;
    for (int j = 0; j < 20; ++j) batch.push_back(make_envelope(a, 1, n++, 1000));
    ASSERT_OK(store.mailbox().enqueue(std::move(batch)));
  }
  const auto commits_before = store.commit_count();
  const auto checkpoints_before = store.checkpoint_count();
  for (int i = 0; i < kCommits; ++i) {  // one small commit each: a few pages
    std::vector<NewEnvelope> one;
    one.push_back(make_envelope(a, 1, n++, 200));
    ASSERT_OK(store.mailbox().enqueue(std::move(one)));
  }
  const auto commits = store.commit_count() - commits_before;
  const auto checkpoints = store.checkpoint_count() - checkpoints_before;
  ASSERT_GE(commits, static_cast<std::uint64_t>(kCommits));
  EXPECT_GT(checkpoints, 0u);
  EXPECT_LT(checkpoints * 2, commits) << checkpoints << " checkpoints for " << commits
                                      << " commits";
}

}  // namespace
}  // namespace sotto::storage::testing
