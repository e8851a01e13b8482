// SPDX-License-Identifier: Apache-2.0
#include <algorithm>

#include "memory_state.hpp"

namespace sotto::storage::memory {

Status check_device(const Device& device) {
  if (device.id < kMinDeviceId || device.id > kMaxDeviceId) {
    return fail(Errc::bad_request, "device id outside 1..127");
  }
  if (device.public_key.size() != kDeviceKeySize) {
    return fail(Errc::bad_request, "device key is not 32 bytes");
  }
  return ok();
}

Status Devices::add_device(const Device& device) {
  SOTTO_TRY(check_device(device));
  std::lock_guard lock(s_.mu);
  auto a = s_.accounts.find(device.account);
  if (a == s_.accounts.end()) return fail(Errc::not_found, "no such account");
  if (a->second.devices.contains(device.id)) return fail(Errc::already_exists, "device id taken");
  DeviceState state;
  state.info = device;
  state.info.last_seen_day_ms = utc_day_start(device.created_ms);
  a->second.devices.emplace(device.id, std::move(state));
  return ok();
}

Result<std::vector<Device>> Devices::list_devices(const AccountId& account) {
  std::lock_guard lock(s_.mu);
  auto a = s_.accounts.find(account);
  if (a == s_.accounts.end()) return fail(Errc::not_found, "no such account");
  std::vector<Device> out;
  for (const auto& [id, device] : a->second.devices) out.push_back(device.info);
  return out;
}

Result<Device> Devices::get_device(const AccountId& account, DeviceId device) {
  std::lock_guard lock(s_.mu);
  DeviceState* d = s_.find_device(account, device);
  if (d == nullptr) return fail(Errc::not_found, "no such device");
  return d->info;
}

Status Devices::remove_device(const AccountId& account, DeviceId device) {
  std::lock_guard lock(s_.mu);
  DeviceState* d = s_.find_device(account, device);
  if (d == nullptr) return fail(Errc::not_found, "no such device");
  s_.drop_queue(*d);
  s_.accounts.at(account).devices.erase(device);
  return ok();
}

Status Devices::touch_last_seen(const AccountId& account, DeviceId device, std::int64_t now_ms) {
  std::lock_guard lock(s_.mu);
  DeviceState* d = s_.find_device(account, device);
  if (d == nullptr) return fail(Errc::not_found, "no such device");
  d->info.last_seen_day_ms = std::max(d->info.last_seen_day_ms, utc_day_start(now_ms));
  return ok();
}

}  // namespace sotto::storage::memory
