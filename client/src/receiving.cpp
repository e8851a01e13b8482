// SPDX-License-Identifier: Apache-2.0
// Receiving: each envelope is decrypted and its result committed together
// with the session change in one transaction; only then is it acknowledged.
// Envelopes seen before are acknowledged and dropped.
#include "client_impl.hpp"
#include "sotto/protocol/session_cipher.hpp"

namespace sotto::client {

namespace {

using Clock = std::chrono::steady_clock;

// Types of wire::Envelope.type (CiphertextMessageType).
constexpr std::uint32_t kTypeWhisper = 2;
constexpr std::uint32_t kTypePreKey = 3;

constexpr std::uint32_t kAnswerOk = 200;
constexpr std::uint32_t kAnswerBadRequest = 400;

// Errors that mean "this envelope cannot be read", not "we could not work".
bool is_envelope_fault(Errc code) {
  switch (code) {
    case Errc::invalid_message:
    case Errc::invalid_mac:
    case Errc::invalid_signature:
    case Errc::duplicate_message:
    case Errc::too_far_in_future:
    case Errc::no_session:
    case Errc::invalid_prekey_id:
    case Errc::invalid_kyber_prekey_id:
    case Errc::legacy_version:
    case Errc::unknown_version:
    case Errc::invalid_key:
    case Errc::zero_shared_secret:
    case Errc::bad_padding:
    case Errc::untrusted_identity:
      return true;
    default:
      return false;
  }
}

}  // namespace

Status Client::receive(std::chrono::milliseconds wait, bool until_empty, const EventSink& sink) {
  auto& impl = *impl_;
  SOTTO_TRY(impl.ensure_connected());
  // Whatever waited in the outbox goes first (it may hold receipts).
  (void)flush_outbox(sink);
  const auto deadline = Clock::now() + wait;
  for (;;) {
    // Once the backlog is drained, only what is already here is handled.
    const bool drained = until_empty && impl.backlog_done;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (!drained && left.count() <= 0) break;
    if (!impl.link) SOTTO_TRY(impl.ensure_connected());
    auto slice = drained ? std::chrono::milliseconds(0)
                         : std::min(left, std::chrono::milliseconds(500));
    auto push = impl.link->next_push(slice);
    if (!push) {
      impl.link.reset();
      return tl::unexpected(push.error());
    }
    if (!*push) {
      if (drained) break;
      continue;
    }
    SOTTO_TRY(impl.handle_push(**push, sink));
  }
  // Receipts queued while receiving.
  auto flushed = flush_outbox(sink);
  if (!flushed) return tl::unexpected(flushed.error());
  return ok();
}

Status Client::Impl::handle_push(const wire::Request& push, const EventSink& sink) {
  if (push.op == wire::kOpMessageDeliver) return handle_envelope(push, sink);
  if (push.op == wire::kOpQueueEmpty) {
    backlog_done = true;
    return link->answer(push.id, kAnswerOk);
  }
  if (push.op == wire::kOpKeysLow) {
    SOTTO_TRY(link->answer(push.id, kAnswerOk));
    return refill_prekeys();
  }
  if (push.op == wire::kOpMessageExpired) {
    auto expired = wire::parse_message_expired(push.body);
    if (expired && sink) sink(MessageExpiredUnread{expired->destination, expired->destination_device});
    return link->answer(push.id, kAnswerOk);
  }
  // An op this version does not know: refuse it, do not guess.
  return link->answer(push.id, kAnswerBadRequest);
}

Status Client::Impl::handle_envelope(const wire::Request& push, const EventSink& sink) {
  auto envelope = wire::parse_envelope(push.body);
  if (!envelope) return link->answer(push.id, kAnswerBadRequest);
  SOTTO_TRY(receive_envelope(*envelope, sink));
  return link->answer(push.id, kAnswerOk);
}

Status Client::Impl::receive_envelope(const wire::Envelope& envelope, const EventSink& sink) {
  auto seen = store->envelope_seen(envelope.guid);
  if (!seen) return tl::unexpected(seen.error());
  if (*seen) return ok();

  const auto address = address_of(envelope.source, envelope.source_device);
  auto before = store->identity_store().get_identity(address);
  if (!before) return tl::unexpected(before.error());
  auto contact = store->find_contact(envelope.source);
  if (!contact) return tl::unexpected(contact.error());
  const bool verified_before = *contact && (*contact)->verified;

  std::optional<Content> content;
  std::optional<Error> fault;
  std::int64_t local_id = 0;
  {
    auto transaction = store->begin();
    if (!transaction) return tl::unexpected(transaction.error());
    auto stores = store->session_stores();
    Result<Bytes> plaintext = fail(Errc::invalid_message, "unknown envelope type");
    if (envelope.type == kTypePreKey) {
      plaintext = protocol::decrypt_prekey_message(address, envelope.content, stores, *rng);
    } else if (envelope.type == kTypeWhisper) {
      plaintext = protocol::decrypt_signal_message(address, envelope.content, stores, *rng);
    }
    if (!plaintext && !is_envelope_fault(plaintext.error().code)) {
      return tl::unexpected(plaintext.error());  // a store error: not acknowledged, retried
    }
    if (plaintext) {
      auto parsed = parse_content(*plaintext);
      crypto::secure_wipe(plaintext->data(), plaintext->size());
      if (parsed) {
        content = std::move(*parsed);
      } else {
        fault = parsed.error();
      }
    } else {
      fault = plaintext.error();
    }
    // A failed decrypt stored nothing (the protocol computes on a copy); a
    // decrypted but unreadable content still used up its message key, which
    // is committed like any other.
    if (!fault && content->data) {
      StoredMessage message;
      message.direction = MessageDirection::incoming;
      message.peer = envelope.source;
      message.peer_device = envelope.source_device;
      message.timestamp = content->data->timestamp;
      message.received_ms = now();
      message.body = content->data->body;
      message.status = MessageStatus::unread;
      auto id = store->add_message(message);
      if (!id) return tl::unexpected(id.error());
      local_id = *id;
      // The delivery receipt travels with the same commit, so it is never lost.
      Content receipt;
      receipt.sender_username = account->username;
      receipt.receipt = Receipt{ReceiptType::delivery, {content->data->timestamp}};
      auto queued = queue_content(envelope.source, now(), 0, receipt);
      if (!queued) return tl::unexpected(queued.error());
    }
    if (!fault && content->receipt) {
      auto moved = store->apply_receipt(envelope.source, content->receipt->timestamps,
                                        content->receipt->type == ReceiptType::read
                                            ? MessageStatus::read
                                            : MessageStatus::delivered);
      if (!moved) return tl::unexpected(moved.error());
    }
    SOTTO_TRY(store->mark_envelope_seen(envelope.guid, now()));
    SOTTO_TRY(transaction->commit());
  }
  return report_envelope(envelope, before->has_value() ? &**before : nullptr, verified_before,
                         content, fault, local_id, sink);
}

Status Client::Impl::report_envelope(const wire::Envelope& envelope,
                                     const protocol::PublicKey* identity_before,
                                     bool verified_before, const std::optional<Content>& content,
                                     const std::optional<Error>& fault, std::int64_t local_id,
                                     const EventSink& sink) {
  if (!sink) return ok();
  Sender from;
  from.account = envelope.source;
  from.device = envelope.source_device;
  from.username = name_for(envelope.source, content ? content->sender_username : std::string{});
  if (fault) {
    sink(DecryptionFailed{from, envelope.guid,
                          std::string(errc_name(fault->code)) + ": " + fault->message});
    return ok();
  }
  auto after = store->identity_store().get_identity(address_of(envelope.source, 1));
  if (identity_before != nullptr && after && *after && **after != *identity_before) {
    sink(IdentityChanged{from.username, envelope.source, verified_before});
  }
  if (content->data) {
    sink(MessageReceived{from, envelope.guid, content->data->timestamp, envelope.server_timestamp,
                         content->data->body, local_id});
  }
  if (content->receipt) {
    sink(ReceiptReceived{from, content->receipt->type, content->receipt->timestamps});
  }
  return ok();
}

}  // namespace sotto::client
