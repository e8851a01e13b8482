// SPDX-License-Identifier: Apache-2.0
#include "sotto/sql/database.hpp"

#include <cstring>
#include <mutex>
#include <utility>

namespace sotto::sql {

namespace {

// Process-wide SQLite settings, made once before the first connection (they
// cannot change after SQLite initializes). Memory statistics off: with them
// on, every sqlite3_malloc and free takes one global mutex, which the writer
// and the readers of a busy server then queue on; nothing here reads them.
void configure_sqlite_once() {
  static std::once_flag once;
  std::call_once(once, [] { (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
}

}  // namespace

Error sqlite_error(sqlite3* db, int rc, std::string_view what) {
  std::string message(what);
  message += ": ";
  message += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  switch (rc) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
      return Error{Errc::already_exists, std::move(message)};
    case SQLITE_CONSTRAINT_FOREIGNKEY:
      return Error{Errc::not_found, std::move(message)};
    default:
      return Error{Errc::internal, std::move(message)};
  }
}

// ---- Query -------------------------------------------------------------------

Query::Query(Query&& other) noexcept
    : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)), bind_rc_(other.bind_rc_) {}

Query::~Query() {
  if (stmt_ == nullptr) return;
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

void Query::note(int rc) {
  if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) bind_rc_ = rc;
}

Query& Query::bind(int index, std::int64_t value) {
  note(sqlite3_bind_int64(stmt_, index, value));
  return *this;
}

Query& Query::bind(int index, ByteView blob) {
  // SQLITE_TRANSIENT: SQLite copies the bytes now, so a caller may bind a
  // temporary (`.bind(1, encode(x))`) without it dangling at step(). The
  // copy is small next to the commit it is part of.
  static const std::uint8_t kEmpty = 0;
  const void* data = blob.empty() ? &kEmpty : blob.data();
  note(sqlite3_bind_blob64(stmt_, index, data, blob.size(), SQLITE_TRANSIENT));
  return *this;
}

Query& Query::bind_text(int index, std::string_view text) {
  // Copied for the same reason as blobs (a folded username is a temporary).
  note(sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT,
                           SQLITE_UTF8));
  return *this;
}

Result<bool> Query::step() {
  if (bind_rc_ != SQLITE_OK) return tl::unexpected(sqlite_error(db_, bind_rc_, "bind"));
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return tl::unexpected(sqlite_error(db_, sqlite3_extended_errcode(db_), "step"));
}

Status Query::run() {
  for (;;) {
    auto row = step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) return ok();
  }
}

std::int64_t Query::int64(int column) const { return sqlite3_column_int64(stmt_, column); }

Bytes Query::blob(int column) const {
  const auto* data = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt_, column));
  auto size = static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column));
  return data == nullptr ? Bytes{} : Bytes(data, data + size);
}

ByteView Query::blob_view(int column) const {
  const auto* data = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt_, column));
  auto size = static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column));
  return data == nullptr ? ByteView{} : ByteView(data, size);
}

std::string Query::text(int column) const {
  const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  auto size = static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column));
  return data == nullptr ? std::string{} : std::string(data, size);
}

void Query::copy_blob(int column, std::uint8_t* out, std::size_t size) const {
  const void* data = sqlite3_column_blob(stmt_, column);
  auto have = static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column));
  if (data != nullptr) std::memcpy(out, data, have < size ? have : size);
}

// ---- Database ----------------------------------------------------------------

Result<std::unique_ptr<Database>> Database::open(const std::string& path, Role role) {
  configure_sqlite_once();
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
  if (role == Role::writer) flags |= SQLITE_OPEN_CREATE;
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  // sqlite3_open_v2 hands back a handle even on failure; it must be closed.
  std::unique_ptr<Database> db(new Database(raw));
  if (rc != SQLITE_OK) return tl::unexpected(sqlite_error(raw, rc, "open " + path));
  sqlite3_extended_result_codes(raw, 1);

  // synchronous=FULL: in WAL mode the log is fsynced at every commit, so a
  // completed write survives power loss, not just a process crash.
  SOTTO_TRY(db->exec("PRAGMA foreign_keys=ON"));
  SOTTO_TRY(db->exec("PRAGMA synchronous=FULL"));
  SOTTO_TRY(db->exec("PRAGMA busy_timeout=10000"));
  SOTTO_TRY(db->exec("PRAGMA temp_store=MEMORY"));
  SOTTO_TRY(db->exec("PRAGMA cache_size=-32768"));  // 32 MiB per connection
  if (role == Role::reader) SOTTO_TRY(db->exec("PRAGMA query_only=ON"));
  // When the log starts over after a checkpoint, shrink its file to 64 MiB.
  if (role != Role::reader) SOTTO_TRY(db->exec("PRAGMA journal_size_limit=67108864"));
  return db;
}

Database::~Database() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

Status Database::exec(const char* sql) {
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return tl::unexpected(sqlite_error(db_, rc, sql));
  return ok();
}

Result<Query> Database::query(std::string_view sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) return tl::unexpected(sqlite_error(db_, rc, "prepare"));
    it = cache_.emplace(std::string(sql), stmt).first;
  }
  return Query(db_, it->second);
}

Result<std::int64_t> Database::query_int(std::string_view sql) {
  auto q = query(sql);
  if (!q) return tl::unexpected(q.error());
  auto row = q->step();
  if (!row) return tl::unexpected(row.error());
  if (!*row) return fail(Errc::internal, "no result row");
  return q->int64(0);
}

}  // namespace sotto::sql
