// SPDX-License-Identifier: Apache-2.0
// Contacts (username ↔ account id), joined with their identity's trust state.
#include "impl.hpp"

namespace sotto::client {

namespace {

// Contact columns, then the identity row of the account's address name (the
// lowercase hex of its id, as address_name() spells it).
constexpr const char* kSelectContact =
    "SELECT c.username, c.account_id, i.key, i.verified, i.changed FROM contacts c "
    "LEFT JOIN identities i ON i.name = lower(hex(c.account_id)) ";

Result<Contact> read_contact(const store::Query& q) {
  Contact contact;
  contact.username = q.text(0);
  contact.account_id = q.id<16>(1);
  if (!q.blob_view(2).empty()) {
    auto key = protocol::PublicKey::deserialize(q.blob_view(2));
    if (!key) return tl::unexpected(store::corrupt("identity key", key.error()));
    contact.identity = *key;
    contact.verified = q.int64(3) != 0;
    contact.identity_changed = q.int64(4) != 0;
  }
  return contact;
}

Result<std::optional<Contact>> one_contact(store::Query& q) {
  STORE_ASSIGN(row, q.step());
  if (!row) return std::optional<Contact>{};
  STORE_ASSIGN(contact, read_contact(q));
  return std::optional<Contact>{std::move(contact)};
}

}  // namespace

Result<std::optional<Contact>> ClientStore::find_contact(const std::string& username) {
  auto folded = store::fold_username(username);
  STORE_ASSIGN(q, impl_->db->query(std::string(kSelectContact) + "WHERE c.username_folded = ?1"));
  q.bind_text(1, folded);
  return one_contact(q);
}

Result<std::optional<Contact>> ClientStore::find_contact(const AccountId& account) {
  STORE_ASSIGN(q, impl_->db->query(std::string(kSelectContact) + "WHERE c.account_id = ?1"));
  q.bind(1, account);
  return one_contact(q);
}

Status ClientStore::save_contact(const std::string& username, const AccountId& account) {
  if (username.empty()) return fail(Errc::bad_request, "empty username");
  auto folded = store::fold_username(username);
  auto& db = *impl_->db;
  return store::in_savepoint(db, [&]() -> Status {
    {
      // The username moved to another account: the old mapping goes.
      STORE_ASSIGN(
          q, db.query("DELETE FROM contacts WHERE username_folded = ?1 AND account_id <> ?2"));
      q.bind_text(1, folded).bind(2, account);
      SOTTO_TRY(q.run());
    }
    STORE_ASSIGN(
        q, db.query("INSERT INTO contacts(account_id, username, username_folded) "
                    "VALUES(?1, ?2, ?3) ON CONFLICT(account_id) DO UPDATE SET "
                    "username = excluded.username, username_folded = excluded.username_folded"));
    q.bind(1, account).bind_text(2, username).bind_text(3, folded);
    return q.run();
  });
}

Result<std::vector<Contact>> ClientStore::list_contacts() {
  STORE_ASSIGN(q, impl_->db->query(std::string(kSelectContact) + "ORDER BY c.username_folded"));
  std::vector<Contact> contacts;
  for (;;) {
    STORE_ASSIGN(row, q.step());
    if (!row) break;
    STORE_ASSIGN(contact, read_contact(q));
    contacts.push_back(std::move(contact));
  }
  return contacts;
}

Status ClientStore::mark_verified(const AccountId& account, const protocol::PublicKey& identity) {
  auto name = address_name(account);
  auto key = identity.serialize();
  STORE_ASSIGN(q,
               impl_->db->query(
                   "UPDATE identities SET verified = 1, changed = 0 WHERE name = ?1 AND key = ?2"));
  q.bind_text(1, name).bind(2, key);
  SOTTO_TRY(q.run());
  if (impl_->db->changes() == 0) {
    return fail(Errc::not_found, "that is not the stored identity key of this account");
  }
  return ok();
}

Status ClientStore::accept_identity(const AccountId& account) {
  auto name = address_name(account);
  STORE_ASSIGN(q, impl_->db->query("UPDATE identities SET changed = 0 WHERE name = ?1"));
  q.bind_text(1, name);
  SOTTO_TRY(q.run());
  if (impl_->db->changes() == 0)
    return fail(Errc::not_found, "no identity key stored for this account");
  return ok();
}

}  // namespace sotto::client
