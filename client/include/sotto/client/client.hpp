// SPDX-License-Identifier: Apache-2.0
// The Sotto client: one local account (one SQLite file) talking to one
// sottod. Used by the `sotto` CLI for one command at a time and by `sotto
// daemon` for a long-lived session. Not thread-safe: one thread drives it.
//
// Guarantees (docs/client.md): a message is acknowledged to the server only
// after its decryption and the message are committed locally in one
// transaction; envelopes seen before are acknowledged and dropped; outgoing
// messages stay in the outbox until the server answered 200.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sotto/client/events.hpp"
#include "sotto/client/server_link.hpp"
#include "sotto/client/store.hpp"
#include "sotto/core/result.hpp"
#include "sotto/crypto/rng.hpp"

namespace sotto::client {

struct ClientOptions {
  // Wall clock in ms since the epoch (message timestamps); system clock if empty.
  std::function<std::uint64_t()> now_ms;
  crypto::Rng* rng = nullptr;  // os_rng() if null
  std::chrono::milliseconds network_timeout{20'000};
  std::uint32_t prekey_batch = 100;  // one-time prekeys per upload
};

struct SafetyNumber {
  std::string username;
  std::string digits;  // 60 digits
  Bytes scannable;     // for the QR code
  bool verified = false;
  bool identity_changed = false;
};

struct SendReport {
  std::uint64_t timestamp = 0;   // the message's identity in receipts
  bool delivered_to_server = false;  // false: queued in the outbox, retried later
  std::string pending_reason;        // why it is still queued
};

class Client {
 public:
  // Opens (or creates) the state database at `database_path`.
  static Result<std::unique_ptr<Client>> open(const std::string& database_path,
                                              ClientOptions options = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  [[nodiscard]] bool registered() const;
  // The local account; only when registered().
  [[nodiscard]] const LocalAccount& account() const;

  // Creates the account at the server: identity, device key, prekeys.
  // already_exists when this database already has an account or the
  // username is taken; bad_request for a username the server refuses.
  Status register_account(const ServerEndpoint& server, const std::string& username);

  // Connects and logs in if not connected.
  Status connect();
  void disconnect();

  // Resolves `username`, stores the text as an outgoing message, queues it and
  // tries the outbox at once. The message is kept (queued) when the server
  // cannot be reached. Errors: not_found (no such user), untrusted_identity
  // (the user's identity changed after you verified it: verify again),
  // bad_request (empty or too long text).
  Result<SendReport> send_text(const std::string& username, const std::string& text,
                               const EventSink& sink);

  // One attempt at every outbox item. Returns how many remain queued.
  Result<std::size_t> flush_outbox(const EventSink& sink);

  // Processes what the server pushes for up to `wait`: decrypts, stores,
  // acknowledges and reports each message. With `until_empty`, returns as
  // soon as the backlog is drained (queue.empty) and the outbox flushed.
  Status receive(std::chrono::milliseconds wait, bool until_empty, const EventSink& sink);

  // Whether the backlog waiting at connect has been fully received.
  [[nodiscard]] bool backlog_drained() const;

  // Messages stored by an earlier receive that ended (was killed) before
  // reporting them, as events; and marking reported messages, so each is
  // reported at least once and, short of a crash, once.
  Result<std::vector<MessageReceived>> unreported_messages();
  Status mark_reported(const std::vector<std::int64_t>& local_ids);

  // Marks incoming messages read and queues read receipts to their senders
  // (sent with the next flush). Returns how many were marked.
  Result<std::size_t> mark_read(const std::vector<std::int64_t>& local_ids);

  Result<std::vector<Contact>> contacts();
  // Stored messages, newest last: all, or those with `username` (a contact).
  Result<std::vector<StoredMessage>> history(const std::optional<std::string>& username,
                                             std::size_t limit);
  // Resolves the user (fetching their keys if no session exists yet) and
  // computes the safety number.
  Result<SafetyNumber> safety_number(const std::string& username, const EventSink& sink);
  // Marks the user's current identity verified (after comparing numbers or
  // scanning their code; `scanned` checks the scan when given).
  Status mark_verified(const std::string& username, std::optional<Bytes> scanned,
                       const EventSink& sink);
  // Accepts a changed identity without verifying it.
  Status trust_new_identity(const std::string& username, const EventSink& sink);

  // Deletes the account at the server and all local data.
  Status delete_account();

  struct Impl;

 private:
  explicit Client(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sotto::client
