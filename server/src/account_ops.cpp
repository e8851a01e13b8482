// SPDX-License-Identifier: Apache-2.0
// account.create, account.lookup, account.delete.
#include <spdlog/spdlog.h>

#include "impl.hpp"
#include "sotto/crypto/xeddsa.hpp"
#include "sotto/server/username.hpp"

namespace sotto::server {

namespace {

constexpr std::uint8_t kDjbKeyType = 0x05;
constexpr DeviceId kPrimaryDevice = 1;

}  // namespace

bool identity_signature_ok(ByteView identity_key, ByteView message, ByteView signature) {
  if (identity_key.size() != wire::kServicePublicKeySize || identity_key[0] != kDjbKeyType) {
    return false;
  }
  crypto::X25519Public key{};
  std::copy(identity_key.begin() + 1, identity_key.end(), key.begin());
  return crypto::xeddsa_verify(key, message, signature);
}

storage::SignedPreKey to_store_signed(const wire::SignedKey& key) {
  return {key.id, key.public_key, key.signature};
}

storage::KyberPreKey to_store_kyber(const wire::SignedKey& key) {
  return {key.id, key.public_key, key.signature};
}

storage::OneTimePreKey to_store_one_time(const wire::OneTimeKey& key) {
  return {key.id, key.public_key};
}

storage::KeyUpload to_store_keys(const std::optional<wire::SignedKey>& signed_prekey,
                                 const std::vector<wire::OneTimeKey>& one_time,
                                 const std::vector<wire::SignedKey>& kyber,
                                 const std::optional<wire::SignedKey>& kyber_last_resort) {
  storage::KeyUpload keys;
  if (signed_prekey) keys.signed_prekey = to_store_signed(*signed_prekey);
  for (const auto& k : one_time) keys.one_time.push_back(to_store_one_time(k));
  for (const auto& k : kyber) keys.kyber.push_back(to_store_kyber(k));
  if (kyber_last_resort) keys.kyber_last_resort = to_store_kyber(*kyber_last_resort);
  return keys;
}

void Service::Impl::op_account_create(const SessionPtr& session, const wire::Request& request) {
  auto create = wire::parse_account_create(request.body);
  if (!create) return respond(*session, request.id, kStatusBadRequest, create.error().message);
  if (!valid_username(create->username)) {
    return respond(*session, request.id, kStatusBadRequest,
                   "username: 3-32 characters of a-z 0-9 _ .");
  }
  if (create->identity_key[0] != kDjbKeyType) {
    return respond(*session, request.id, kStatusBadRequest, "identity key: unknown type");
  }
  // Every signed key must be signed by the identity key being registered.
  bool signatures_ok = identity_signature_ok(create->identity_key, create->signed_prekey.public_key,
                                             create->signed_prekey.signature);
  for (const auto& key : create->kyber_prekeys) {
    signatures_ok =
        signatures_ok && identity_signature_ok(create->identity_key, key.public_key, key.signature);
  }
  if (create->kyber_last_resort) {
    signatures_ok = signatures_ok && identity_signature_ok(create->identity_key,
                                                           create->kyber_last_resort->public_key,
                                                           create->kyber_last_resort->signature);
  }
  if (!signatures_ok) {
    return respond(*session, request.id, kStatusUnprocessable, "prekey signature invalid");
  }

  const std::int64_t now = clock.now_ms();
  storage::Account account;
  account.id = random_array<16>();
  account.username = create->username;
  account.identity_key = create->identity_key;
  account.created_ms = now;

  storage::Device device;
  device.account = account.id;
  device.id = kPrimaryDevice;
  device.public_key.assign(create->device_key.begin(), create->device_key.end());
  device.registration_id = create->registration_id;
  device.created_ms = now;

  const storage::KeyUpload keys = to_store_keys(create->signed_prekey, create->one_time_prekeys,
                                                create->kyber_prekeys, create->kyber_last_resort);

  // One store transaction: there is never an account without its device and
  // keys, whatever fails (or crashes) midway.
  if (auto created = store.accounts().register_account(account, device, keys); !created) {
    if (created.error().code == Errc::already_exists) {
      return respond(*session, request.id, kStatusConflict, "username taken");
    }
    if (created.error().code == Errc::bad_request) {
      return respond(*session, request.id, kStatusBadRequest, created.error().message);
    }
    spdlog::error("account.create: {}", created.error().message);
    return respond(*session, request.id, kStatusInternal, "store error");
  }
  spdlog::info("account created (connection {})", session->connection_id);
  // The client logs in next; it gets a full login timeout for that.
  if (!identity(*session)) arm_login_deadline(session);
  respond(*session, request.id, kStatusOk, {},
          wire::encode(wire::AccountCreated{account.id, kPrimaryDevice}));
}

void Service::Impl::op_account_lookup(const SessionPtr& session, const wire::Request& request) {
  auto lookup = wire::parse_account_lookup(request.body);
  if (!lookup) return respond(*session, request.id, kStatusBadRequest, lookup.error().message);
  if (!valid_username(lookup->username)) {
    return respond(*session, request.id, kStatusNotFound, "no such account");
  }
  auto account = store.accounts().lookup_username(lookup->username);
  if (!account) {
    if (account.error().code == Errc::not_found) {
      return respond(*session, request.id, kStatusNotFound, "no such account");
    }
    return respond(*session, request.id, kStatusInternal, "store error");
  }
  respond(*session, request.id, kStatusOk, {},
          wire::encode(wire::AccountLookupResult{account->id}));
}

void Service::Impl::op_account_delete(const SessionPtr& session, const wire::Request& request,
                                      const AccountId& account) {
  if (auto deleted = store.accounts().delete_account(account); !deleted) {
    if (deleted.error().code == Errc::not_found) {
      return respond(*session, request.id, kStatusNotFound, "no such account");
    }
    spdlog::error("account.delete: {}", deleted.error().message);
    return respond(*session, request.id, kStatusInternal, "store error");
  }
  // Every session of the account is logged out; other devices are disconnected.
  for (const auto& other : registry.remove_account(account)) {
    {
      std::lock_guard lock(other->mu);
      other->authenticated = false;
      other->inflight.clear();
    }
    if (other != session) {
      if (auto c = other->connection.lock()) {
        c->close(transport::CloseCode::normal, "account deleted");
      }
    }
  }
  // This connection is logged out but open: it must log in (or register) again in time.
  arm_login_deadline(session);
  respond(*session, request.id, kStatusOk);
}

}  // namespace sotto::server
