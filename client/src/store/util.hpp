// SPDX-License-Identifier: Apache-2.0
// Small helpers shared by the store's files: error plumbing, savepoints,
// time and username folding.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "sotto/core/result.hpp"
#include "sotto/sql/database.hpp"

namespace sotto::client::store {

using sql::Database;
using sql::Query;

// Wall-clock milliseconds since the Unix epoch.
std::uint64_t now_ms();

// The server compares usernames case-insensitively by folding ASCII letters to
// lower case; the contact table is keyed by the same folded form.
std::string fold_username(std::string_view username);

// Unsigned 64-bit values (timestamps) are stored bit for bit in SQLite's
// signed integers, so they read back exactly.
inline std::int64_t to_sql(std::uint64_t value) { return static_cast<std::int64_t>(value); }
inline std::uint64_t from_sql(std::int64_t value) { return static_cast<std::uint64_t>(value); }

// A record that fails to parse was damaged on disk, not sent by a peer: it is
// reported as internal so callers never treat it as a bad message and
// acknowledge (and so lose) what they were processing.
Error corrupt(std::string_view what, const Error& cause);

// Runs `body` (returning Status) inside a SAVEPOINT, so a multi-statement
// change is all-or-nothing whether or not a Transaction is open.
template <class Body>
Status in_savepoint(Database& db, Body&& body) {
  SOTTO_TRY(db.exec("SAVEPOINT store_op"));
  Status result = std::forward<Body>(body)();
  if (result) result = db.exec("RELEASE store_op");
  if (!result) {
    (void)db.exec("ROLLBACK TO store_op");
    (void)db.exec("RELEASE store_op");
  }
  return result;
}

}  // namespace sotto::client::store

// Binds `var` to the value of a Result expression or returns its error.
#define STORE_ASSIGN(var, expr)                                     \
  auto var##_result_ = (expr);                                      \
  if (!var##_result_) return tl::unexpected(var##_result_.error()); \
  auto& var = *var##_result_
