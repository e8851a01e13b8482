// SPDX-License-Identifier: Apache-2.0
// Opening: file permissions, schema checks, and files that are not ours.
#include <sqlite3.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <iterator>

#include "sotto/protocol/prekeys.hpp"
#include "sotto/testing/test_party.hpp"
#include "store_fixture.hpp"

namespace sotto::client {
namespace {

using testing::TempDir;

mode_t mode_of(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

void write_file(const std::string& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

Bytes read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Runs SQL on the file through a separate, plain SQLite connection.
void raw_exec(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  EXPECT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  sqlite3_close(db);
}

TEST(ClientStoreOpen, CreatesThePrivateFiles0600) {
  TempDir dir;
  auto path = dir.file("client.db");
  auto store = testing::open_store(path);
  ASSERT_NE(store, nullptr);
  auto rng = sotto::testing::seeded_rng(1);
  ASSERT_TRUE(store->save_account(testing::make_account("alice", 1, *rng)));
  EXPECT_EQ(mode_of(path), 0600u);
  EXPECT_EQ(mode_of(path + "-wal"), 0600u);
  EXPECT_EQ(mode_of(path + "-shm"), 0600u);
}

TEST(ClientStoreOpen, TightensAWiderModeOfAnExistingFile) {
  TempDir dir;
  auto path = dir.file("client.db");
  testing::open_store(path).reset();
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  auto store = testing::open_store(path);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(mode_of(path), 0600u);
}

TEST(ClientStoreOpen, ReopensAnExistingDatabase) {
  TempDir dir;
  auto path = dir.file("client.db");
  auto rng = sotto::testing::seeded_rng(2);
  auto account = testing::make_account("alice", 1, *rng);
  {
    auto store = testing::open_store(path);
    ASSERT_TRUE(store->save_account(account));
  }
  for (int i = 0; i < 2; ++i) {
    auto store = testing::open_store(path);
    ASSERT_NE(store, nullptr);
    auto loaded = store->load_account();
    ASSERT_TRUE(loaded.has_value() && loaded->has_value());
    EXPECT_EQ((*loaded)->username, "alice");
  }
}

TEST(ClientStoreOpen, GarbageFileFailsWithAnError) {
  TempDir dir;
  auto path = dir.file("garbage.db");
  auto rng = sotto::testing::seeded_rng(3);
  Bytes garbage(8192);
  rng->fill(garbage);
  write_file(path, garbage);
  auto store = ClientStore::open(path);
  ASSERT_FALSE(store.has_value());
  EXPECT_EQ(store.error().code, Errc::internal);
  EXPECT_NE(store.error().message.find(path), std::string::npos) << store.error().message;
}

TEST(ClientStoreOpen, DamagedSqliteFileFailsWithAnError) {
  TempDir dir;
  auto path = dir.file("damaged.db");
  testing::open_store(path).reset();
  auto bytes = read_file(path);
  ASSERT_GT(bytes.size(), 200u);
  // Keep the magic string, smash the rest of the header and the schema page.
  std::fill(bytes.begin() + 16, bytes.end(), std::uint8_t{0xEE});
  write_file(path, bytes);
  auto store = ClientStore::open(path);
  ASSERT_FALSE(store.has_value());
  EXPECT_NE(store.error().message.find(path), std::string::npos);
}

TEST(ClientStoreOpen, EmptyFileBecomesADatabase) {
  TempDir dir;
  auto path = dir.file("empty.db");
  write_file(path, {});
  EXPECT_NE(testing::open_store(path), nullptr);
}

TEST(ClientStoreOpen, InMemoryDatabaseWorks) {
  auto store = testing::open_store(":memory:");
  ASSERT_NE(store, nullptr);
  auto rng = sotto::testing::seeded_rng(5);
  ASSERT_TRUE(store->save_account(testing::make_account("alice", 1, *rng)));
  EXPECT_TRUE(store->load_account()->has_value());
}

TEST(ClientStoreOpen, MissingDirectoryFails) {
  TempDir dir;
  auto store = ClientStore::open(dir.file("no/such/dir/client.db"));
  ASSERT_FALSE(store.has_value());
  EXPECT_EQ(store.error().code, Errc::internal);
}

TEST(ClientStoreOpen, NewerSchemaIsRefused) {
  TempDir dir;
  auto path = dir.file("client.db");
  testing::open_store(path).reset();
  raw_exec(path, "PRAGMA user_version=99");
  auto store = ClientStore::open(path);
  ASSERT_FALSE(store.has_value());
  EXPECT_EQ(store.error().code, Errc::unknown_version);
}

TEST(ClientStoreOpen, AnotherProgramsDatabaseIsRefused) {
  TempDir dir;
  auto path = dir.file("other.db");
  raw_exec(path, "PRAGMA application_id=42; CREATE TABLE t(x); PRAGMA user_version=1;");
  auto store = ClientStore::open(path);
  ASSERT_FALSE(store.has_value());
  EXPECT_EQ(store.error().code, Errc::internal);
}

bool contains(const Bytes& haystack, ByteView needle) {
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) !=
         haystack.end();
}

TEST(ClientStoreOpen, DeletedKeysAreOverwrittenInTheFile) {
  TempDir dir;
  auto path = dir.file("client.db");
  auto rng = sotto::testing::seeded_rng(4);
  auto prekey = protocol::generate_prekey(7, *rng);
  auto secret = prekey.key_pair.private_key.clone();
  {
    auto store = testing::open_store(path);
    ASSERT_TRUE(store->prekey_store().store_prekey(std::move(prekey)));
  }  // the last close checkpoints the log into the file
  ASSERT_TRUE(contains(read_file(path), secret.expose()));
  {
    auto store = testing::open_store(path);
    ASSERT_TRUE(store->prekey_store().remove_prekey(7));
    ASSERT_TRUE(store->wipe());
    EXPECT_FALSE(contains(read_file(path), secret.expose()));
    EXPECT_FALSE(contains(read_file(path + "-wal"), secret.expose()));
  }
  EXPECT_FALSE(contains(read_file(path), secret.expose()));
}

}  // namespace
}  // namespace sotto::client
