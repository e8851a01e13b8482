// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <tuple>

#include "memory_state.hpp"

namespace sotto::storage::memory {

namespace {
constexpr const char* kNoDevice = "no such device";
}  // namespace

Result<EnqueueResults> Mailbox::enqueue_locked(std::vector<NewEnvelope>& batch) {
  EnqueueResults results;
  results.reserve(batch.size());
  for (auto& item : batch) {
    if (s_.guids.contains(item.guid)) {  // a retried send: already queued
      results.push_back(kAlreadyQueued);
      continue;
    }
    DeviceState* d = s_.find_device(item.account, item.device);
    if (d == nullptr) {
      results.push_back(fail(Errc::not_found, kNoDevice));
      continue;
    }
    if (d->queue.size() + 1 > s_.limits.max_messages ||
        d->queue_bytes + item.envelope.size() > s_.limits.max_bytes) {
      results.push_back(fail(Errc::queue_full, "device queue is full"));
      continue;
    }
    std::uint64_t seq = s_.next_seq++;
    d->queue_bytes += item.envelope.size();
    s_.guids.emplace(item.guid, GuidLocation{item.account, item.device, seq});
    d->queue.emplace(seq, StoredEnvelope{seq, item.guid, std::move(item.sender),
                                         std::move(item.envelope), item.expires_ms});
    results.push_back(seq);
  }
  return results;
}

void Mailbox::enqueue_async(std::vector<NewEnvelope> batch, EnqueueCallback done) {
  std::lock_guard order(enqueue_order_mu_);
  Result<EnqueueResults> result;
  {
    std::lock_guard lock(s_.mu);
    result = enqueue_locked(batch);
  }
  done(std::move(result));
}

Status Mailbox::ack_locked(const AccountId& account, DeviceId device, const Guid& guid) {
  auto g = s_.guids.find(guid);
  if (g == s_.guids.end() || g->second.account != account || g->second.device != device) {
    return fail(Errc::not_found, "no such queued message");
  }
  DeviceState* d = s_.find_device(account, device);
  auto e = d->queue.find(g->second.seq);
  d->queue_bytes -= e->second.envelope.size();
  d->queue.erase(e);
  s_.guids.erase(g);
  return ok();
}

void Mailbox::ack_many_async(const AccountId& account, DeviceId device, std::vector<Guid> guids,
                             AckCallback done) {
  AckResults results;
  results.reserve(guids.size());
  {
    std::lock_guard lock(s_.mu);
    for (const auto& guid : guids) results.push_back(ack_locked(account, device, guid));
  }
  done(std::move(results));
}

Result<std::vector<StoredEnvelope>> Mailbox::fetch(const AccountId& account, DeviceId device,
                                                   std::uint64_t after_seq, std::size_t limit) {
  std::lock_guard lock(s_.mu);
  DeviceState* d = s_.find_device(account, device);
  if (d == nullptr) return fail(Errc::not_found, kNoDevice);
  std::vector<StoredEnvelope> out;
  for (auto it = d->queue.upper_bound(after_seq); it != d->queue.end() && out.size() < limit;
       ++it) {
    out.push_back(it->second);
  }
  return out;
}

Result<std::uint64_t> Mailbox::count(const AccountId& account, DeviceId device) {
  std::lock_guard lock(s_.mu);
  DeviceState* d = s_.find_device(account, device);
  if (d == nullptr) return fail(Errc::not_found, kNoDevice);
  return std::uint64_t{d->queue.size()};
}

Result<std::vector<ExpiredEnvelope>> Mailbox::expire(std::int64_t now_ms, std::size_t limit,
                                                     const ExpiryNotice& notice) {
  std::lock_guard lock(s_.mu);
  // A scan is fine for a test double; the SQLite store uses an index.
  struct Due {
    std::int64_t expires_ms;
    std::uint64_t seq;
    DeviceState* device;
  };
  std::vector<Due> due;
  for (auto& [account_id, account] : s_.accounts) {
    for (auto& [device_id, device] : account.devices) {
      for (auto& [seq, env] : device.queue) {
        if (env.expires_ms <= now_ms) due.push_back({env.expires_ms, seq, &device});
      }
    }
  }
  std::sort(due.begin(), due.end(), [](const Due& a, const Due& b) {
    return std::tie(a.expires_ms, a.seq) < std::tie(b.expires_ms, b.seq);
  });
  if (due.size() > limit) due.resize(limit);
  std::vector<ExpiredEnvelope> out;
  out.reserve(due.size());
  for (const Due& x : due) {
    auto e = x.device->queue.find(x.seq);
    out.push_back({e->second.guid, x.device->info.account, x.device->info.id,
                   std::move(e->second.sender)});
    x.device->queue_bytes -= e->second.envelope.size();
    s_.guids.erase(e->second.guid);
    x.device->queue.erase(e);
  }
  // Under the same lock as the deletes: nobody sees the one without the other.
  if (notice) {
    std::vector<NewEnvelope> notices;
    for (const auto& expired : out) {
      if (auto n = notice(expired)) notices.push_back(std::move(*n));
    }
    (void)enqueue_locked(notices);  // a gone device or a full queue skips its notice
  }
  return out;
}

}  // namespace sotto::storage::memory
