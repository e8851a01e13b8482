// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "sql.hpp"

namespace sotto::storage::sqlite {

// Brings the database to kSchemaVersion (sqlite_storage.hpp): each step runs
// in its own transaction and bumps PRAGMA user_version with it, so a crash
// between steps leaves a database a later open continues from. A database
// newer than this code is refused (unknown_version) rather than misread.
// REQUIRES: the writer connection, before any reader opens.
Status migrate(Database& db);

}  // namespace sotto::storage::sqlite
