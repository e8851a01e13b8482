// SPDX-License-Identifier: Apache-2.0
// The durability promise of message.send: once an enqueue has completed, the
// message survives the server dying at any moment. A child process enqueues
// without pause and reports each completed enqueue over a pipe; the parent
// kill -9's it mid-stream, reopens the database, and checks that every
// reported message is there. (Power loss is covered by the writer's fsync of
// the WAL before any completion (writer.hpp); a kill cannot test that part,
// SqliteGroupCommit.CompletionComesAfterTheLogIsSynced checks the order.)
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <condition_variable>
#include <cstring>
#include <mutex>
#include <set>

#include "conformance_support.hpp"

namespace sotto::storage::testing {
namespace {

constexpr std::size_t kKillAfterReports = 3000;
constexpr int kInFlight = 256;  // outstanding enqueues: enough to form real group commits

[[noreturn]] void run_child(const std::string& file, const AccountId& account, std::uint32_t first,
                            int report_fd) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive a crashed test
  auto opened = sqlite::SqliteStorage::open(options_for(file));
  if (!opened) _exit(2);
  MailboxStore& mailbox = (*opened)->mailbox();
  std::mutex mu;
  std::condition_variable cv;
  int in_flight = 0;
  for (std::uint32_t i = first;; ++i) {
    {
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return in_flight < kInFlight; });
      ++in_flight;
    }
    mailbox.enqueue_async({make_envelope(account, 1 + i % 2, i, 200)},
                          [&, i](Result<EnqueueResults> r) {
                            if (r && r->at(0)) {
                              // 4 bytes < PIPE_BUF: each report arrives whole.
                              if (write(report_fd, &i, sizeof i) != sizeof i) _exit(3);
                            }
                            std::lock_guard lock(mu);
                            --in_flight;
                            cv.notify_one();
                          });
  }
}

// Runs one child until it has reported `kKillAfterReports` enqueues, kills it
// and returns every index it reported. Guids start at `first`.
std::vector<std::uint32_t> crash_one_child(const std::string& file, const AccountId& account,
                                           std::uint32_t first) {
  std::vector<std::uint32_t> reported;
  int fds[2];
  EXPECT_EQ(pipe(fds), 0);
  pid_t child = fork();
  EXPECT_GE(child, 0);
  if (child == 0) {
    close(fds[0]);
    run_child(file, account, first, fds[1]);
  }
  close(fds[1]);

  std::vector<std::uint8_t> pending;
  bool killed = false;
  for (;;) {
    pollfd p{fds[0], POLLIN, 0};
    if (poll(&p, 1, 30'000) <= 0) break;  // a stuck child fails the checks below
    std::uint8_t buf[4096];
    ssize_t n = read(fds[0], buf, sizeof buf);
    if (n <= 0) break;  // EOF: the child is gone and every report is read
    pending.insert(pending.end(), buf, buf + n);
    std::size_t whole = pending.size() / 4 * 4;
    for (std::size_t off = 0; off < whole; off += 4) {
      std::uint32_t i;
      std::memcpy(&i, pending.data() + off, 4);
      reported.push_back(i);
    }
    pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(whole));
    if (!killed && reported.size() >= kKillAfterReports) {
      kill(child, SIGKILL);  // mid-stream: enqueues are queued and in a transaction
      killed = true;
    }
  }
  close(fds[0]);
  int status = 0;
  EXPECT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(killed) << "the child reported only " << reported.size() << " enqueues";
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "child status " << status;
  return reported;
}

// Several crash/recover rounds on one database: each crash must lose nothing
// reported, and a database recovered from a crash must take the next crash too.
TEST(SqliteCrash, EveryReportedEnqueueSurvivesKill9) {
  constexpr int kRounds = 3;
  TempDir dir;
  const std::string file = (dir.path() / "server.db").string();
  const AccountId account = account_id(1);
  {
    auto store = open_sqlite(file);
    ASSERT_NE(store, nullptr);
    ASSERT_OK(store->accounts().create_account({account, "rosa", filled(33, 1), 1}));
    ASSERT_OK(store->devices().add_device(make_device(account, 1)));
    ASSERT_OK(store->devices().add_device(make_device(account, 2)));
  }  // closed: this process has no store threads when it forks

  std::vector<std::uint32_t> reported;
  for (int round = 0; round < kRounds; ++round) {
    auto more = crash_one_child(file, account, static_cast<std::uint32_t>(round) * 10'000'000);
    ASSERT_FALSE(HasFailure());
    reported.insert(reported.end(), more.begin(), more.end());

    auto store = open_sqlite(file);
    ASSERT_NE(store, nullptr);
    std::set<Guid> stored;
    for (DeviceId d : {1u, 2u}) {
      auto all = store->mailbox().fetch(account, d, 0, 10'000'000);
      ASSERT_OK(all);
      for (const auto& env : *all) stored.insert(env.guid);
      auto count = store->mailbox().count(account, d);
      ASSERT_OK(count);
      EXPECT_EQ(*count, all->size()) << "queue counter out of step with the rows";
    }
    std::size_t missing = 0;
    for (std::uint32_t i : reported) missing += stored.contains(guid(i)) ? 0 : 1;
    EXPECT_EQ(missing, 0u) << "round " << round << ": of " << reported.size()
                           << " reported enqueues";
    EXPECT_GE(stored.size(), reported.size());
  }  // each round closes the store before the next fork
  RecordProperty("reported", static_cast<int>(reported.size()));
}

}  // namespace
}  // namespace sotto::storage::testing
