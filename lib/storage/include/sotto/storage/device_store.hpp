// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <vector>

#include "sotto/core/result.hpp"
#include "sotto/storage/types.hpp"

namespace sotto::storage {

// Devices of an account, identified by (account, device id 1..127).
// All methods are thread-safe.
class DeviceStore {
 public:
  virtual ~DeviceStore() = default;

  // Adds `device` (its last_seen_day_ms is ignored and set to the creation day).
  // Errors: bad_request if the id is outside 1..127 or the key is not
  // kDeviceKeySize bytes; not_found if the account does not exist;
  // already_exists if the account has a device with this id.
  virtual Status add_device(const Device& device) = 0;

  // The account's devices in ascending id order. Errors: not_found (account).
  virtual Result<std::vector<Device>> list_devices(const AccountId& account) = 0;

  // Errors: not_found (account or device).
  virtual Result<Device> get_device(const AccountId& account, DeviceId device) = 0;

  // Removes the device with its prekeys and queued messages, in one
  // transaction, so a device that later reuses the id starts empty.
  // Errors: not_found.
  virtual Status remove_device(const AccountId& account, DeviceId device) = 0;

  // Records that the device was seen at `now_ms`, truncated to the UTC day.
  // Never moves last_seen backwards. Errors: not_found.
  virtual Status touch_last_seen(const AccountId& account, DeviceId device,
                                 std::int64_t now_ms) = 0;
};

}  // namespace sotto::storage
