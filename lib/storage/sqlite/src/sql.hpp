// SPDX-License-Identifier: Apache-2.0
// The shared SQLite connection wrapper (lib/sql), under the names this store's
// code uses.
#pragma once

#include "sotto/sql/database.hpp"

namespace sotto::storage::sqlite {

using sql::Database;
using sql::Query;
using sql::sqlite_error;

}  // namespace sotto::storage::sqlite
