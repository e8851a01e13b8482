// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <functional>
#include <optional>
#include <vector>

#include "sotto/core/result.hpp"
#include "sotto/storage/types.hpp"

namespace sotto::storage {

// One result per enqueued envelope, in batch order: the seq it was stored at,
// or kAlreadyQueued (a retried send: stored earlier under this guid); or the
// errors queue_full (the device's queue is at its cap; the envelope was not
// stored) and not_found (no such device).
using EnqueueResults = std::vector<Result<std::uint64_t>>;
inline constexpr std::uint64_t kAlreadyQueued = 0;
// The outer error means the whole batch failed (e.g. I/O) and nothing was stored.
using EnqueueCallback = std::function<void(Result<EnqueueResults>)>;
// One result per acked guid, in order: ok, or not_found if the device has no
// such envelope. The outer error means nothing was deleted.
using AckResults = std::vector<Status>;
using AckCallback = std::function<void(Result<AckResults>)>;
using StatusCallback = std::function<void(Status)>;
// Given an envelope expire() is deleting, the notice to queue in its place
// (typically in the sender device's own queue), or nothing. Called inside the
// expiring transaction, possibly on the store's writer thread with its lock
// held: it must be quick and must not call the store.
using ExpiryNotice = std::function<std::optional<NewEnvelope>(const ExpiredEnvelope&)>;

// One queue per device, in insertion order; the server deletes an envelope
// only when the device acknowledges it. All methods are thread-safe.
//
// Asynchronous methods call `done` exactly once, after the change is durable
// (implementations may call it on another thread, or on the caller's before
// returning). `done` must be quick and must not call this store's blocking
// methods: it may run on a thread the store's writes depend on.
//
// enqueue_async's callbacks run one at a time, in the order the envelopes
// were queued (rising seq): the server pushes a new envelope to an online
// device straight from the callback instead of reading it back, and relies on
// never seeing a later seq before an earlier one.
class MailboxStore {
 public:
  virtual ~MailboxStore() = default;

  // Queues every envelope of the batch (each for its own device) and reports
  // once they are durable. Queueing a guid that is already queued anywhere is a
  // no-op reported as ok, so a retried send never duplicates a message. Caps
  // count the batch's earlier envelopes.
  virtual void enqueue_async(std::vector<NewEnvelope> batch, EnqueueCallback done) = 0;

  // Deletes the device's envelopes `guids` in one write (a server acking a
  // delivered window at once pays for one job, not one per envelope).
  virtual void ack_many_async(const AccountId& account, DeviceId device, std::vector<Guid> guids,
                              AckCallback done) = 0;

  // Up to `limit` envelopes of the device with seq > after_seq, in seq order.
  // Errors: not_found (device).
  virtual Result<std::vector<StoredEnvelope>> fetch(const AccountId& account, DeviceId device,
                                                    std::uint64_t after_seq,
                                                    std::size_t limit) = 0;

  // Envelopes queued for the device. Errors: not_found (device).
  virtual Result<std::uint64_t> count(const AccountId& account, DeviceId device) = 0;

  // Deletes up to `limit` envelopes with expires_ms <= now_ms, earliest expiry
  // first, and returns them so every sender can be told: expiry is never silent.
  // For each one, `notice` (if set) may name an envelope to queue instead; the
  // notices are queued in the same transaction as the deletes (so a crash
  // cannot lose them), by enqueue's rules: one whose device is gone or whose
  // queue is full is skipped.
  virtual Result<std::vector<ExpiredEnvelope>> expire(std::int64_t now_ms, std::size_t limit,
                                                      const ExpiryNotice& notice) = 0;
  Result<std::vector<ExpiredEnvelope>> expire(std::int64_t now_ms, std::size_t limit) {
    return expire(now_ms, limit, nullptr);
  }

  // Deletes the device's envelope `guid`; not_found if it has none.
  void ack_async(const AccountId& account, DeviceId device, const Guid& guid,
                 StatusCallback done);

  // Blocking forms of the asynchronous methods. REQUIRES: not called from a
  // completion callback of this store.
  Result<EnqueueResults> enqueue(std::vector<NewEnvelope> batch);
  Result<AckResults> ack_many(const AccountId& account, DeviceId device, std::vector<Guid> guids);
  Status ack(const AccountId& account, DeviceId device, const Guid& guid);
};

}  // namespace sotto::storage
