// SPDX-License-Identifier: Apache-2.0
// Op bodies (lib/wire/proto/service_bodies.proto) <-> plain structs.
#include "sotto/wire/service.hpp"

#include <algorithm>
#include <string_view>

#include "pb_io.hpp"
#include "proto/service_bodies.pb.h"

namespace sotto::wire {

namespace {

using detail::bytes_of;

tl::unexpected<Error> bad(const char* what, const char* why) {
  return fail(Errc::invalid_message, std::string(what) + ": " + why);
}

template <class Message>
Status parse_into(Message& pb, ByteView serialized, const char* what) {
  SOTTO_TRY(detail::check_size(serialized, 0, what));
  return detail::parse_pb(pb, serialized, what);
}

template <class Message>
Bytes serialize(const Message& pb) {
  Bytes out(pb.ByteSizeLong());
  pb.SerializeWithCachedSizesToArray(out.data());
  return out;
}

void set_bytes(std::string* field, ByteView value) {
  field->assign(reinterpret_cast<const char*>(value.data()), value.size());
}

template <std::size_t N>
Status fixed(const std::string& in, std::array<std::uint8_t, N>& out, const char* what) {
  if (in.size() != N) return bad(what, "field of the wrong length");
  std::copy(in.begin(), in.end(), out.begin());
  return ok();
}

// Public keys of a signed key: 33 bytes for EC, up to kMaxKyberKeySize for Kyber.
void to_pb(const SignedKey& key, pb::SignedPreKeyBody& pb) {
  pb.set_id(key.id);
  set_bytes(pb.mutable_public_key(), key.public_key);
  set_bytes(pb.mutable_signature(), key.signature);
}

Result<SignedKey> from_pb(const pb::SignedPreKeyBody& pb, bool kyber, const char* what) {
  if (!pb.has_id() || !pb.has_public_key() || !pb.has_signature()) {
    return bad(what, "signed key lacks id, key or signature");
  }
  const std::size_t n = pb.public_key().size();
  if (kyber ? (n < 2 || n > kMaxKyberKeySize) : n != kServicePublicKeySize) {
    return bad(what, "public key of the wrong length");
  }
  if (pb.signature().size() != kServiceSignatureSize) return bad(what, "signature length");
  return SignedKey{pb.id(), bytes_of(pb.public_key()), bytes_of(pb.signature())};
}

void to_pb(const OneTimeKey& key, pb::PreKeyBody& pb) {
  pb.set_id(key.id);
  set_bytes(pb.mutable_public_key(), key.public_key);
}

Result<OneTimeKey> from_pb(const pb::PreKeyBody& pb, const char* what) {
  if (!pb.has_id() || !pb.has_public_key()) return bad(what, "prekey lacks id or key");
  if (pb.public_key().size() != kServicePublicKeySize) return bad(what, "prekey length");
  return OneTimeKey{pb.id(), bytes_of(pb.public_key())};
}

// The key lists shared by account.create and keys.upload.
template <class Pb>
void keys_to_pb(const std::vector<OneTimeKey>& one_time, const std::vector<SignedKey>& kyber,
                const std::optional<SignedKey>& last_resort, Pb& pb) {
  for (const auto& k : one_time) to_pb(k, *pb.add_one_time_prekeys());
  for (const auto& k : kyber) to_pb(k, *pb.add_kyber_prekeys());
  if (last_resort) to_pb(*last_resort, *pb.mutable_kyber_last_resort());
}

template <class Pb>
Status keys_from_pb(const Pb& pb, std::vector<OneTimeKey>& one_time, std::vector<SignedKey>& kyber,
                    std::optional<SignedKey>& last_resort, const char* what) {
  if (static_cast<std::size_t>(pb.one_time_prekeys_size()) > kMaxPreKeysPerUpload ||
      static_cast<std::size_t>(pb.kyber_prekeys_size()) > kMaxPreKeysPerUpload) {
    return bad(what, "too many prekeys");
  }
  for (const auto& k : pb.one_time_prekeys()) {
    auto key = from_pb(k, what);
    if (!key) return tl::unexpected(key.error());
    one_time.push_back(std::move(*key));
  }
  for (const auto& k : pb.kyber_prekeys()) {
    auto key = from_pb(k, true, what);
    if (!key) return tl::unexpected(key.error());
    kyber.push_back(std::move(*key));
  }
  if (pb.has_kyber_last_resort()) {
    auto key = from_pb(pb.kyber_last_resort(), true, what);
    if (!key) return tl::unexpected(key.error());
    last_resort = std::move(*key);
  }
  return ok();
}

Status device_ids(const google::protobuf::RepeatedField<std::uint32_t>& in,
                  std::vector<std::uint32_t>& out, const char* what) {
  if (static_cast<std::size_t>(in.size()) > kMaxEnvelopesPerSend) return bad(what, "too many ids");
  out.assign(in.begin(), in.end());
  return ok();
}

}  // namespace

Bytes login_transcript(ByteView nonce, ByteView certificate_pin) {
  static constexpr std::string_view kLabel = "sotto-auth-v1";
  return concat({as_bytes(kLabel), nonce, certificate_pin});
}

// --- auth ---

Bytes encode(const Challenge& body) {
  pb::Challenge pb;
  set_bytes(pb.mutable_nonce(), body.nonce);
  return serialize(pb);
}

Result<Challenge> parse_challenge(ByteView serialized) {
  constexpr const char* kWhat = "Challenge";
  pb::Challenge pb;
  SOTTO_TRY(parse_into(pb, serialized, kWhat));
  Challenge out;
  SOTTO_TRY(fixed(pb.nonce(), out.nonce, kWhat));
  return out;
}

Bytes encode(const Login& body) {
  pb::Login pb;
  set_bytes(pb.mutable_account_id(), body.account_id);
  pb.set_device_id(body.device_id);
  set_bytes(pb.mutable_signature(), body.signature);
  return serialize(pb);
}

Result<Login> parse_login(ByteView serialized) {
  constexpr const char* kWhat = "Login";
  pb::Login pb;
  SOTTO_TRY(parse_into(pb, serialized, kWhat));
  if (!pb.has_device_id()) return bad(kWhat, "missing device id");
  Login out;
  SOTTO_TRY(fixed(pb.account_id(), out.account_id, kWhat));
  out.device_id = pb.device_id();
  SOTTO_TRY(fixed(pb.signature(), out.signature, kWhat));
  return out;
}

// --- accounts ---

Bytes encode(const AccountCreate& body) {
  pb::AccountCreate pb;
  pb.set_username(body.username);
  set_bytes(pb.mutable_device_key(), body.device_key);
  set_bytes(pb.mutable_identity_key(), body.identity_key);
  pb.set_registration_id(body.registration_id);
  to_pb(body.signed_prekey, *pb.mutable_signed_prekey());
  keys_to_pb(body.one_time_prekeys, body.kyber_prekeys, body.kyber_last_resort, pb);
  return serialize(pb);
}

Result<AccountCreate> parse_account_create(ByteView serialized) {
  constexpr const char* kWhat = "AccountCreate";
  pb::AccountCreate pb;
  SOTTO_TRY(parse_into(pb, serialized, kWhat));
  if (!pb.has_username() || pb.username().size() > kMaxUsernameSize) {
    return bad(kWhat, "missing or oversized username");
  }
  if (!pb.has_registration_id() || !pb.has_signed_prekey()) {
    return bad(kWhat, "missing registration id or signed prekey");
  }
  if (pb.identity_key().size() != kServicePublicKeySize) return bad(kWhat, "identity key length");
  AccountCreate out;
  out.username = pb.username();
  SOTTO_TRY(fixed(pb.device_key(), out.device_key, kWhat));
  out.identity_key = bytes_of(pb.identity_key());
  out.registration_id = pb.registration_id();
  auto signed_prekey = from_pb(pb.signed_prekey(), false, kWhat);
  if (!signed_prekey) return tl::unexpected(signed_prekey.error());
  out.signed_prekey = std::move(*signed_prekey);
  SOTTO_TRY(
      keys_from_pb(pb, out.one_time_prekeys, out.kyber_prekeys, out.kyber_last_resort, kWhat));
  return out;
}

Bytes encode(const AccountCreated& body) {
  pb::AccountCreated pb;
  set_bytes(pb.mutable_account_id(), body.account_id);
  pb.set_device_id(body.device_id);
  return serialize(pb);
}

Result<AccountCreated> parse_account_created(ByteView serialized) {
  constexpr const char* kWhat = "AccountCreated";
  pb::AccountCreated pb;
  SOTTO_TRY(parse_into(pb, serialized, kWhat));
  if (!pb.has_device_id()) return bad(kWhat, "missing device id");
  AccountCreated out;
  SOTTO_TRY(fixed(pb.account_id(), out.account_id, kWhat));
  out.device_id = pb.device_id();
  return out;
}

Bytes encode(const AccountLookup& body) {
  pb::AccountLookup pb;
  pb.set_username(body.username);
  return serialize(pb);
}

Result<AccountLookup> parse_account_lookup(ByteView serialized) {
  constexpr const char* kWhat = "AccountLookup";
  pb::AccountLookup pb;
  SOTTO_TRY(parse_into(pb, serialized, kWhat));
  if (!pb.has_username() || pb.username().size() > kMaxUsernameSize) {
    return bad(kWhat, "missing or oversized username");
  }
  return AccountLookup{pb.username()};
}

Bytes encode(const AccountLookupResult& body) {
  pb::AccountLookupResult pb;
  set_bytes(pb.mutable_account_id(), body.account_id);
  return serialize(pb);
}

Result<AccountLookupResult> parse_account_lookup_result(ByteView serialized) {
  constexpr const char* kWhat = "AccountLookupResult";
  pb::AccountLookupResult pb;
  SOTTO_TRY(parse_into(pb, serialized, kWhat));
  AccountLookupResult out;
  SOTTO_TRY(fixed(pb.account_id(), out.account_id, kWhat));
  return out;
}

// --- keys ---

Bytes encode(const KeysUpload& body) {
  pb::KeysUpload pb;
  if (body.signed_prekey) to_pb(*body.signed_prekey, *pb.mutable_signed_prekey());
  keys_to_pb(body.one_time_prekeys, body.kyber_prekeys, body.kyber_last_resort, pb);
  return serialize(pb);
}

Result<KeysUpload> parse_keys_upload(ByteView serialized) {
  constexpr const char* kWhat = "KeysUpload";
  pb::KeysUpload pb;
  SOTTO_TRY(parse_into(pb, serialized, kWhat));
  KeysUpload out;
  if (pb.has_signed_prekey()) {
    auto key = from_pb(pb.signed_prekey(), false, kWhat);
    if (!key) return tl::unexpected(key.error());
    out.signed_prekey = std::move(*key);
  }
  SOTTO_TRY(
      keys_from_pb(pb, out.one_time_prekeys, out.kyber_prekeys, out.kyber_last_resort, kWhat));
  return out;
}

Bytes encode(const KeyCounts& body) {
  pb::KeyCounts pb;
  pb.set_ec(body.ec);
  pb.set_kyber(body.kyber);
  return serialize(pb);
}

Result<KeyCounts> parse_key_counts(ByteView serialized) {
  pb::KeyCounts pb;
  SOTTO_TRY(parse_into(pb, serialized, "KeyCounts"));
  return KeyCounts{pb.ec(), pb.kyber()};
}

Bytes encode(const KeysFetch& body) {
  pb::KeysFetch pb;
  set_bytes(pb.mutable_account_id(), body.account_id);
  pb.set_device_id(body.device_id);
  return serialize(pb);
}

Result<KeysFetch> parse_keys_fetch(ByteView serialized) {
  constexpr const char* kWhat = "KeysFetch";
  pb::KeysFetch pb;
  SOTTO_TRY(parse_into(pb, serialized, kWhat));
  if (!pb.has_device_id()) return bad(kWhat, "missing device id");
  KeysFetch out;
  SOTTO_TRY(fixed(pb.account_id(), out.account_id, kWhat));
  out.device_id = pb.device_id();
  return out;
}

Bytes encode(const KeysFetchResult& body) {
  pb::KeysFetchResult pb;
  set_bytes(pb.mutable_identity_key(), body.identity_key);
  for (const auto& device : body.devices) {
    auto& d = *pb.add_devices();
    d.set_device_id(device.device_id);
    d.set_registration_id(device.registration_id);
    to_pb(device.signed_prekey, *d.mutable_signed_prekey());
    if (device.one_time_prekey) to_pb(*device.one_time_prekey, *d.mutable_one_time_prekey());
    if (device.kyber_prekey) to_pb(*device.kyber_prekey, *d.mutable_kyber_prekey());
    d.set_kyber_is_last_resort(device.kyber_is_last_resort);
  }
  return serialize(pb);
}

Result<KeysFetchResult> parse_keys_fetch_result(ByteView serialized) {
  constexpr const char* kWhat = "KeysFetchResult";
  pb::KeysFetchResult pb;
  SOTTO_TRY(parse_into(pb, serialized, kWhat));
  if (pb.identity_key().size() != kServicePublicKeySize) return bad(kWhat, "identity key length");
  if (static_cast<std::size_t>(pb.devices_size()) > kMaxEnvelopesPerSend) {
    return bad(kWhat, "too many devices");
  }
  KeysFetchResult out;
  out.identity_key = bytes_of(pb.identity_key());
  for (const auto& d : pb.devices()) {
    if (!d.has_device_id() || !d.has_registration_id() || !d.has_signed_prekey()) {
      return bad(kWhat, "bundle lacks device id, registration id or signed prekey");
    }
    DeviceBundle bundle;
    bundle.device_id = d.device_id();
    bundle.registration_id = d.registration_id();
    auto signed_prekey = from_pb(d.signed_prekey(), false, kWhat);
    if (!signed_prekey) return tl::unexpected(signed_prekey.error());
    bundle.signed_prekey = std::move(*signed_prekey);
    if (d.has_one_time_prekey()) {
      auto key = from_pb(d.one_time_prekey(), kWhat);
      if (!key) return tl::unexpected(key.error());
      bundle.one_time_prekey = std::move(*key);
    }
    if (d.has_kyber_prekey()) {
      auto key = from_pb(d.kyber_prekey(), true, kWhat);
      if (!key) return tl::unexpected(key.error());
      bundle.kyber_prekey = std::move(*key);
    }
    bundle.kyber_is_last_resort = d.kyber_is_last_resort();
    out.devices.push_back(std::move(bundle));
  }
  return out;
}

// --- messages ---

Bytes encode(const MessageSend& body) {
  pb::MessageSend pb;
  set_bytes(pb.mutable_destination(), body.destination);
  pb.set_timestamp(body.timestamp);
  for (const auto& e : body.envelopes) {
    auto& out = *pb.add_envelopes();
    out.set_device_id(e.device_id);
    out.set_registration_id(e.registration_id);
    out.set_type(e.type);
    set_bytes(out.mutable_content(), e.content);
  }
  return serialize(pb);
}

Result<MessageSend> parse_message_send(ByteView serialized) {
  constexpr const char* kWhat = "MessageSend";
  pb::MessageSend pb;
  SOTTO_TRY(parse_into(pb, serialized, kWhat));
  if (!pb.has_timestamp()) return bad(kWhat, "missing timestamp");
  if (static_cast<std::size_t>(pb.envelopes_size()) > kMaxEnvelopesPerSend) {
    return bad(kWhat, "too many envelopes");
  }
  MessageSend out;
  SOTTO_TRY(fixed(pb.destination(), out.destination, kWhat));
  out.timestamp = pb.timestamp();
  for (const auto& e : pb.envelopes()) {
    if (!e.has_device_id() || !e.has_registration_id() || !e.has_type() || !e.has_content()) {
      return bad(kWhat, "envelope lacks a field");
    }
    out.envelopes.push_back({e.device_id(), e.registration_id(), e.type(), bytes_of(e.content())});
  }
  return out;
}

Bytes encode(const MismatchedDevices& body) {
  pb::MismatchedDevices pb;
  for (auto id : body.missing) pb.add_missing(id);
  for (auto id : body.extra) pb.add_extra(id);
  for (auto id : body.stale) pb.add_stale(id);
  return serialize(pb);
}

Result<MismatchedDevices> parse_mismatched_devices(ByteView serialized) {
  constexpr const char* kWhat = "MismatchedDevices";
  pb::MismatchedDevices pb;
  SOTTO_TRY(parse_into(pb, serialized, kWhat));
  MismatchedDevices out;
  SOTTO_TRY(device_ids(pb.missing(), out.missing, kWhat));
  SOTTO_TRY(device_ids(pb.extra(), out.extra, kWhat));
  SOTTO_TRY(device_ids(pb.stale(), out.stale, kWhat));
  return out;
}

Bytes encode(const Envelope& body) {
  pb::Envelope pb;
  set_bytes(pb.mutable_guid(), body.guid);
  set_bytes(pb.mutable_source(), body.source);
  pb.set_source_device(body.source_device);
  pb.set_timestamp(body.timestamp);
  pb.set_server_timestamp(body.server_timestamp);
  pb.set_type(body.type);
  set_bytes(pb.mutable_content(), body.content);
  return serialize(pb);
}

Result<Envelope> parse_envelope(ByteView serialized) {
  constexpr const char* kWhat = "Envelope";
  pb::Envelope pb;
  SOTTO_TRY(parse_into(pb, serialized, kWhat));
  if (!pb.has_source_device() || !pb.has_timestamp() || !pb.has_server_timestamp() ||
      !pb.has_type() || !pb.has_content()) {
    return bad(kWhat, "missing field");
  }
  Envelope out;
  SOTTO_TRY(fixed(pb.guid(), out.guid, kWhat));
  SOTTO_TRY(fixed(pb.source(), out.source, kWhat));
  out.source_device = pb.source_device();
  out.timestamp = pb.timestamp();
  out.server_timestamp = pb.server_timestamp();
  out.type = pb.type();
  out.content = bytes_of(pb.content());
  return out;
}

Bytes encode(const MessageExpired& body) {
  pb::MessageExpired pb;
  set_bytes(pb.mutable_guid(), body.guid);
  set_bytes(pb.mutable_destination(), body.destination);
  pb.set_destination_device(body.destination_device);
  return serialize(pb);
}

Result<MessageExpired> parse_message_expired(ByteView serialized) {
  constexpr const char* kWhat = "MessageExpired";
  pb::MessageExpired pb;
  SOTTO_TRY(parse_into(pb, serialized, kWhat));
  if (!pb.has_destination_device()) return bad(kWhat, "missing device id");
  MessageExpired out;
  SOTTO_TRY(fixed(pb.guid(), out.guid, kWhat));
  SOTTO_TRY(fixed(pb.destination(), out.destination, kWhat));
  out.destination_device = pb.destination_device();
  return out;
}

// --- rate limits ---

Bytes encode(const RetryAfter& body) {
  pb::RetryAfter pb;
  pb.set_retry_after_ms(body.retry_after_ms);
  return serialize(pb);
}

Result<RetryAfter> parse_retry_after(ByteView serialized) {
  constexpr const char* kWhat = "RetryAfter";
  pb::RetryAfter pb;
  SOTTO_TRY(parse_into(pb, serialized, kWhat));
  if (!pb.has_retry_after_ms()) return bad(kWhat, "missing retry_after_ms");
  return RetryAfter{pb.retry_after_ms()};
}

}  // namespace sotto::wire
