// SPDX-License-Identifier: Apache-2.0
// message.send: the device-set check, then a durable enqueue; the answer goes
// out only after the mailbox reports the commit. And expiry: each envelope
// that times out becomes a message.expired notice in its sender's queue.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "impl.hpp"

namespace sotto::server {

constexpr std::size_t kSenderTagSize = 16 + 4;

Bytes sender_tag(const AccountId& account, DeviceId device) {
  Bytes out(account.begin(), account.end());
  for (int shift = 24; shift >= 0; shift -= 8) {
    out.push_back(static_cast<std::uint8_t>(device >> shift));
  }
  return out;
}

std::optional<std::pair<AccountId, DeviceId>> parse_sender_tag(ByteView tag) {
  if (tag.size() != kSenderTagSize) return std::nullopt;
  AccountId account{};
  std::copy(tag.begin(), tag.begin() + 16, account.begin());
  DeviceId device = 0;
  for (std::size_t i = 16; i < kSenderTagSize; ++i) device = (device << 8) | tag[i];
  return std::pair{account, device};
}

bool is_expiry_notice(ByteView tag) { return tag.size() == 1 && tag[0] == kExpiryNoticeTag; }

Result<std::size_t> Service::expire_messages(std::size_t limit) {
  Impl& impl = *impl_;
  const std::int64_t now = impl.clock.now_ms();
  // Runs inside the store's expiring transaction (maybe on its writer
  // thread): it only builds the notice, it does not call the store.
  auto notice = [&impl,
                 now](const storage::ExpiredEnvelope& e) -> std::optional<storage::NewEnvelope> {
    // A notice that expired unread is dropped: nobody to tell.
    auto sender = parse_sender_tag(e.sender);
    if (!sender) return std::nullopt;
    storage::NewEnvelope n;
    n.account = sender->first;
    n.device = sender->second;
    n.guid = impl.next_guid();
    n.sender = Bytes{kExpiryNoticeTag};
    n.envelope = wire::encode(wire::MessageExpired{e.guid, e.account, e.device});
    n.expires_ms = now + impl.options.message_ttl_ms;
    return n;
  };
  auto expired = impl.store.mailbox().expire(now, limit, notice);
  if (!expired) return tl::unexpected(expired.error());
  // Senders online now get their notices at once; the others on reconnect.
  std::set<std::pair<AccountId, DeviceId>> senders;
  for (const auto& e : *expired) {
    if (auto sender = parse_sender_tag(e.sender)) senders.insert(*sender);
  }
  for (const auto& [account, device] : senders) impl.notify(account, device);
  if (!expired->empty()) spdlog::info("expired {} queued envelopes", expired->size());
  return expired->size();
}

void Service::Impl::op_message_send(const SessionPtr& session, const wire::Request& request,
                                    const AccountId& account, DeviceId device) {
  auto send = wire::parse_message_send(request.body);
  if (!send) return respond(*session, request.id, kStatusBadRequest, send.error().message);
  if (send->envelopes.empty())
    return respond(*session, request.id, kStatusBadRequest, "no envelopes");

  auto devices = store.devices().list_devices(send->destination);
  if (!devices) {
    if (devices.error().code == Errc::not_found) {
      return respond(*session, request.id, kStatusNotFound, "no such account");
    }
    return respond(*session, request.id, kStatusInternal, "store error");
  }

  std::set<DeviceId> requested;
  for (const auto& e : send->envelopes) {
    if (!requested.insert(e.device_id).second) {
      return respond(*session, request.id, kStatusBadRequest, "duplicate device id");
    }
  }
  // A send to one's own account (sync) goes to every device but the sender.
  const bool to_self = send->destination == account;
  wire::MismatchedDevices mismatch;
  std::set<DeviceId> expected;
  for (const auto& d : *devices) {
    if (to_self && d.id == device) continue;
    expected.insert(d.id);
    if (requested.count(d.id) == 0) mismatch.missing.push_back(d.id);
  }
  for (const auto& e : send->envelopes) {
    if (expected.count(e.device_id) == 0) {
      mismatch.extra.push_back(e.device_id);
      continue;
    }
    auto it = std::find_if(devices->begin(), devices->end(),
                           [&](const storage::Device& d) { return d.id == e.device_id; });
    if (it->registration_id != e.registration_id) mismatch.stale.push_back(e.device_id);
  }
  // Stale wins: the client must rebuild those sessions before anything else.
  if (!mismatch.stale.empty()) {
    return respond(*session, request.id, kStatusGone, "stale devices",
                   wire::encode(wire::MismatchedDevices{{}, {}, mismatch.stale}));
  }
  if (!mismatch.missing.empty() || !mismatch.extra.empty()) {
    mismatch.stale.clear();
    return respond(*session, request.id, kStatusConflict, "mismatched devices",
                   wire::encode(mismatch));
  }
  for (const auto& e : send->envelopes) {
    if (e.content.size() > options.max_content_size) {
      return respond(*session, request.id, kStatusTooLarge, "content too large");
    }
  }

  const std::int64_t now = clock.now_ms();
  const Bytes sender = sender_tag(account, device);
  std::vector<storage::NewEnvelope> batch;
  batch.reserve(send->envelopes.size());
  for (auto& e : send->envelopes) {
    wire::Envelope envelope;
    envelope.guid = next_guid();
    envelope.source = account;
    envelope.source_device = device;
    envelope.timestamp = send->timestamp;
    envelope.server_timestamp = static_cast<std::uint64_t>(now);
    envelope.type = e.type;
    envelope.content = std::move(e.content);
    storage::NewEnvelope queued;
    queued.account = send->destination;
    queued.device = e.device_id;
    queued.guid = envelope.guid;
    queued.sender = sender;
    queued.envelope = wire::encode(envelope);
    queued.expires_ms = now + options.message_ttl_ms;
    batch.push_back(std::move(queued));
  }

  // What the callback needs to send each envelope on at once (deliver_new).
  struct Target {
    DeviceId device;
    storage::Guid guid;
    Bytes envelope;
  };
  std::vector<Target> targets;
  targets.reserve(batch.size());
  for (const auto& q : batch) targets.push_back({q.device, q.guid, q.envelope});
  const AccountId destination = send->destination;
  const std::uint64_t id = request.id;
  begin_work();
  // The callback may run on one of the store's threads: it only answers and
  // posts deliveries, it never calls the store itself.
  store.mailbox().enqueue_async(
      std::move(batch), [self = shared_from_this(), session, id, destination,
                         targets = std::move(targets)](Result<storage::EnqueueResults> results) {
        if (!results) {
          spdlog::error("message.send: {}", results.error().message);
          respond(*session, id, kStatusInternal, "store error");
        } else {
          bool full = false;
          wire::MismatchedDevices gone;
          for (std::size_t i = 0; i < results->size() && i < targets.size(); ++i) {
            const auto& r = (*results)[i];
            auto& target = targets[i];
            if (r) {
              // A retried send was delivered (or queued) the first time.
              if (*r != storage::kAlreadyQueued) {
                self->deliver_new(destination, target.device, *r, target.guid,
                                  std::move(target.envelope));
              }
            } else if (r.error().code == Errc::queue_full) {
              full = true;
            } else {
              gone.extra.push_back(target.device);  // removed since the device-set check
            }
          }
          if (full) {
            respond(*session, id, kStatusQueueFull, "recipient queue full");
          } else if (!gone.extra.empty()) {
            respond(*session, id, kStatusConflict, "mismatched devices", wire::encode(gone));
          } else {
            respond(*session, id, kStatusOk);
          }
        }
        self->end_work();
      });
}

}  // namespace sotto::server
