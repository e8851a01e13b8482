// SPDX-License-Identifier: Apache-2.0
// Device lists by account, kept in memory for the message.send path: every
// send checks the recipient's device list, and reading it from SQLite costs a
// read transaction (shared-memory locks, and WAL page reads after each commit,
// which empties the readers' page caches). Devices change only through this
// store, so every change forgets the account's list after its commit, and a
// list read while a change was committing is not kept.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

#include "sotto/storage/types.hpp"

namespace sotto::storage::sqlite {

class DeviceCache {
 public:
  // Past `max_accounts` lists the cache starts over (a bound, not an LRU: the
  // lists of active accounts come back on their next send).
  explicit DeviceCache(std::size_t max_accounts) : max_accounts_(max_accounts) {}

  std::optional<std::vector<Device>> find(const AccountId& account) const;
  // Taken before reading a list from the database, handed to put().
  std::uint64_t generation() const;
  // Keeps `devices` unless something was forgotten since `generation`.
  void put(const AccountId& account, std::vector<Device> devices, std::uint64_t generation);
  // After a committed change to the account's devices (or the account).
  void forget(const AccountId& account);

 private:
  struct AccountHash {
    std::size_t operator()(const AccountId& id) const noexcept;
  };

  mutable std::mutex mu_;
  std::unordered_map<AccountId, std::vector<Device>, AccountHash> lists_;
  std::uint64_t generation_ = 0;
  const std::size_t max_accounts_;
};

}  // namespace sotto::storage::sqlite
