// SPDX-License-Identifier: Apache-2.0
// Delivery to a logged-in device: the queue is read in seq order and sent as
// message.deliver requests (message.expired for the expiry notices queued
// there), at most delivery_window unanswered at a time. A
// 2xx answer is the ack (the envelope is deleted only then); anything else
// leaves it queued for the next connection. queue.empty follows once the
// backlog has been sent and every ack committed.
#include <spdlog/spdlog.h>

#include "impl.hpp"

namespace sotto::server {

void Service::Impl::notify(const AccountId& account, DeviceId device) {
  if (auto session = registry.find(account, device)) schedule_pump(session);
}

void Service::Impl::schedule_pump(const SessionPtr& session) {
  post([self = shared_from_this(), session] { self->pump(session); });
}

void Service::Impl::pump(const SessionPtr& session) {
  std::unique_lock lock(session->mu);
  if (session->pumping) {
    session->dirty = true;  // the running pump goes round once more
    return;
  }
  session->pumping = true;
  for (;;) {
    session->dirty = false;
    if (session->closed || !session->authenticated) break;
    const std::size_t in_flight = session->inflight.size();
    const std::size_t room =
        options.delivery_window > in_flight ? options.delivery_window - in_flight : 0;
    std::vector<storage::StoredEnvelope> batch;
    if (room > 0) {
      const AccountId account = session->account;
      const DeviceId device = session->device;
      const std::uint64_t after = session->cursor;
      lock.unlock();  // no session lock across a store read
      auto fetched = store.mailbox().fetch(account, device, after, room);
      lock.lock();
      if (!fetched) {
        spdlog::warn("delivery fetch failed: {}", fetched.error().message);
        break;
      }
      batch = std::move(*fetched);
      if (session->closed || !session->authenticated) break;
    }
    for (auto& envelope : batch) {
      if (envelope.seq <= session->cursor) continue;  // raced with another read
      const std::uint64_t id = session->next_request_id++;
      session->inflight.emplace(id, envelope.guid);
      session->cursor = envelope.seq;
      // An expiry notice rides the same queue (and the same ack) as envelopes.
      const char* op =
          is_expiry_notice(envelope.sender) ? wire::kOpMessageExpired : wire::kOpMessageDeliver;
      session->send(wire::Request{id, op, std::move(envelope.envelope)});
    }
    if (room > 0 && batch.empty() && session->inflight.empty() && session->acks_pending == 0 &&
        !session->queue_empty_sent) {
      session->queue_empty_sent = true;
      session->send(wire::Request{session->next_request_id++, wire::kOpQueueEmpty, {}});
    }
    if (!session->dirty) break;
  }
  session->pumping = false;
}

void Service::Impl::on_response(const SessionPtr& session, const wire::Response& response) {
  storage::Guid guid{};
  AccountId account{};
  DeviceId device = 0;
  const bool acked = response.status >= 200 && response.status < 300;
  {
    std::lock_guard lock(session->mu);
    auto it = session->inflight.find(response.id);
    if (it == session->inflight.end()) return;  // e.g. the answer to queue.empty
    guid = it->second;
    session->inflight.erase(it);
    account = session->account;
    device = session->device;
    if (acked) ++session->acks_pending;
  }
  if (!acked) {
    // Left queued; the next connection redelivers it.
    schedule_pump(session);
    return;
  }
  begin_work();
  store.mailbox().ack_async(account, device, guid,
                            [self = shared_from_this(), session](Status deleted) {
                              if (!deleted && deleted.error().code != Errc::not_found) {
                                spdlog::warn("ack failed: {}", deleted.error().message);
                              }
                              {
                                std::lock_guard lock(session->mu);
                                --session->acks_pending;
                              }
                              self->schedule_pump(session);
                              self->end_work();
                            });
}

}  // namespace sotto::server
