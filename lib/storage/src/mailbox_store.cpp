// SPDX-License-Identifier: Apache-2.0
#include "sotto/storage/mailbox_store.hpp"

#include <future>
#include <utility>

namespace sotto::storage {

Result<EnqueueResults> MailboxStore::enqueue(std::vector<NewEnvelope> batch) {
  std::promise<Result<EnqueueResults>> done;
  auto result = done.get_future();
  enqueue_async(std::move(batch),
                [&done](Result<EnqueueResults> r) { done.set_value(std::move(r)); });
  return result.get();
}

void MailboxStore::ack_async(const AccountId& account, DeviceId device, const Guid& guid,
                             StatusCallback done) {
  ack_many_async(account, device, {guid}, [done = std::move(done)](Result<AckResults> r) {
    done(r ? std::move(r->at(0)) : Status(tl::unexpected(std::move(r.error()))));
  });
}

Result<AckResults> MailboxStore::ack_many(const AccountId& account, DeviceId device,
                                          std::vector<Guid> guids) {
  std::promise<Result<AckResults>> done;
  auto result = done.get_future();
  ack_many_async(account, device, std::move(guids),
                 [&done](Result<AckResults> r) { done.set_value(std::move(r)); });
  return result.get();
}

Status MailboxStore::ack(const AccountId& account, DeviceId device, const Guid& guid) {
  std::promise<Status> done;
  auto result = done.get_future();
  ack_async(account, device, guid, [&done](Status s) { done.set_value(std::move(s)); });
  return result.get();
}

}  // namespace sotto::storage
