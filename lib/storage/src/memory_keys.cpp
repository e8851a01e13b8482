// SPDX-License-Identifier: Apache-2.0
#include <set>

#include "memory_state.hpp"

namespace sotto::storage::memory {

namespace {

constexpr const char* kNoDevice = "no such device";

template <class Key>
bool ids_unique(const std::vector<Key>& keys) {
  std::set<std::uint32_t> seen;
  for (const auto& key : keys) {
    if (!seen.insert(key.id).second) return false;
  }
  return true;
}

}  // namespace

Status check_upload(const KeyUpload& keys) {
  if (!ids_unique(keys.one_time) || !ids_unique(keys.kyber)) {
    return fail(Errc::bad_request, "a key id appears twice in one upload");
  }
  return ok();
}

void apply_upload(DeviceState& device, const KeyUpload& keys) {
  if (keys.signed_prekey) device.signed_prekey = *keys.signed_prekey;
  for (const auto& key : keys.one_time) device.one_time.insert_or_assign(key.id, key);
  for (const auto& key : keys.kyber) device.kyber.insert_or_assign(key.id, key);
  if (keys.kyber_last_resort) device.kyber_last_resort = *keys.kyber_last_resort;
}

Status Keys::set_signed_prekey(const AccountId& account, DeviceId device,
                               const SignedPreKey& key) {
  std::lock_guard lock(s_.mu);
  DeviceState* d = s_.find_device(account, device);
  if (d == nullptr) return fail(Errc::not_found, kNoDevice);
  d->signed_prekey = key;
  return ok();
}

Status Keys::set_kyber_last_resort(const AccountId& account, DeviceId device,
                                   const KyberPreKey& key) {
  std::lock_guard lock(s_.mu);
  DeviceState* d = s_.find_device(account, device);
  if (d == nullptr) return fail(Errc::not_found, kNoDevice);
  d->kyber_last_resort = key;
  return ok();
}

Status Keys::add_one_time_prekeys(const AccountId& account, DeviceId device,
                                  std::span<const OneTimePreKey> keys) {
  std::lock_guard lock(s_.mu);
  DeviceState* d = s_.find_device(account, device);
  if (d == nullptr) return fail(Errc::not_found, kNoDevice);
  for (const auto& key : keys) d->one_time.insert_or_assign(key.id, key);
  return ok();
}

Status Keys::add_kyber_prekeys(const AccountId& account, DeviceId device,
                               std::span<const KyberPreKey> keys) {
  std::lock_guard lock(s_.mu);
  DeviceState* d = s_.find_device(account, device);
  if (d == nullptr) return fail(Errc::not_found, kNoDevice);
  for (const auto& key : keys) d->kyber.insert_or_assign(key.id, key);
  return ok();
}

Status Keys::upload_keys(const AccountId& account, DeviceId device, const KeyUpload& keys) {
  SOTTO_TRY(check_upload(keys));  // before any change: all or nothing
  std::lock_guard lock(s_.mu);
  DeviceState* d = s_.find_device(account, device);
  if (d == nullptr) return fail(Errc::not_found, kNoDevice);
  apply_upload(*d, keys);
  return ok();
}

Result<PreKeyCounts> Keys::count_prekeys(const AccountId& account, DeviceId device) {
  std::lock_guard lock(s_.mu);
  DeviceState* d = s_.find_device(account, device);
  if (d == nullptr) return fail(Errc::not_found, kNoDevice);
  return PreKeyCounts{d->one_time.size(), d->kyber.size()};
}

Result<PreKeyBundle> Keys::take_bundle(const AccountId& account, DeviceId device) {
  std::lock_guard lock(s_.mu);
  DeviceState* d = s_.find_device(account, device);
  if (d == nullptr) return fail(Errc::not_found, kNoDevice);
  if (!d->signed_prekey) return fail(Errc::not_found, "device has no signed prekey");
  PreKeyBundle bundle;
  bundle.signed_prekey = *d->signed_prekey;
  if (!d->one_time.empty()) {
    bundle.one_time = std::move(d->one_time.begin()->second);
    d->one_time.erase(d->one_time.begin());
  }
  if (!d->kyber.empty()) {
    bundle.kyber = std::move(d->kyber.begin()->second);
    d->kyber.erase(d->kyber.begin());
  } else if (d->kyber_last_resort) {
    bundle.kyber = *d->kyber_last_resort;
    bundle.kyber_is_last_resort = true;
  }
  return bundle;
}

}  // namespace sotto::storage::memory
