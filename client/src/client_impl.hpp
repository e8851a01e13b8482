// SPDX-License-Identifier: Apache-2.0
// Private state of Client and the steps its operations share. The operations
// themselves are split by purpose over src/*.cpp.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sotto/client/client.hpp"
#include "sotto/protocol/prekeys.hpp"
#include "sotto/wire/frame.hpp"
#include "sotto/wire/service.hpp"

namespace sotto::client {

// Below this many one-time prekeys at the server, the client uploads more
// (the server's keys.low threshold).
inline constexpr std::uint64_t kLowPreKeyStock = 10;

protocol::ProtocolAddress address_of(const AccountId& account, std::uint32_t device);

struct Client::Impl {
  std::unique_ptr<ClientStore> store;
  ClientOptions options;
  crypto::Rng* rng = nullptr;
  std::optional<LocalAccount> account;
  std::unique_ptr<ServerLink> link;
  bool backlog_done = false;  // queue.empty seen on this connection

  std::uint64_t now() const { return options.now_ms(); }

  // ---- connection (client.cpp) ----
  Status ensure_connected();
  // A request on the logged-in link; network errors drop the link so the next
  // call reconnects.
  Result<wire::Response> call(std::string_view op, Bytes body);

  // ---- people (contacts.cpp) ----
  // The account id behind `username`: the stored contact, or a lookup at the
  // server. A username that now names another account is an identity change:
  // reported; refused (untrusted_identity) when the old one was verified
  // unless `accept_change`.
  Result<AccountId> resolve(const std::string& username, bool accept_change, const EventSink& sink);
  // The name to show for an account: the contact's username, or the sender's
  // claim once account.lookup confirms it (then it is saved as a contact).
  std::string name_for(const AccountId& peer, const std::string& claimed);
  // The account the server maps `username` to now (nothing saved).
  Result<AccountId> lookup(const std::string& username);
  // The account's identity key, fetching its bundles first if none is stored.
  // The user's decision about `username`'s current identity: verified
  // (numbers compared) or merely accepted.
  Status decide_trust(const std::string& username, bool verified, const EventSink& sink);
  Result<protocol::PublicKey> current_identity(const std::string& username,
                                               const AccountId& peer, const EventSink& sink);

  // ---- sessions (sessions.cpp) ----
  // Fetches bundles (device 0: all) and starts sessions with them, reporting
  // a changed identity. Returns the devices now with sessions.
  Result<std::vector<std::uint32_t>> fetch_sessions(const AccountId& peer, std::uint32_t device,
                                                    const std::string& username,
                                                    const EventSink& sink);

  // ---- sending (sending.cpp) ----
  Result<std::int64_t> queue_content(const AccountId& to, std::uint64_t timestamp,
                                     std::int64_t message_id, const Content& content);
  // One attempt to hand an outbox item to the server: true when it took it.
  Result<bool> try_deliver(OutboxItem& item, const EventSink& sink, std::string& why_pending);

  // ---- receiving (receiving.cpp) ----
  Status handle_push(const wire::Request& push, const EventSink& sink);
  Status handle_envelope(const wire::Request& push, const EventSink& sink);
  // Decrypts and commits one envelope (or remembers it as unreadable).
  Status receive_envelope(const wire::Envelope& envelope, const EventSink& sink);
  // After the commit: names the sender and reports what arrived.
  Status report_envelope(const wire::Envelope& envelope, const protocol::PublicKey* identity_before,
                         bool verified_before, const std::optional<Content>& content, const std::optional<Error>& fault,
                         std::int64_t local_id, const EventSink& sink);

  // ---- prekeys (prekeys.cpp) ----
  // New one-time prekeys stored locally; the account's next id advanced.
  Result<std::vector<protocol::PreKeyRecord>> make_prekeys(std::uint32_t count);
  Status refill_prekeys();
};

}  // namespace sotto::client
