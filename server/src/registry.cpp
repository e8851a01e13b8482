// SPDX-License-Identifier: Apache-2.0
#include "impl.hpp"

namespace sotto::server {

SessionPtr Registry::add(const AccountId& account, DeviceId device, SessionPtr session) {
  std::lock_guard lock(mu_);
  auto& slot = sessions_[{account, device}];
  SessionPtr previous = std::move(slot);
  slot = std::move(session);
  return previous;
}

void Registry::remove(const AccountId& account, DeviceId device, const Session* session) {
  std::lock_guard lock(mu_);
  auto it = sessions_.find({account, device});
  if (it != sessions_.end() && it->second.get() == session) sessions_.erase(it);
}

SessionPtr Registry::find(const AccountId& account, DeviceId device) const {
  std::lock_guard lock(mu_);
  auto it = sessions_.find({account, device});
  return it == sessions_.end() ? nullptr : it->second;
}

std::vector<SessionPtr> Registry::remove_account(const AccountId& account) {
  std::lock_guard lock(mu_);
  std::vector<SessionPtr> out;
  auto it = sessions_.lower_bound({account, 0});
  while (it != sessions_.end() && it->first.first == account) {
    out.push_back(std::move(it->second));
    it = sessions_.erase(it);
  }
  return out;
}

std::size_t Registry::size() const {
  std::lock_guard lock(mu_);
  return sessions_.size();
}

}  // namespace sotto::server
