// SPDX-License-Identifier: Apache-2.0
// What the client reports while it works: messages and receipts that arrived,
// identity changes, and envelopes that could not be read or were dropped.
// The CLI prints them; the daemon forwards them to its subscribers.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <variant>
#include <vector>

#include "sotto/client/content.hpp"
#include "sotto/client/store.hpp"

namespace sotto::client {

// Who sent something: the username when it is confirmed (a contact, or the
// claim in the message checked with the server), else empty.
struct Sender {
  std::string username;
  AccountId account{};
  std::uint32_t device = 0;
};

struct MessageReceived {
  Sender from;
  Guid guid{};
  std::uint64_t timestamp = 0;         // the sender's clock
  std::uint64_t server_timestamp = 0;  // when the server took it
  std::string body;                    // untrusted text: escape before printing to a terminal
  std::int64_t local_id = 0;
};

struct ReceiptReceived {
  Sender from;
  ReceiptType type = ReceiptType::delivery;
  std::vector<std::uint64_t> timestamps;
};

// The key behind a username changed: a new identity key for the account, or
// the username now names a different account (it was deleted and taken again).
struct IdentityChanged {
  std::string username;
  AccountId account{};
  bool was_verified = false;  // the user had verified the old one: loud warning
};

struct DecryptionFailed {
  Sender from;
  Guid guid{};
  std::string reason;  // an error name and message, never key material
};

// An envelope we sent waited in the recipient's queue until its time ran out.
struct MessageExpiredUnread {
  AccountId destination{};
  std::uint32_t device = 0;
};

// An outgoing message the server refused for good (it stays in history as
// not sent): the recipient is gone, the text too large, ...
struct SendFailed {
  AccountId destination{};
  std::uint64_t timestamp = 0;
  std::string reason;
};

using Event = std::variant<MessageReceived, ReceiptReceived, IdentityChanged, DecryptionFailed,
                           MessageExpiredUnread, SendFailed>;
using EventSink = std::function<void(const Event&)>;

}  // namespace sotto::client
