// SPDX-License-Identifier: Apache-2.0
// The client database's schema and its migrations (PRAGMA user_version).
#pragma once

#include <cstdint>

#include "util.hpp"

namespace sotto::client::store {

constexpr std::int64_t kSchemaVersion = 1;
// PRAGMA application_id of a client database ("SotC"), so the server's
// database or another program's file is refused instead of written into.
constexpr std::int64_t kApplicationId = 0x536F7443;

// Sets WAL and secure_delete, checks the file is ours, and brings the schema
// to kSchemaVersion. Errors: unknown_version for a newer schema, internal for
// a file that is not a client database.
Status migrate(Database& db);

}  // namespace sotto::client::store
