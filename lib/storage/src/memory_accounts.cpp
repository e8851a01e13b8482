// SPDX-License-Identifier: Apache-2.0
#include "memory_state.hpp"

namespace sotto::storage::memory {

Status Accounts::create_account(const Account& account) {
  if (account.username.empty()) return fail(Errc::bad_request, "empty username");
  std::string folded = fold_username(account.username);
  std::lock_guard lock(s_.mu);
  if (s_.accounts.contains(account.id)) return fail(Errc::already_exists, "account id taken");
  if (s_.by_username.contains(folded)) return fail(Errc::already_exists, "username taken");
  s_.by_username.emplace(folded, account.id);
  s_.accounts.emplace(account.id, AccountState{account, {}});
  return ok();
}

Status Accounts::register_account(const Account& account, const Device& device,
                                  const KeyUpload& keys) {
  // Everything that can fail is checked before the state changes, all under
  // one lock: no reader ever sees the account without its device or keys.
  if (account.username.empty()) return fail(Errc::bad_request, "empty username");
  if (device.account != account.id) return fail(Errc::bad_request, "device of another account");
  SOTTO_TRY(check_device(device));
  SOTTO_TRY(check_upload(keys));
  std::string folded = fold_username(account.username);
  std::lock_guard lock(s_.mu);
  if (s_.accounts.contains(account.id)) return fail(Errc::already_exists, "account id taken");
  if (s_.by_username.contains(folded)) return fail(Errc::already_exists, "username taken");
  DeviceState state;
  state.info = device;
  state.info.last_seen_day_ms = utc_day_start(device.created_ms);
  apply_upload(state, keys);
  AccountState created{account, {}};
  created.devices.emplace(device.id, std::move(state));
  s_.by_username.emplace(folded, account.id);
  s_.accounts.emplace(account.id, std::move(created));
  return ok();
}

Result<Account> Accounts::lookup_username(std::string_view username) {
  std::lock_guard lock(s_.mu);
  auto it = s_.by_username.find(fold_username(username));
  if (it == s_.by_username.end()) return fail(Errc::not_found, "no such username");
  return s_.accounts.at(it->second).info;
}

Result<Account> Accounts::get_account(const AccountId& id) {
  std::lock_guard lock(s_.mu);
  auto it = s_.accounts.find(id);
  if (it == s_.accounts.end()) return fail(Errc::not_found, "no such account");
  return it->second.info;
}

Status Accounts::delete_account(const AccountId& id) {
  std::lock_guard lock(s_.mu);
  auto it = s_.accounts.find(id);
  if (it == s_.accounts.end()) return fail(Errc::not_found, "no such account");
  for (auto& [device_id, device] : it->second.devices) s_.drop_queue(device);
  s_.by_username.erase(fold_username(it->second.info.username));
  s_.accounts.erase(it);
  return ok();
}

}  // namespace sotto::storage::memory
