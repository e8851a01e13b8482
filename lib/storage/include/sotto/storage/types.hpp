// SPDX-License-Identifier: Apache-2.0
// What the server stores, as plain values. The server never links the protocol
// library: keys, signatures and envelopes are opaque bytes here, identities are
// ids (docs/server-design.md, "Storage").
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sotto/core/bytes.hpp"

namespace sotto::storage {

// An account is a random UUID chosen by the caller (its service id).
using AccountId = std::array<std::uint8_t, 16>;
// A queued message's unique id, chosen by the server when it accepts a send.
using Guid = std::array<std::uint8_t, 16>;
// 1 is the primary device; linked devices take 2..127 (v4 message addresses).
using DeviceId = std::uint32_t;

inline constexpr DeviceId kMinDeviceId = 1;
inline constexpr DeviceId kMaxDeviceId = 127;
// Devices authenticate with Ed25519; the store keeps only the public key.
inline constexpr std::size_t kDeviceKeySize = 32;
inline constexpr std::int64_t kDayMs = 24 * 60 * 60 * 1000;

// The start (00:00 UTC) of the day holding `ms` (Unix milliseconds); last-seen
// times are kept at day granularity so they say little about a user's habits.
std::int64_t utc_day_start(std::int64_t ms) noexcept;

// Usernames are unique after folding. The server admits only [a-z0-9_.] after
// folding, so ASCII lower-casing is the whole fold; other bytes pass unchanged.
std::string fold_username(std::string_view username);

struct Account {
  AccountId id{};
  std::string username;  // as the user typed it; lookups use fold_username(username)
  Bytes identity_key;    // opaque (the protocol's serialized public identity key)
  std::int64_t created_ms = 0;
};

struct Device {
  AccountId account{};
  DeviceId id = 0;
  Bytes public_key;  // kDeviceKeySize bytes (Ed25519), checks auth.login signatures
  std::uint32_t registration_id = 0;
  std::int64_t created_ms = 0;
  // Output only: utc_day_start of the latest touch (the creation day at first).
  std::int64_t last_seen_day_ms = 0;
};

struct SignedPreKey {
  std::uint32_t id = 0;
  Bytes public_key;
  Bytes signature;  // by the account identity key; checked by the server, not here
};

// One-time Kyber prekeys and the last-resort key are both signed.
struct KyberPreKey {
  std::uint32_t id = 0;
  Bytes public_key;
  Bytes signature;
};

struct OneTimePreKey {
  std::uint32_t id = 0;
  Bytes public_key;
};

struct PreKeyCounts {
  std::uint64_t ec = 0;     // one-time EC prekeys left
  std::uint64_t kyber = 0;  // one-time Kyber prekeys left (the last-resort key not counted)
};

// The keys of one keys.upload (or of a new account's first device): whatever
// is present is stored in one transaction, or nothing is. Within each list a
// key id may appear once.
struct KeyUpload {
  std::optional<SignedPreKey> signed_prekey;
  std::vector<OneTimePreKey> one_time;
  std::vector<KyberPreKey> kyber;
  std::optional<KyberPreKey> kyber_last_resort;
};

// What one keys.fetch hands out for one device.
struct PreKeyBundle {
  SignedPreKey signed_prekey;
  std::optional<OneTimePreKey> one_time;  // none when the device has run out
  std::optional<KyberPreKey> kyber;       // a one-time key, else the last-resort key, else none
  bool kyber_is_last_resort = false;
};

// Per-device queue caps. Beyond them a send is refused (queue_full), never
// dropped silently. Defaults from docs/server-design.md.
struct MailboxLimits {
  std::uint64_t max_messages = 1'000'000;
  std::uint64_t max_bytes = std::uint64_t{2} << 30;  // counts envelope bytes
};

// One envelope to queue for one device.
struct NewEnvelope {
  AccountId account{};
  DeviceId device = 0;
  Guid guid{};
  Bytes sender;    // opaque to the store; handed back on expiry so the sender can be told
  Bytes envelope;  // opaque ciphertext envelope
  std::int64_t expires_ms = 0;
};

struct StoredEnvelope {
  std::uint64_t seq = 0;  // insertion order; strictly increasing, never reused
  Guid guid{};
  Bytes sender;
  Bytes envelope;
  std::int64_t expires_ms = 0;
};

struct ExpiredEnvelope {
  Guid guid{};
  AccountId account{};
  DeviceId device = 0;
  Bytes sender;
};

}  // namespace sotto::storage
