// SPDX-License-Identifier: Apache-2.0
// The server never holds plaintext (issue 3, point 8): messages carrying a
// unique canary go through sottod (online, queued offline, across a SIGTERM
// restart and a kill -9) with trace logging on; afterwards no file under the
// server's data dir (database, -wal, -shm, tls/) and none of its logs holds
// the canary. The clients keep plaintext history by design, so the same scan
// finds it on their side: the scan itself works.
#include <random>
#include <sstream>

#include "e2e_support.hpp"

namespace sotto::systest::e2e {
namespace {

namespace fs = std::filesystem;

std::string random_hex(std::size_t bytes) {
  std::random_device rd;
  std::ostringstream s;
  s << std::hex;
  for (std::size_t i = 0; i < bytes; ++i) s << ((rd() >> 4) & 0xf) << (rd() & 0xf);
  return s.str();
}

std::string join(const std::vector<fs::path>& paths) {
  std::string out;
  for (const auto& p : paths) out += "\n  " + p.string();
  return out;
}

class CanaryTest : public E2eTest {};

TEST_F(CanaryTest, CanaryNeverReachesServerDisk) {
  start_server("trace");
  const User alice = registered_user("alice");
  const User bob = registered_user("bob");
  ASSERT_FALSE(HasFailure());

  const std::string canary = "CANARY-" + random_hex(16);
  // Several KiB, the canary at the start, in the middle and at the end.
  std::string long_text = canary + " begins;";
  while (long_text.size() < 3000) long_text += " the quick brown fox jumps over the lazy dog;";
  long_text += " " + canary + " middle;";
  while (long_text.size() < 7000) long_text += " pack my box with five dozen liquor jugs;";
  long_text += " ends " + canary;

  // Online: first contact, then bob reads at once.
  const CliRun first = alice.send("bob", "short " + canary);
  ASSERT_EQ(first.code(), kExitOk) << first.describe();
  CliRun r = bob.receive();
  ASSERT_EQ(r.code(), kExitOk) << r.describe();
  ASSERT_EQ(bodies(r.events, "alice"), std::vector<std::string>{"short " + canary});

  // Offline: the long one waits in bob's queue over a clean restart (read
  // from stdin: the CLI's "-").
  const CliRun long_send = alice.run_with_stdin({"send", "bob", "-", "--json"}, long_text);
  ASSERT_EQ(long_send.code(), kExitOk) << long_send.describe();
  SOTTO_E2E_ASSERT_OK(server_->stop());
  SOTTO_E2E_ASSERT_OK(server_->restart());
  r = bob.receive();
  ASSERT_EQ(r.code(), kExitOk) << r.describe();
  ASSERT_EQ(bodies(r.events, "alice"), std::vector<std::string>{long_text});

  // bob's reply waits in his outbox while the server is dead, then goes
  // through the server after a kill -9 restart, while alice is offline.
  SOTTO_E2E_ASSERT_OK(server_->kill9());
  const CliRun queued = bob.send("alice", "reply " + canary);
  ASSERT_EQ(queued.code(), kExitNetwork) << queued.describe();
  SOTTO_E2E_ASSERT_OK(server_->restart());
  const CliRun flushed = bob.receive();
  ASSERT_EQ(flushed.code(), kExitOk) << flushed.describe();
  const CliRun long_reply = bob.run_with_stdin({"send", "alice", "-", "--json"}, long_text);
  ASSERT_EQ(long_reply.code(), kExitOk) << long_reply.describe();
  // One more restart with both messages queued for alice.
  SOTTO_E2E_ASSERT_OK(server_->stop());
  SOTTO_E2E_ASSERT_OK(server_->restart());
  r = alice.receive();
  ASSERT_EQ(r.code(), kExitOk) << r.describe();
  EXPECT_EQ(bodies(r.events, "bob"), (std::vector<std::string>{"reply " + canary, long_text}));

  // Something stays queued at the end: a message bob never fetches.
  const CliRun unread = alice.send("bob", "never fetched " + canary);
  ASSERT_EQ(unread.code(), kExitOk) << unread.describe();

  // Scanned twice: after a kill -9 (the database's -wal and -shm files are
  // still there, as a crash leaves them) and after a clean stop.
  auto scan_server = [&](const std::string& when) {
    std::size_t files = 0;
    std::string names;
    for (auto it = fs::recursive_directory_iterator(server_data_dir());
         it != fs::recursive_directory_iterator(); ++it) {
      if (!it->is_regular_file()) continue;
      ++files;
      names += " " + fs::relative(it->path(), server_data_dir()).string();
    }
    RecordProperty("server_files " + when, names);
    EXPECT_GE(files, 2U) << when << ": expected a database and a TLS identity under "
                         << server_data_dir();
    const auto on_server = files_containing(server_data_dir(), canary);
    EXPECT_TRUE(on_server.empty())
        << when << ": the canary is on the server's disk:" << join(on_server);
    const auto in_logs = files_containing(server_log_dir(), canary);
    EXPECT_TRUE(in_logs.empty()) << when << ": the canary is in sottod's logs:" << join(in_logs);
  };
  SOTTO_E2E_ASSERT_OK(server_->kill9());
  scan_server("after kill -9");
  SOTTO_E2E_ASSERT_OK(server_->restart());
  SOTTO_E2E_ASSERT_OK(server_->stop());
  scan_server("after a clean stop");
  ASSERT_GE(server_->runs(), 5);

  // Trace logging did log something, so the logs were really looked at.
  std::uintmax_t log_bytes = 0;
  for (const auto& entry : fs::directory_iterator(server_log_dir())) {
    if (entry.is_regular_file()) log_bytes += entry.file_size();
  }
  EXPECT_GT(log_bytes, 0U) << "sottod --log-level trace wrote nothing";
  RecordProperty("server_log_bytes", static_cast<int>(log_bytes));

  // Not vacuous: the clients' own databases hold the plaintext history.
  EXPECT_FALSE(files_containing(alice.data_dir(), canary).empty())
      << "the canary is not in alice's data dir: the scan may not see SQLite contents";
  EXPECT_FALSE(files_containing(bob.data_dir(), canary).empty())
      << "the canary is not in bob's data dir";
}

}  // namespace
}  // namespace sotto::systest::e2e
