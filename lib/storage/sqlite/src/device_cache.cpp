// SPDX-License-Identifier: Apache-2.0
#include "device_cache.hpp"

#include <cstring>

namespace sotto::storage::sqlite {

std::size_t DeviceCache::AccountHash::operator()(const AccountId& id) const noexcept {
  // Account ids are random: their first bytes are as good a hash as any.
  std::size_t out = 0;
  std::memcpy(&out, id.data(), sizeof out);
  return out;
}

std::optional<std::vector<Device>> DeviceCache::find(const AccountId& account) const {
  std::lock_guard lock(mu_);
  auto it = lists_.find(account);
  if (it == lists_.end()) return std::nullopt;
  return it->second;
}

std::uint64_t DeviceCache::generation() const {
  std::lock_guard lock(mu_);
  return generation_;
}

void DeviceCache::put(const AccountId& account, std::vector<Device> devices,
                      std::uint64_t generation) {
  std::lock_guard lock(mu_);
  if (generation != generation_) return;  // a change committed meanwhile: maybe stale
  if (lists_.size() >= max_accounts_) lists_.clear();
  lists_.insert_or_assign(account, std::move(devices));
}

void DeviceCache::forget(const AccountId& account) {
  std::lock_guard lock(mu_);
  lists_.erase(account);
  ++generation_;
}

}  // namespace sotto::storage::sqlite
