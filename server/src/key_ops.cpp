// SPDX-License-Identifier: Apache-2.0
// keys.upload, keys.status, keys.fetch.
#include <spdlog/spdlog.h>

#include "impl.hpp"

namespace sotto::server {

void Service::Impl::op_keys_upload(const SessionPtr& session, const wire::Request& request,
                                   const AccountId& account, DeviceId device) {
  auto upload = wire::parse_keys_upload(request.body);
  if (!upload) return respond(*session, request.id, kStatusBadRequest, upload.error().message);
  auto owner = store.accounts().get_account(account);
  if (!owner) return respond(*session, request.id, kStatusNotFound, "no such account");

  // Check every signature before storing anything, so a bad upload changes nothing.
  auto signed_ok = [&](const wire::SignedKey& key) {
    return identity_signature_ok(owner->identity_key, key.public_key, key.signature);
  };
  bool ok = !upload->signed_prekey || signed_ok(*upload->signed_prekey);
  for (const auto& key : upload->kyber_prekeys) ok = ok && signed_ok(key);
  if (upload->kyber_last_resort) ok = ok && signed_ok(*upload->kyber_last_resort);
  if (!ok) return respond(*session, request.id, kStatusUnprocessable, "prekey signature invalid");

  // One store transaction: all of the upload or none of it.
  const storage::KeyUpload keys = to_store_keys(upload->signed_prekey, upload->one_time_prekeys,
                                                upload->kyber_prekeys, upload->kyber_last_resort);
  if (auto stored = store.keys().upload_keys(account, device, keys); !stored) {
    if (stored.error().code == Errc::not_found) {
      return respond(*session, request.id, kStatusNotFound, "no such device");
    }
    if (stored.error().code == Errc::bad_request) {
      return respond(*session, request.id, kStatusBadRequest, stored.error().message);
    }
    spdlog::error("keys.upload: {}", stored.error().message);
    return respond(*session, request.id, kStatusInternal, "store error");
  }
  respond(*session, request.id, kStatusOk);
}

void Service::Impl::check_key_stock(const AccountId& account, DeviceId device) {
  auto session = registry.find(account, device);
  if (!session) return;  // it polls keys.status when it connects
  auto counts = store.keys().count_prekeys(account, device);
  if (!counts || counts->ec >= kLowKeyStock) return;
  std::lock_guard lock(session->mu);
  session->send(wire::Request{session->next_request_id++, wire::kOpKeysLow,
                              wire::encode(wire::KeyCounts{counts->ec, counts->kyber})});
}

void Service::Impl::op_keys_status(const SessionPtr& session, const wire::Request& request,
                                   const AccountId& account, DeviceId device) {
  auto counts = store.keys().count_prekeys(account, device);
  if (!counts) return respond(*session, request.id, kStatusNotFound, "no such device");
  respond(*session, request.id, kStatusOk, {},
          wire::encode(wire::KeyCounts{counts->ec, counts->kyber}));
}

void Service::Impl::op_keys_fetch(const SessionPtr& session, const wire::Request& request) {
  auto fetch = wire::parse_keys_fetch(request.body);
  if (!fetch) return respond(*session, request.id, kStatusBadRequest, fetch.error().message);
  auto account = store.accounts().get_account(fetch->account_id);
  if (!account) return respond(*session, request.id, kStatusNotFound, "no such account");
  auto devices = store.devices().list_devices(fetch->account_id);
  if (!devices) return respond(*session, request.id, kStatusNotFound, "no such account");

  wire::KeysFetchResult result;
  result.identity_key = account->identity_key;
  for (const auto& device : *devices) {
    if (fetch->device_id != 0 && device.id != fetch->device_id) continue;
    // take_bundle removes the one-time keys it hands out, atomically.
    auto bundle = store.keys().take_bundle(fetch->account_id, device.id);
    if (!bundle) continue;  // no signed prekey yet (or the device just went away)
    if (bundle->one_time) check_key_stock(fetch->account_id, device.id);
    wire::DeviceBundle out;
    out.device_id = device.id;
    out.registration_id = device.registration_id;
    out.signed_prekey = {bundle->signed_prekey.id, bundle->signed_prekey.public_key,
                         bundle->signed_prekey.signature};
    if (bundle->one_time) {
      out.one_time_prekey = wire::OneTimeKey{bundle->one_time->id, bundle->one_time->public_key};
    }
    if (bundle->kyber) {
      out.kyber_prekey =
          wire::SignedKey{bundle->kyber->id, bundle->kyber->public_key, bundle->kyber->signature};
      out.kyber_is_last_resort = bundle->kyber_is_last_resort;
    }
    result.devices.push_back(std::move(out));
  }
  if (result.devices.empty()) {
    return respond(*session, request.id, kStatusNotFound, "no device with keys");
  }
  respond(*session, request.id, kStatusOk, {}, wire::encode(result));
}

}  // namespace sotto::server
