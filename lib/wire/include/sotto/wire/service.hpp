// SPDX-License-Identifier: Apache-2.0
// Bodies of the client–server ops (docs/server-design.md "Ops"), as plain
// structs with encode/parse pairs. Each parse takes hostile bytes and returns
// Errc::invalid_message on anything malformed: a missing required field, an id,
// key or signature of the wrong length, or a list over its bound. Semantic
// checks (username rules, signatures, device sets) are the server's.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sotto/core/bytes.hpp"
#include "sotto/core/result.hpp"

namespace sotto::wire {

// Op names.
inline constexpr const char* kOpAuthChallenge = "auth.challenge";
inline constexpr const char* kOpAuthLogin = "auth.login";
inline constexpr const char* kOpAccountCreate = "account.create";
inline constexpr const char* kOpAccountLookup = "account.lookup";
inline constexpr const char* kOpAccountDelete = "account.delete";
inline constexpr const char* kOpKeysUpload = "keys.upload";
inline constexpr const char* kOpKeysStatus = "keys.status";
inline constexpr const char* kOpKeysFetch = "keys.fetch";
inline constexpr const char* kOpKeysLow = "keys.low";
inline constexpr const char* kOpMessageSend = "message.send";
inline constexpr const char* kOpMessageDeliver = "message.deliver";
inline constexpr const char* kOpQueueEmpty = "queue.empty";
inline constexpr const char* kOpMessageExpired = "message.expired";

using AccountIdBytes = std::array<std::uint8_t, 16>;
using GuidBytes = std::array<std::uint8_t, 16>;

inline constexpr std::size_t kNonceSize = 32;
inline constexpr std::size_t kLoginSignatureSize = 64;
inline constexpr std::size_t kDeviceKeySize = 32;
inline constexpr std::size_t kServicePublicKeySize = 33;  // type byte || 32 bytes
inline constexpr std::size_t kServiceSignatureSize = 64;
inline constexpr std::size_t kMaxKyberKeySize = 2048;  // Kyber1024 is 1 + 1568
inline constexpr std::size_t kMaxPreKeysPerUpload = 100;
inline constexpr std::size_t kMaxUsernameSize = 64;
inline constexpr std::size_t kMaxEnvelopesPerSend = 127;

// The bytes a device signs for auth.login: "sotto-auth-v1" || nonce || pin.
Bytes login_transcript(ByteView nonce, ByteView certificate_pin);

struct Challenge {
  std::array<std::uint8_t, kNonceSize> nonce{};

  friend bool operator==(const Challenge&, const Challenge&) = default;
};

struct Login {
  AccountIdBytes account_id{};
  std::uint32_t device_id = 0;
  std::array<std::uint8_t, kLoginSignatureSize> signature{};

  friend bool operator==(const Login&, const Login&) = default;
};

// An EC signed prekey, or a Kyber key (one-time or last resort): signed by the
// account identity key over the serialized public key.
struct SignedKey {
  std::uint32_t id = 0;
  Bytes public_key;
  Bytes signature;

  friend bool operator==(const SignedKey&, const SignedKey&) = default;
};

struct OneTimeKey {
  std::uint32_t id = 0;
  Bytes public_key;

  friend bool operator==(const OneTimeKey&, const OneTimeKey&) = default;
};

struct AccountCreate {
  std::string username;
  std::array<std::uint8_t, kDeviceKeySize> device_key{};
  Bytes identity_key;  // 33 bytes
  std::uint32_t registration_id = 0;
  SignedKey signed_prekey;
  std::vector<OneTimeKey> one_time_prekeys;
  std::vector<SignedKey> kyber_prekeys;
  std::optional<SignedKey> kyber_last_resort;

  friend bool operator==(const AccountCreate&, const AccountCreate&) = default;
};

struct AccountCreated {
  AccountIdBytes account_id{};
  std::uint32_t device_id = 0;

  friend bool operator==(const AccountCreated&, const AccountCreated&) = default;
};

struct AccountLookup {
  std::string username;

  friend bool operator==(const AccountLookup&, const AccountLookup&) = default;
};

struct AccountLookupResult {
  AccountIdBytes account_id{};

  friend bool operator==(const AccountLookupResult&, const AccountLookupResult&) = default;
};

struct KeysUpload {
  std::optional<SignedKey> signed_prekey;
  std::vector<OneTimeKey> one_time_prekeys;
  std::vector<SignedKey> kyber_prekeys;
  std::optional<SignedKey> kyber_last_resort;

  friend bool operator==(const KeysUpload&, const KeysUpload&) = default;
};

struct KeyCounts {
  std::uint64_t ec = 0;
  std::uint64_t kyber = 0;

  friend bool operator==(const KeyCounts&, const KeyCounts&) = default;
};

struct KeysFetch {
  AccountIdBytes account_id{};
  std::uint32_t device_id = 0;  // 0: every device

  friend bool operator==(const KeysFetch&, const KeysFetch&) = default;
};

struct DeviceBundle {
  std::uint32_t device_id = 0;
  std::uint32_t registration_id = 0;
  SignedKey signed_prekey;
  std::optional<OneTimeKey> one_time_prekey;
  std::optional<SignedKey> kyber_prekey;
  bool kyber_is_last_resort = false;

  friend bool operator==(const DeviceBundle&, const DeviceBundle&) = default;
};

struct KeysFetchResult {
  Bytes identity_key;
  std::vector<DeviceBundle> devices;

  friend bool operator==(const KeysFetchResult&, const KeysFetchResult&) = default;
};

struct OutgoingEnvelope {
  std::uint32_t device_id = 0;
  std::uint32_t registration_id = 0;
  std::uint32_t type = 0;
  Bytes content;

  friend bool operator==(const OutgoingEnvelope&, const OutgoingEnvelope&) = default;
};

struct MessageSend {
  AccountIdBytes destination{};
  std::uint64_t timestamp = 0;
  std::vector<OutgoingEnvelope> envelopes;

  friend bool operator==(const MessageSend&, const MessageSend&) = default;
};

// Body of a 409 (missing/extra) or 410 (stale) answer to message.send.
struct MismatchedDevices {
  std::vector<std::uint32_t> missing;
  std::vector<std::uint32_t> extra;
  std::vector<std::uint32_t> stale;

  friend bool operator==(const MismatchedDevices&, const MismatchedDevices&) = default;
};

struct Envelope {
  GuidBytes guid{};
  AccountIdBytes source{};
  std::uint32_t source_device = 0;
  std::uint64_t timestamp = 0;
  std::uint64_t server_timestamp = 0;
  std::uint32_t type = 0;
  Bytes content;

  friend bool operator==(const Envelope&, const Envelope&) = default;
};

struct MessageExpired {
  GuidBytes guid{};
  AccountIdBytes destination{};
  std::uint32_t destination_device = 0;

  friend bool operator==(const MessageExpired&, const MessageExpired&) = default;
};

// Body of every 429 answer (see the proto). 0: retry once an outstanding
// request has been answered.
struct RetryAfter {
  std::uint64_t retry_after_ms = 0;

  friend bool operator==(const RetryAfter&, const RetryAfter&) = default;
};

Bytes encode(const Challenge& body);
Bytes encode(const Login& body);
Bytes encode(const AccountCreate& body);
Bytes encode(const AccountCreated& body);
Bytes encode(const AccountLookup& body);
Bytes encode(const AccountLookupResult& body);
Bytes encode(const KeysUpload& body);
Bytes encode(const KeyCounts& body);
Bytes encode(const KeysFetch& body);
Bytes encode(const KeysFetchResult& body);
Bytes encode(const MessageSend& body);
Bytes encode(const MismatchedDevices& body);
Bytes encode(const Envelope& body);
Bytes encode(const MessageExpired& body);
Bytes encode(const RetryAfter& body);

Result<Challenge> parse_challenge(ByteView serialized);
Result<Login> parse_login(ByteView serialized);
Result<AccountCreate> parse_account_create(ByteView serialized);
Result<AccountCreated> parse_account_created(ByteView serialized);
Result<AccountLookup> parse_account_lookup(ByteView serialized);
Result<AccountLookupResult> parse_account_lookup_result(ByteView serialized);
Result<KeysUpload> parse_keys_upload(ByteView serialized);
Result<KeyCounts> parse_key_counts(ByteView serialized);
Result<KeysFetch> parse_keys_fetch(ByteView serialized);
Result<KeysFetchResult> parse_keys_fetch_result(ByteView serialized);
Result<MessageSend> parse_message_send(ByteView serialized);
Result<MismatchedDevices> parse_mismatched_devices(ByteView serialized);
Result<Envelope> parse_envelope(ByteView serialized);
Result<MessageExpired> parse_message_expired(ByteView serialized);
Result<RetryAfter> parse_retry_after(ByteView serialized);

}  // namespace sotto::wire
