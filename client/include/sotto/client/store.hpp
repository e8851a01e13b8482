// SPDX-License-Identifier: Apache-2.0
// The client's state: one SQLite database file per local account holding the
// account's keys, the protocol's records, contacts, message history and the
// outbox. Single-threaded: one ClientStore is used by one thread at a time
// (the CLI's, or the daemon's client thread).
//
// Atomicity is the point: a decrypt stores the session change and the message
// inside one Transaction, and only after its commit is the server acknowledged
// (docs/client.md). Secrets read from the file come back in wiping types.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sotto/core/bytes.hpp"
#include "sotto/core/result.hpp"
#include "sotto/crypto/ed25519.hpp"
#include "sotto/crypto/secret.hpp"
#include "sotto/protocol/keys.hpp"
#include "sotto/protocol/stores.hpp"

namespace sotto::client {

using AccountId = std::array<std::uint8_t, 16>;
using Guid = std::array<std::uint8_t, 16>;
using Pin = std::array<std::uint8_t, 32>;  // SHA-256 of the server certificate

// The protocol address name of an account: its id as 32 lowercase hex digits.
std::string address_name(const AccountId& account);
Result<AccountId> account_from_address_name(const std::string& name);

// This installation: who we are on which server, and our private keys.
struct LocalAccount {
  std::string username;
  AccountId account_id{};
  std::uint32_t device_id = 0;
  crypto::Ed25519Seed device_seed;  // signs the server's login challenges
  protocol::IdentityKeyPair identity;
  std::uint32_t registration_id = 0;
  std::string server_host;
  std::uint16_t server_port = 0;
  Pin server_pin{};
  std::uint32_t next_prekey_id = 1;         // one-time prekey ids, wrap below 0xFFFFFF
  std::uint32_t next_signed_prekey_id = 1;
};

// A person we talk to, by username. The identity key and its trust state are
// kept per account in the identity table; Contact joins them for display.
struct Contact {
  std::string username;
  AccountId account_id{};
  std::optional<protocol::PublicKey> identity;  // none until the first session
  bool verified = false;          // the user compared safety numbers and marked it
  bool identity_changed = false;  // the key changed since first seen / last verified
};

enum class MessageDirection { incoming = 0, outgoing = 1 };
// Outgoing: queued → sent (server took it) → delivered → read.
// Incoming: unread → read.
enum class MessageStatus { queued = 0, sent = 1, delivered = 2, read = 3, unread = 4 };

struct StoredMessage {
  std::int64_t id = 0;  // local row id
  MessageDirection direction = MessageDirection::incoming;
  AccountId peer{};
  std::uint32_t peer_device = 0;  // incoming only
  std::uint64_t timestamp = 0;    // the sender's timestamp (ms): the message's identity in receipts
  std::uint64_t received_ms = 0;  // local time stored
  std::string body;
  MessageStatus status = MessageStatus::unread;
};

// A message waiting to reach the server: its plaintext Content, encrypted
// anew at each attempt, deleted once the server answered 200.
struct OutboxItem {
  std::int64_t id = 0;
  AccountId destination{};
  std::uint64_t timestamp = 0;
  std::int64_t message_id = 0;  // the outgoing message it carries; 0 for receipts
  crypto::SecretBytes content;  // serialized plaintext Content
  std::uint32_t attempts = 0;
  std::string last_error;  // empty when not tried yet
};

class ClientStore;

// BEGIN IMMEDIATE … COMMIT. Destroyed without commit() → ROLLBACK. One at a
// time per store (nesting is bad_request).
class Transaction {
 public:
  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  ~Transaction();
  Status commit();

 private:
  friend class ClientStore;
  explicit Transaction(ClientStore* store) : store_(store) {}
  ClientStore* store_;
};

class ClientStore {
 public:
  // Opens or creates the database at `path` (file mode 0600, WAL,
  // synchronous=FULL, secure_delete=ON so deleted keys are overwritten), and
  // creates or migrates the schema. Errors: storage_error-like internal with
  // the path, never a crash on a corrupt file; unknown_version for a newer
  // schema. ":memory:" opens a private in-memory database (tests).
  static Result<std::unique_ptr<ClientStore>> open(const std::string& path);
  ~ClientStore();

  Result<Transaction> begin();

  // ---- the local account (at most one) ----
  Result<std::optional<LocalAccount>> load_account();
  // Insert or replace; the identity, seed and registration id of an existing
  // account never change (already_exists if a different identity is given).
  Status save_account(const LocalAccount& account);
  // Deletes everything (after account.delete at the server).
  Status wipe();

  // ---- protocol stores, valid after load_account() found an account ----
  // Identity trust policy (docs/client.md): receiving always trusts and
  // saves (a changed key sets identity_changed and clears verified); sending
  // trusts an unknown or equal key, and a changed key only when the account
  // was not verified (then it saves it and flags identity_changed). The
  // saving is the protocol's save_identity() call after the operation
  // succeeded; is_trusted_identity() itself never writes.
  protocol::IdentityKeyStore& identity_store();
  protocol::PreKeyStore& prekey_store();
  protocol::SignedPreKeyStore& signed_prekey_store();
  protocol::SessionStore& session_store();
  protocol::SenderKeyStore& sender_key_store();
  protocol::SessionStores session_stores();

  // Session housekeeping for device-list changes (409/410 from the server).
  Result<std::vector<std::uint32_t>> session_devices(const AccountId& account);
  Status delete_session(const AccountId& account, std::uint32_t device_id);
  Status delete_sessions(const AccountId& account);
  Result<std::size_t> prekey_count();
  Result<std::optional<std::uint32_t>> latest_signed_prekey_id();

  // ---- contacts ----
  Result<std::optional<Contact>> find_contact(const std::string& username);
  Result<std::optional<Contact>> find_contact(const AccountId& account);
  // Insert or update username ↔ account id. A username that now names another
  // account replaces the old mapping (the caller warns the user).
  Status save_contact(const std::string& username, const AccountId& account);
  Result<std::vector<Contact>> list_contacts();
  // The user compared safety numbers for `identity`: verified = true,
  // identity_changed = false. not_found when `identity` is not the stored key.
  Status mark_verified(const AccountId& account, const protocol::PublicKey& identity);
  // Acknowledge a changed key without verifying (identity_changed = false).
  // not_found when no key is stored for `account`.
  Status accept_identity(const AccountId& account);

  // ---- messages ----
  // Envelopes already processed (decrypted, or dropped as undecryptable) are
  // remembered by guid so a redelivered one is acknowledged and ignored.
  // Guids older than 45 days (by now_ms) are forgotten now and then.
  Result<bool> envelope_seen(const Guid& guid);
  Status mark_envelope_seen(const Guid& guid, std::uint64_t now_ms);
  // The status must fit the direction (bad_request otherwise); received_ms 0
  // is stored as now.
  Result<std::int64_t> add_message(const StoredMessage& message);
  // Outgoing messages to `peer` with these timestamps move to `status` (only
  // forward: a late delivery receipt never undoes read). Returns rows changed.
  Result<std::size_t> apply_receipt(const AccountId& peer, const std::vector<std::uint64_t>& timestamps,
                                    MessageStatus status);
  // not_found for an unknown id; bad_request for a status of the other
  // direction. Outgoing messages only move forward here too (an earlier
  // status is ignored), so a receipt that overtook the server's answer to
  // the send is not undone by it.
  Status set_status(std::int64_t message_id, MessageStatus status);
  // The newest `limit` messages (all when 0), with `peer` or with anyone,
  // returned oldest first (in the order they were stored).
  Result<std::vector<StoredMessage>> list_messages(std::optional<AccountId> peer, std::size_t limit);
  Result<std::vector<StoredMessage>> unread_messages();
  // Incoming messages stored but not yet reported to the user (a receive
  // that was killed between storing and printing), oldest first; and the
  // mark set after reporting them. Reporting twice beats never.
  Result<std::vector<StoredMessage>> unshown_messages();
  Status mark_shown(const std::vector<std::int64_t>& message_ids);  // incoming unread, oldest first

  // ---- outbox ----
  // message_id 0 carries no message; any other must name a stored message
  // (not_found otherwise), and deleting that message removes the item.
  Result<std::int64_t> add_outbox(const AccountId& destination, std::uint64_t timestamp,
                                  std::int64_t message_id, ByteView content);
  Result<std::vector<OutboxItem>> list_outbox();  // oldest first
  // ok when the item is already gone.
  Status remove_outbox(std::int64_t id);
  // attempts + 1 and the error; not_found when the item is gone.
  Status note_outbox_attempt(std::int64_t id, const std::string& error);

  struct Impl;

 private:
  friend class Transaction;
  explicit ClientStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sotto::client
