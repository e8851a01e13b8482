// SPDX-License-Identifier: Apache-2.0
// What the user has seen: messages marked read (the status change and the
// read receipts to their senders are committed together; the receipts leave
// with the next flush), and messages reported to the user at all.
#include <algorithm>
#include <map>

#include "client_impl.hpp"

namespace sotto::client {

Result<std::size_t> Client::mark_read(const std::vector<std::int64_t>& local_ids) {
  auto& impl = *impl_;
  auto unread = impl.store->unread_messages();
  if (!unread) return tl::unexpected(unread.error());
  std::map<AccountId, std::vector<std::uint64_t>> by_sender;
  std::vector<std::int64_t> marked;
  for (const auto& m : *unread) {
    if (std::find(local_ids.begin(), local_ids.end(), m.id) == local_ids.end()) continue;
    by_sender[m.peer].push_back(m.timestamp);
    marked.push_back(m.id);
  }
  if (marked.empty()) return std::size_t{0};
  auto transaction = impl.store->begin();
  if (!transaction) return tl::unexpected(transaction.error());
  for (auto id : marked) SOTTO_TRY(impl.store->set_status(id, MessageStatus::read));
  for (auto& [sender, timestamps] : by_sender) {
    for (std::size_t i = 0; i < timestamps.size(); i += kMaxReceiptTimestamps) {
      Content receipt;
      receipt.sender_username = impl.account->username;
      auto end = std::min(timestamps.size(), i + kMaxReceiptTimestamps);
      receipt.receipt = Receipt{ReceiptType::read, {timestamps.begin() + static_cast<long>(i),
                                                    timestamps.begin() + static_cast<long>(end)}};
      auto queued = impl.queue_content(sender, impl.now(), 0, receipt);
      if (!queued) return tl::unexpected(queued.error());
    }
  }
  SOTTO_TRY(transaction->commit());
  return marked.size();
}

bool Client::backlog_drained() const { return impl_->backlog_done; }

Result<std::vector<MessageReceived>> Client::unreported_messages() {
  auto stored = impl_->store->unshown_messages();
  if (!stored) return tl::unexpected(stored.error());
  std::vector<MessageReceived> out;
  for (const auto& m : *stored) {
    MessageReceived event;
    event.from.account = m.peer;
    event.from.device = m.peer_device;
    auto contact = impl_->store->find_contact(m.peer);
    if (contact && *contact) event.from.username = (*contact)->username;
    event.timestamp = m.timestamp;
    event.body = m.body;
    event.local_id = m.id;
    out.push_back(std::move(event));
  }
  return out;
}

Status Client::mark_reported(const std::vector<std::int64_t>& local_ids) {
  return impl_->store->mark_shown(local_ids);
}

}  // namespace sotto::client
