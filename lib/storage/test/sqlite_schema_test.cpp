// SPDX-License-Identifier: Apache-2.0
#include <sqlite3.h>

#include <fstream>

#include "conformance_support.hpp"

namespace sotto::storage::testing {
namespace {

// Runs one statement on a raw connection and returns its first column as text.
std::string raw_query(const std::filesystem::path& file, const char* sql) {
  sqlite3* db = nullptr;
  std::string out;
  if (sqlite3_open(file.c_str(), &db) == SQLITE_OK) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
      const auto* text = sqlite3_column_text(stmt, 0);
      if (text != nullptr) out = reinterpret_cast<const char*>(text);
    }
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db);
  return out;
}

TEST(SqliteSchema, FreshDatabaseIsWalAtCurrentVersion) {
  TempDir dir;
  auto file = dir.path() / "server.db";
  ASSERT_NE(open_sqlite(file), nullptr);
  EXPECT_EQ(raw_query(file, "PRAGMA user_version"), std::to_string(sqlite::kSchemaVersion));
  EXPECT_EQ(raw_query(file, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(raw_query(file, "PRAGMA integrity_check"), "ok");
  // Reopening an up-to-date database migrates nothing and works.
  auto again = open_sqlite(file);
  ASSERT_NE(again, nullptr);
  ASSERT_OK(again->accounts().create_account({account_id(1), "pia", filled(33, 1), 1}));
}

TEST(SqliteSchema, RefusesANewerSchema) {
  TempDir dir;
  auto file = dir.path() / "server.db";
  ASSERT_NE(open_sqlite(file), nullptr);
  raw_query(file, "PRAGMA user_version=99");
  auto opened = sqlite::SqliteStorage::open(options_for(file));
  EXPECT_ERRC(opened, Errc::unknown_version);
}

TEST(SqliteSchema, RefusesAFileThatIsNotADatabase) {
  TempDir dir;
  auto file = dir.path() / "server.db";
  std::ofstream(file) << std::string(4096, 'x');
  auto opened = sqlite::SqliteStorage::open(options_for(file));
  EXPECT_ERRC(opened, Errc::internal);
}

TEST(SqliteSchema, ReportsAnUnopenablePath) {
  TempDir dir;
  auto opened = sqlite::SqliteStorage::open(options_for(dir.path() / "missing" / "x.db"));
  EXPECT_ERRC(opened, Errc::internal);
}

}  // namespace
}  // namespace sotto::storage::testing
