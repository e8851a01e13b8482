// SPDX-License-Identifier: Apache-2.0
// Sending: a message is stored and queued in one transaction, then the
// outbox is tried. Each attempt encrypts anew for every device of the
// recipient; the server's 409/410 answers correct the device list.
#include <algorithm>

#include "client_impl.hpp"
#include "sotto/protocol/session_cipher.hpp"

namespace sotto::client {

namespace {

// Device-list corrections per attempt before giving up until the next flush.
constexpr int kMaxDeviceRounds = 3;

std::string status_text(const wire::Response& r) {
  return std::to_string(r.status) + (r.message.empty() ? "" : " " + r.message);
}

}  // namespace

Result<std::int64_t> Client::Impl::queue_content(const AccountId& to, std::uint64_t timestamp,
                                                 std::int64_t message_id, const Content& content) {
  auto encoded = encode_content(content);
  if (!encoded) return tl::unexpected(encoded.error());
  return store->add_outbox(to, timestamp, message_id, encoded->expose());
}

Result<SendReport> Client::send_text(const std::string& username, const std::string& text,
                                     const EventSink& sink) {
  auto& impl = *impl_;
  if (!impl.account) return fail(Errc::bad_request, "no account here yet: run `sotto register`");
  if (text.empty()) return fail(Errc::bad_request, "the message is empty");
  if (text.size() > kMaxBodySize) {
    return fail(Errc::bad_request, "the message is longer than " + std::to_string(kMaxBodySize) +
                                       " bytes");
  }
  auto to = impl.resolve(username, false, sink);
  if (!to) return tl::unexpected(to.error());

  SendReport report;
  report.timestamp = impl.now();
  {
    auto transaction = impl.store->begin();
    if (!transaction) return tl::unexpected(transaction.error());
    StoredMessage message;
    message.direction = MessageDirection::outgoing;
    message.peer = *to;
    message.timestamp = report.timestamp;
    message.received_ms = report.timestamp;
    message.body = text;
    message.status = MessageStatus::queued;
    auto id = impl.store->add_message(message);
    if (!id) return tl::unexpected(id.error());
    Content content;
    content.sender_username = impl.account->username;
    content.data = DataMessage{text, report.timestamp};
    auto queued = impl.queue_content(*to, report.timestamp, *id, content);
    if (!queued) return tl::unexpected(queued.error());
    SOTTO_TRY(transaction->commit());
  }
  auto remaining = flush_outbox(sink);
  if (!remaining) {
    report.pending_reason = remaining.error().message;
    return report;
  }
  auto items = impl.store->list_outbox();
  if (!items) return tl::unexpected(items.error());
  auto mine = std::find_if(items->begin(), items->end(), [&](const OutboxItem& i) {
    return i.destination == *to && i.timestamp == report.timestamp;
  });
  report.delivered_to_server = mine == items->end();
  if (!report.delivered_to_server) report.pending_reason = mine->last_error;
  return report;
}

Result<std::size_t> Client::flush_outbox(const EventSink& sink) {
  auto& impl = *impl_;
  auto items = impl.store->list_outbox();
  if (!items) return tl::unexpected(items.error());
  std::size_t remaining = 0;
  for (auto& item : *items) {
    std::string why;
    auto delivered = impl.try_deliver(item, sink, why);
    if (!delivered) {
      // Lost connection or a store error: everything left stays queued.
      (void)impl.store->note_outbox_attempt(item.id, delivered.error().message);
      return tl::unexpected(delivered.error());
    }
    if (!*delivered) {
      ++remaining;
      (void)impl.store->note_outbox_attempt(item.id, why);
    }
  }
  return remaining;
}

Result<bool> Client::Impl::try_deliver(OutboxItem& item, const EventSink& sink,
                                       std::string& why_pending) {
  const std::string name = name_for(item.destination, {});
  auto give_up = [&](const std::string& reason) -> Result<bool> {
    auto transaction = store->begin();
    if (!transaction) return tl::unexpected(transaction.error());
    SOTTO_TRY(store->remove_outbox(item.id));
    SOTTO_TRY(transaction->commit());
    if (sink && item.message_id != 0) sink(SendFailed{item.destination, item.timestamp, reason});
    return true;  // out of the outbox: nothing more to try
  };

  for (int round = 0; round < kMaxDeviceRounds; ++round) {
    auto devices = store->session_devices(item.destination);
    if (!devices) return tl::unexpected(devices.error());
    if (devices->empty()) {
      auto fetched = fetch_sessions(item.destination, 0, name, sink);
      if (!fetched) {
        if (fetched.error().code == Errc::not_found) return give_up(fetched.error().message);
        if (fetched.error().code == Errc::untrusted_identity) {
          why_pending = fetched.error().message;
          return false;
        }
        return tl::unexpected(fetched.error());
      }
      devices = std::move(*fetched);
    }

    wire::MessageSend send;
    send.destination = item.destination;
    send.timestamp = item.timestamp;
    auto stores = store->session_stores();
    for (auto device : *devices) {
      auto address = address_of(item.destination, device);
      auto ciphertext = protocol::encrypt(address, item.content.expose(), stores, *rng);
      if (!ciphertext) {
        if (ciphertext.error().code == Errc::untrusted_identity) {
          why_pending = "the identity of '" + name + "' changed since you verified it: run `sotto "
                        "verify " + name + "`";
          return false;
        }
        return tl::unexpected(ciphertext.error());
      }
      auto record = store->session_store().load_session(address);
      if (!record) return tl::unexpected(record.error());
      std::uint32_t registration_id = 0;
      if (*record && (*record)->current() != nullptr) {
        registration_id = (*record)->current()->remote_registration_id;
      }
      send.envelopes.push_back(wire::OutgoingEnvelope{
          device, registration_id, static_cast<std::uint32_t>(ciphertext->type),
          std::move(ciphertext->serialized)});
    }

    auto response = call(wire::kOpMessageSend, wire::encode(send));
    if (!response) {
      if (response.error().code == Errc::rate_limited) {
        why_pending = response.error().message;
        return false;
      }
      return tl::unexpected(response.error());
    }
    switch (response->status) {
      case 200: {
        auto transaction = store->begin();
        if (!transaction) return tl::unexpected(transaction.error());
        SOTTO_TRY(store->remove_outbox(item.id));
        if (item.message_id != 0) SOTTO_TRY(store->set_status(item.message_id, MessageStatus::sent));
        SOTTO_TRY(transaction->commit());
        return true;
      }
      case 409:
      case 410: {
        auto mismatch = wire::parse_mismatched_devices(response->body);
        if (!mismatch) return tl::unexpected(mismatch.error());
        // Extra devices are gone; stale ones were re-registered. Missing ones
        // and the stale ones get fresh sessions from their bundles.
        for (auto d : mismatch->extra) SOTTO_TRY(store->delete_session(item.destination, d));
        for (auto d : mismatch->stale) SOTTO_TRY(store->delete_session(item.destination, d));
        std::vector<std::uint32_t> to_fetch = mismatch->missing;
        to_fetch.insert(to_fetch.end(), mismatch->stale.begin(), mismatch->stale.end());
        for (auto d : to_fetch) {
          auto fetched = fetch_sessions(item.destination, d, name, sink);
          if (!fetched) return tl::unexpected(fetched.error());
        }
        continue;
      }
      case 404:
        return give_up("the recipient's account no longer exists");
      case 413:
        return give_up("the message is too large for the server");
      case 507:
        why_pending = "the recipient's queue is full; will retry";
        return false;
      default:
        why_pending = "the server answered " + status_text(*response);
        return false;
    }
  }
  why_pending = "the recipient's device list kept changing; will retry";
  return false;
}

}  // namespace sotto::client
