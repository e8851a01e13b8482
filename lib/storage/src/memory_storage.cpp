// SPDX-License-Identifier: Apache-2.0
#include "memory_state.hpp"

namespace sotto::storage {
namespace memory {

DeviceState* State::find_device(const AccountId& account, DeviceId device) {
  auto a = accounts.find(account);
  if (a == accounts.end()) return nullptr;
  auto d = a->second.devices.find(device);
  return d == a->second.devices.end() ? nullptr : &d->second;
}

void State::drop_queue(DeviceState& device) {
  for (const auto& [seq, env] : device.queue) guids.erase(env.guid);
  device.queue.clear();
  device.queue_bytes = 0;
}

namespace {

class MemoryStorage final : public Storage {
 public:
  explicit MemoryStorage(MailboxLimits limits)
      : state_(limits), accounts_(state_), devices_(state_), keys_(state_), mailbox_(state_) {}

  AccountStore& accounts() override { return accounts_; }
  DeviceStore& devices() override { return devices_; }
  KeyStore& keys() override { return keys_; }
  MailboxStore& mailbox() override { return mailbox_; }

 private:
  State state_;
  Accounts accounts_;
  Devices devices_;
  Keys keys_;
  Mailbox mailbox_;
};

}  // namespace
}  // namespace memory

std::unique_ptr<Storage> make_memory_storage(MailboxLimits limits) {
  return std::make_unique<memory::MemoryStorage>(limits);
}

}  // namespace sotto::storage
