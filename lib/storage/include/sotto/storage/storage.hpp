// SPDX-License-Identifier: Apache-2.0
// The server's whole store: four interfaces over one database, so that cascades
// (an account's devices, keys and queues) stay inside one transaction.
#pragma once

#include <memory>

#include "sotto/storage/account_store.hpp"
#include "sotto/storage/device_store.hpp"
#include "sotto/storage/key_store.hpp"
#include "sotto/storage/mailbox_store.hpp"

namespace sotto::storage {

// Thread-safe; the stores it returns live as long as it does.
class Storage {
 public:
  virtual ~Storage() = default;
  virtual AccountStore& accounts() = 0;
  virtual DeviceStore& devices() = 0;
  virtual KeyStore& keys() = 0;
  virtual MailboxStore& mailbox() = 0;
};

// Everything in memory behind one mutex; for tests. Completion callbacks run on
// the caller's thread before the asynchronous call returns.
std::unique_ptr<Storage> make_memory_storage(MailboxLimits limits = {});

}  // namespace sotto::storage
