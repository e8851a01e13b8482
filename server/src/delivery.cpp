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
  auto session = registry.find(account, device);
  if (!session) return;
  {
    std::lock_guard lock(session->mu);
    session->caught_up = false;
    ++session->behind;
  }
  schedule_pump(session);
}

void Service::Impl::deliver_new(const AccountId& account, DeviceId device, std::uint64_t seq,
                                const storage::Guid& guid, Bytes envelope) {
  auto session = registry.find(account, device);
  if (!session) return;  // offline: delivered from the store on login
  {
    std::lock_guard lock(session->mu);
    // Everything before `seq` has been sent (caught up, and callbacks come in
    // seq order), so sending it now keeps the queue's order.
    if (session->caught_up && !session->pumping && session->authenticated &&
        !session->closed && seq > session->cursor &&
        session->inflight.size() < options.delivery_window) {
      const std::uint64_t id = session->next_request_id++;
      session->inflight.emplace(id, guid);
      session->cursor = seq;
      session->send(wire::Request{id, wire::kOpMessageDeliver, std::move(envelope)});
      return;
    }
    session->caught_up = false;
    ++session->behind;
  }
  schedule_pump(session);
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
      const std::uint64_t behind = session->behind;
      lock.unlock();  // no session lock across a store read
      auto fetched = store.mailbox().fetch(account, device, after, room);
      lock.lock();
      if (!fetched) {
        spdlog::warn("delivery fetch failed: {}", fetched.error().message);
        break;
      }
      batch = std::move(*fetched);
      if (session->closed || !session->authenticated) break;
      // A short read means the store had nothing more when it was read; what
      // was committed after that either came through deliver_new (which
      // defers to a running pump, bumping `behind`) or comes later.
      session->caught_up = batch.size() < room && behind == session->behind;
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
  const bool acked = response.status >= 200 && response.status < 300;
  std::vector<storage::Guid> batch;
  bool refill = false;
  {
    std::lock_guard lock(session->mu);
    auto it = session->inflight.find(response.id);
    if (it == session->inflight.end()) return;  // e.g. the answer to queue.empty
    const storage::Guid guid = it->second;
    session->inflight.erase(it);
    // A backlog refills the window once half of it is answered, without
    // waiting for the acks' commit (its fsync): the cursor already keeps
    // what was sent from being sent again. Half, so a refill reads many
    // envelopes at once rather than one per ack.
    refill = acked && !session->caught_up &&
             session->inflight.size() == options.delivery_window / 2;
    if (acked) {
      ++session->acks_pending;
      session->acks_unwritten.push_back(guid);
      // One ack write per session at a time; acks that arrive meanwhile go
      // in the next one together.
      if (!session->ack_writing) {
        session->ack_writing = true;
        batch.swap(session->acks_unwritten);
      }
    }
  }
  if (!acked) {
    // Left queued; the next connection redelivers it (the cursor has passed it).
    schedule_pump(session);
    return;
  }
  if (refill) schedule_pump(session);
  if (!batch.empty()) write_acks(session, std::move(batch));
}

void Service::Impl::write_acks(const SessionPtr& session, std::vector<storage::Guid> guids) {
  const std::size_t count = guids.size();
  begin_work();
  // account and device are fixed once logged in, and acks come only after.
  store.mailbox().ack_many_async(
      session->account, session->device, std::move(guids),
      [self = shared_from_this(), session, count](Result<storage::AckResults> deleted) {
        // not_found is an envelope deleted already (expired, or acked twice).
        if (!deleted) spdlog::warn("ack failed: {}", deleted.error().message);
        bool pump = false;
        std::vector<storage::Guid> next;
        {
          std::lock_guard lock(session->mu);
          session->acks_pending -= count;
          next.swap(session->acks_unwritten);
          session->ack_writing = !next.empty();
          // Caught up with queue.empty sent: the acks freed window room
          // that nothing waits for.
          pump = !session->caught_up || !session->queue_empty_sent;
        }
        if (!next.empty()) self->write_acks(session, std::move(next));
        if (pump) self->schedule_pump(session);
        self->end_work();
      });
}

}  // namespace sotto::server
