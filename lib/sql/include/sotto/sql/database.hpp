// SPDX-License-Identifier: Apache-2.0
// One SQLite connection with its prepared-statement cache. A connection is used
// by one thread at a time (the writer thread, or a reader borrowed from the
// pool), so it is opened without SQLite's own mutex.
#pragma once

#include <sqlite3.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "sotto/core/bytes.hpp"
#include "sotto/core/result.hpp"

namespace sotto::sql {

// Our error for an SQLite result code: uniqueness conflicts are
// already_exists, foreign-key failures not_found, anything else internal.
Error sqlite_error(sqlite3* db, int rc, std::string_view what);

// A cached statement in use. It resets itself and clears its bindings when it
// goes out of scope, so the next user of the cache entry starts clean. A bind
// failure is remembered and reported by the next step().
class Query {
 public:
  Query(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Query(Query&& other) noexcept;
  Query& operator=(Query&&) = delete;
  Query(const Query&) = delete;
  ~Query();

  Query& bind(int index, std::int64_t value);
  Query& bind(int index, ByteView blob);  // an empty view binds a zero-length blob
  Query& bind_text(int index, std::string_view text);
  template <std::size_t N>
  Query& bind(int index, const std::array<std::uint8_t, N>& id) {
    return bind(index, ByteView(id));
  }

  // true: a row is ready to read; false: the statement has finished.
  Result<bool> step();
  // Steps to the end, ignoring rows; for statements that return none.
  Status run();

  std::int64_t int64(int column) const;
  Bytes blob(int column) const;
  // The column's bytes in SQLite's own buffer, valid until the next step() or
  // the end of the query: for callers that copy secrets into wiping storage.
  ByteView blob_view(int column) const;
  std::string text(int column) const;
  // A fixed-size id column (account ids, guids); zero-filled if the stored
  // value is shorter, which the schema's CHECK constraints rule out.
  template <std::size_t N>
  std::array<std::uint8_t, N> id(int column) const {
    std::array<std::uint8_t, N> out{};
    copy_blob(column, out.data(), N);
    return out;
  }

 private:
  void copy_blob(int column, std::uint8_t* out, std::size_t size) const;
  void note(int rc);

  sqlite3* db_;
  sqlite3_stmt* stmt_;
  int bind_rc_ = SQLITE_OK;
};

class Database {
 public:
  enum class Role { writer, reader, checkpointer };

  // Opens (a writer also creates) the database file and applies the
  // per-connection settings: foreign keys on, synchronous=FULL, a busy timeout;
  // readers are query_only.
  static Result<std::unique_ptr<Database>> open(const std::string& path, Role role);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs SQL with no parameters and no result rows (pragmas, DDL), uncached.
  Status exec(const char* sql);
  // The cached prepared statement for `sql`, prepared on first use.
  Result<Query> query(std::string_view sql);
  // A one-row integer result, e.g. a pragma ("PRAGMA user_version").
  Result<std::int64_t> query_int(std::string_view sql);

  // Rows changed by the last INSERT/UPDATE/DELETE on this connection.
  std::int64_t changes() const { return sqlite3_changes64(db_); }
  sqlite3* handle() const { return db_; }

 private:
  explicit Database(sqlite3* db) : db_(db) {}

  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };
  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*, Hash, std::equal_to<>> cache_;
};

}  // namespace sotto::sql
