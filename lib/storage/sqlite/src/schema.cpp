// SPDX-License-Identifier: Apache-2.0
#include "schema.hpp"

#include <string>

#include "sotto/storage/sqlite/sqlite_storage.hpp"

namespace sotto::storage::sqlite {

namespace {

// Version 1. Ids are checked for length so a bug cannot store a short id that
// would alias another when read back into a fixed-size array.
//
// devices.queue_count/queue_bytes are the running size of the device's queue,
// kept in the same transaction as every insert and delete, so the cap check is
// one row read instead of a count over up to a million rows.
//
// messages.seq is AUTOINCREMENT: a plain rowid would hand the largest seq out
// again after that message is acked, and a reader resuming "after seq" would
// skip the new message. Rows are appended in arrival order (a hot right-most
// page) and found per device through messages_by_device. A table clustered
// by (account, device, seq) was measured too: it drains a long offline
// backlog faster but stores 35% slower (row splits at every device's tail),
// and most mail is fetched soon after it arrives, from pages still hot.
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE accounts(
  id              BLOB PRIMARY KEY CHECK(length(id) = 16),
  username        TEXT NOT NULL,
  username_folded TEXT NOT NULL UNIQUE,
  identity_key    BLOB NOT NULL,
  created         INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE devices(
  account_id      BLOB NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  device_id       INTEGER NOT NULL CHECK(device_id BETWEEN 1 AND 127),
  device_key      BLOB NOT NULL,
  registration_id INTEGER NOT NULL,
  created         INTEGER NOT NULL,
  last_seen_day   INTEGER NOT NULL,
  queue_count     INTEGER NOT NULL DEFAULT 0,
  queue_bytes     INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY(account_id, device_id)
) WITHOUT ROWID;

CREATE TABLE signed_prekeys(
  account_id BLOB NOT NULL,
  device_id  INTEGER NOT NULL,
  key_id     INTEGER NOT NULL,
  public_key BLOB NOT NULL,
  signature  BLOB NOT NULL,
  PRIMARY KEY(account_id, device_id),
  FOREIGN KEY(account_id, device_id) REFERENCES devices ON DELETE CASCADE
) WITHOUT ROWID;

CREATE TABLE kyber_last_resort_keys(
  account_id BLOB NOT NULL,
  device_id  INTEGER NOT NULL,
  key_id     INTEGER NOT NULL,
  public_key BLOB NOT NULL,
  signature  BLOB NOT NULL,
  PRIMARY KEY(account_id, device_id),
  FOREIGN KEY(account_id, device_id) REFERENCES devices ON DELETE CASCADE
) WITHOUT ROWID;

CREATE TABLE one_time_prekeys(
  account_id BLOB NOT NULL,
  device_id  INTEGER NOT NULL,
  key_id     INTEGER NOT NULL,
  public_key BLOB NOT NULL,
  PRIMARY KEY(account_id, device_id, key_id),
  FOREIGN KEY(account_id, device_id) REFERENCES devices ON DELETE CASCADE
) WITHOUT ROWID;

CREATE TABLE kyber_prekeys(
  account_id BLOB NOT NULL,
  device_id  INTEGER NOT NULL,
  key_id     INTEGER NOT NULL,
  public_key BLOB NOT NULL,
  signature  BLOB NOT NULL,
  PRIMARY KEY(account_id, device_id, key_id),
  FOREIGN KEY(account_id, device_id) REFERENCES devices ON DELETE CASCADE
) WITHOUT ROWID;

CREATE TABLE messages(
  seq        INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id BLOB NOT NULL,
  device_id  INTEGER NOT NULL,
  guid       BLOB NOT NULL UNIQUE CHECK(length(guid) = 16),
  sender     BLOB NOT NULL,
  envelope   BLOB NOT NULL,
  expires    INTEGER NOT NULL,
  FOREIGN KEY(account_id, device_id) REFERENCES devices ON DELETE CASCADE
);
CREATE INDEX messages_by_device ON messages(account_id, device_id, seq);
CREATE INDEX messages_by_expiry ON messages(expires);
)sql";

// Index = version - 1. Append new steps; never edit a released one.
constexpr const char* kSteps[] = {kSchemaV1};
static_assert(std::size(kSteps) == kSchemaVersion);

}  // namespace

Status migrate(Database& db) {
  // WAL is a property of the file: set once, it holds for every connection.
  {
    auto mode = db.query("PRAGMA journal_mode=WAL");
    if (!mode) return tl::unexpected(mode.error());
    auto row = mode->step();
    if (!row) return tl::unexpected(row.error());
    if (!*row || mode->text(0) != "wal") return fail(Errc::internal, "cannot enable WAL mode");
  }

  auto version = db.query_int("PRAGMA user_version");
  if (!version) return tl::unexpected(version.error());
  if (*version > kSchemaVersion) {
    return fail(Errc::unknown_version,
                "database schema version " + std::to_string(*version) + " is newer than " +
                    std::to_string(kSchemaVersion));
  }
  for (auto v = *version; v < kSchemaVersion; ++v) {
    SOTTO_TRY(db.exec("BEGIN IMMEDIATE"));
    std::string step = kSteps[v];
    step += "PRAGMA user_version=" + std::to_string(v + 1) + ";";
    if (auto applied = db.exec(step.c_str()); !applied) {
      (void)db.exec("ROLLBACK");
      return applied;
    }
    SOTTO_TRY(db.exec("COMMIT"));
  }
  return ok();
}

}  // namespace sotto::storage::sqlite
