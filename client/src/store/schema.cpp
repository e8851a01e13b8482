// SPDX-License-Identifier: Apache-2.0
#include "schema.hpp"

#include <iterator>
#include <string>

namespace sotto::client::store {

namespace {

// Version 1. Fixed-size ids are checked for length so a bug cannot store a
// short one that would read back zero-padded as some other id.
//
// identities: one row per peer account (the protocol address name; all of an
// account's devices share its identity key). changed/verified drive the trust
// policy in identity_store.cpp; first_seen is when the current key was first
// seen (ms).
// sessions/sender_keys/prekeys/signed_prekeys: serialized protocol records
// (records.hpp); they hold private keys, which secure_delete overwrites when
// a row is replaced or deleted.
// signed_prekeys.seq orders keys by when they were stored (ids wrap).
// messages.status: outgoing 0..3 (queued, sent, delivered, read) only move
// forward; incoming are 3 (read) or 4 (unread).
// outbox.message_id is NULL for items that carry no message (receipts).
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE account(
  id                    INTEGER PRIMARY KEY CHECK(id = 1),
  username              TEXT NOT NULL,
  account_id            BLOB NOT NULL CHECK(length(account_id) = 16),
  device_id             INTEGER NOT NULL,
  device_seed           BLOB NOT NULL CHECK(length(device_seed) = 32),
  identity              BLOB NOT NULL,
  registration_id       INTEGER NOT NULL,
  server_host           TEXT NOT NULL,
  server_port           INTEGER NOT NULL CHECK(server_port BETWEEN 0 AND 65535),
  server_pin            BLOB NOT NULL CHECK(length(server_pin) = 32),
  next_prekey_id        INTEGER NOT NULL,
  next_signed_prekey_id INTEGER NOT NULL
);

CREATE TABLE identities(
  name       TEXT PRIMARY KEY,
  key        BLOB NOT NULL CHECK(length(key) = 33),
  verified   INTEGER NOT NULL DEFAULT 0 CHECK(verified IN (0, 1)),
  changed    INTEGER NOT NULL DEFAULT 0 CHECK(changed IN (0, 1)),
  first_seen INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE prekeys(
  id     INTEGER PRIMARY KEY,
  record BLOB NOT NULL
);

CREATE TABLE signed_prekeys(
  seq    INTEGER PRIMARY KEY AUTOINCREMENT,
  id     INTEGER NOT NULL UNIQUE,
  record BLOB NOT NULL
);

CREATE TABLE sessions(
  name   TEXT NOT NULL,
  device INTEGER NOT NULL,
  record BLOB NOT NULL,
  PRIMARY KEY(name, device)
) WITHOUT ROWID;

CREATE TABLE sender_keys(
  name            TEXT NOT NULL,
  device          INTEGER NOT NULL,
  distribution_id BLOB NOT NULL CHECK(length(distribution_id) = 16),
  record          BLOB NOT NULL,
  PRIMARY KEY(name, device, distribution_id)
) WITHOUT ROWID;

CREATE TABLE contacts(
  account_id      BLOB PRIMARY KEY CHECK(length(account_id) = 16),
  username        TEXT NOT NULL,
  username_folded TEXT NOT NULL UNIQUE
) WITHOUT ROWID;

CREATE TABLE seen_envelopes(
  guid  BLOB PRIMARY KEY CHECK(length(guid) = 16),
  at_ms INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX seen_envelopes_by_time ON seen_envelopes(at_ms);

CREATE TABLE messages(
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  direction   INTEGER NOT NULL CHECK(direction IN (0, 1)),
  peer        BLOB NOT NULL CHECK(length(peer) = 16),
  peer_device INTEGER NOT NULL,
  timestamp   INTEGER NOT NULL,
  received_ms INTEGER NOT NULL,
  body        TEXT NOT NULL,
  status      INTEGER NOT NULL,
  shown       INTEGER NOT NULL DEFAULT 0,  -- incoming: reported to the user at least once
  CHECK((direction = 0 AND status IN (3, 4)) OR (direction = 1 AND status BETWEEN 0 AND 3))
);
CREATE INDEX messages_by_peer ON messages(peer, id);
CREATE INDEX messages_by_timestamp ON messages(peer, timestamp);
CREATE INDEX messages_unread ON messages(id) WHERE status = 4;
CREATE INDEX messages_unshown ON messages(id) WHERE direction = 0 AND shown = 0;

CREATE TABLE outbox(
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  destination BLOB NOT NULL CHECK(length(destination) = 16),
  timestamp   INTEGER NOT NULL,
  message_id  INTEGER REFERENCES messages(id) ON DELETE CASCADE,
  content     BLOB NOT NULL,
  attempts    INTEGER NOT NULL DEFAULT 0,
  last_error  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_by_message ON outbox(message_id);
)sql";

// Index = version - 1. Append new steps; never edit a released one.
constexpr const char* kSteps[] = {kSchemaV1};
static_assert(std::size(kSteps) == kSchemaVersion);

Status check_application_id(Database& db, std::int64_t version) {
  auto id = db.query_int("PRAGMA application_id");
  if (!id) return tl::unexpected(id.error());
  if (*id == kApplicationId) return ok();
  // A fresh file (or one an interrupted first open left empty) is claimed.
  if (*id == 0 && version == 0) return ok();
  return fail(Errc::internal,
              "not a sotto client database (application_id " + std::to_string(*id) + ")");
}

}  // namespace

Status migrate(Database& db) {
  // The first statement that reads the file: a non-database fails here.
  // An in-memory database (tests) keeps its "memory" journal.
  {
    const char* file = sqlite3_db_filename(db.handle(), "main");
    const char* expected = file == nullptr || *file == '\0' ? "memory" : "wal";
    auto mode = db.query("PRAGMA journal_mode=WAL");
    if (!mode) return tl::unexpected(mode.error());
    auto row = mode->step();
    if (!row) return tl::unexpected(row.error());
    if (!*row || mode->text(0) != expected) return fail(Errc::internal, "cannot enable WAL mode");
  }
  // Deleted rows (old session states, used prekeys, a wipe) are overwritten
  // with zeros in the file instead of lingering in free pages.
  SOTTO_TRY(db.exec("PRAGMA secure_delete=ON"));

  auto version = db.query_int("PRAGMA user_version");
  if (!version) return tl::unexpected(version.error());
  SOTTO_TRY(check_application_id(db, *version));
  if (*version > kSchemaVersion) {
    return fail(Errc::unknown_version, "client database schema version " +
                                           std::to_string(*version) + " is newer than " +
                                           std::to_string(kSchemaVersion));
  }
  if (*version < 0) return fail(Errc::internal, "negative schema version");
  for (auto v = *version; v < kSchemaVersion; ++v) {
    SOTTO_TRY(db.exec("BEGIN IMMEDIATE"));
    std::string step = kSteps[v];
    step += "PRAGMA application_id=" + std::to_string(kApplicationId) + ";";
    step += "PRAGMA user_version=" + std::to_string(v + 1) + ";";
    if (auto applied = db.exec(step.c_str()); !applied) {
      (void)db.exec("ROLLBACK");
      return applied;
    }
    SOTTO_TRY(db.exec("COMMIT"));
  }
  return ok();
}

}  // namespace sotto::client::store
