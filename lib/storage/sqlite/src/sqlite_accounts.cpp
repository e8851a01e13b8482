// SPDX-License-Identifier: Apache-2.0
#include "stores.hpp"

namespace sotto::storage::sqlite {

namespace {

Account read_account(const Query& q) {
  return Account{q.id<16>(0), q.text(1), q.blob(2), q.int64(3)};
}

}  // namespace

Status insert_account(Database& db, const Account& account) {
  auto q = db.query(
      "INSERT INTO accounts(id, username, username_folded, identity_key, created) "
      "VALUES(?1, ?2, ?3, ?4, ?5)");
  if (!q) return tl::unexpected(q.error());
  q->bind(1, account.id)
      .bind_text(2, account.username)
      .bind_text(3, fold_username(account.username))
      .bind(4, ByteView(account.identity_key))
      .bind(5, account.created_ms);
  return q->run();  // a taken id or username is a UNIQUE conflict: already_exists
}

Status Accounts::create_account(const Account& account) {
  if (account.username.empty()) return fail(Errc::bad_request, "empty username");
  return c_.writer.run<void>([&](Database& db) -> Status { return insert_account(db, account); });
}

Status Accounts::register_account(const Account& account, const Device& device,
                                  const KeyUpload& keys) {
  if (account.username.empty()) return fail(Errc::bad_request, "empty username");
  if (device.account != account.id) return fail(Errc::bad_request, "device of another account");
  SOTTO_TRY(check_device(device));
  // One job is one savepoint: if any step fails, the writer rolls back all of
  // them, so there is never an account without its device and keys.
  auto registered = c_.writer.run<void>([&](Database& db) -> Status {
    SOTTO_TRY(insert_account(db, account));
    SOTTO_TRY(insert_device(db, device));
    return put_keys(db, account.id, device.id, keys);
  });
  c_.device_lists.forget(account.id);
  return registered;
}

Result<Account> Accounts::lookup_username(std::string_view username) {
  const std::string folded = fold_username(username);
  return c_.readers.read([&](Database& db) -> Result<Account> {
    auto q = db.query(
        "SELECT id, username, identity_key, created FROM accounts WHERE username_folded = ?1");
    if (!q) return tl::unexpected(q.error());
    q->bind_text(1, folded);
    auto row = q->step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) return fail(Errc::not_found, "no such username");
    return read_account(*q);
  });
}

Result<Account> Accounts::get_account(const AccountId& id) {
  return c_.readers.read([&](Database& db) -> Result<Account> {
    auto q = db.query("SELECT id, username, identity_key, created FROM accounts WHERE id = ?1");
    if (!q) return tl::unexpected(q.error());
    q->bind(1, id);
    auto row = q->step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) return fail(Errc::not_found, "no such account");
    return read_account(*q);
  });
}

Status Accounts::delete_account(const AccountId& id) {
  auto deleted = c_.writer.run<void>([&](Database& db) -> Status {
    // Foreign keys cascade to devices, and from them to prekeys and messages,
    // all inside this job's savepoint.
    auto q = db.query("DELETE FROM accounts WHERE id = ?1");
    if (!q) return tl::unexpected(q.error());
    q->bind(1, id);
    SOTTO_TRY(q->run());
    if (db.changes() == 0) return fail(Errc::not_found, "no such account");
    return ok();
  });
  c_.device_lists.forget(id);  // the devices went with it
  return deleted;
}

}  // namespace sotto::storage::sqlite
