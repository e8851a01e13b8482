// SPDX-License-Identifier: Apache-2.0
#include "sotto/protocol/session_state.hpp"

#include "sotto/crypto/ct.hpp"
#include "sotto/protocol/limits.hpp"

namespace sotto::protocol {

ReceiverChain ReceiverChain::clone() const {
  ReceiverChain copy{sender_ratchet_key, chain.clone(), {}};
  for (const auto& k : skipped) copy.skipped.push_back({k.index, k.seed.clone()});
  return copy;
}

SessionState SessionState::clone() const {
  SessionState copy;
  copy.version = version;
  copy.local_identity = local_identity;
  copy.remote_identity = remote_identity;
  copy.local_registration_id = local_registration_id;
  copy.remote_registration_id = remote_registration_id;
  copy.base_key = base_key;
  copy.root_key = root_key.clone();
  copy.sender_ratchet = sender_ratchet.clone();
  copy.sender_chain = sender_chain.clone();
  copy.previous_counter = previous_counter;
  copy.receiver_chains.reserve(receiver_chains.size());
  for (const auto& c : receiver_chains) copy.receiver_chains.push_back(c.clone());
  copy.pending_prekey = pending_prekey;
  return copy;
}

ReceiverChain* SessionState::find_receiver_chain(const PublicKey& sender_ratchet_key) {
  for (auto& c : receiver_chains) {
    if (crypto::ct_equal(c.sender_ratchet_key.raw(), sender_ratchet_key.raw())) return &c;
  }
  return nullptr;
}

void SessionState::add_receiver_chain(ReceiverChain chain) {
  receiver_chains.push_back(std::move(chain));
  if (receiver_chains.size() > kMaxReceiverChains) receiver_chains.erase(receiver_chains.begin());
}

SessionRecord::SessionRecord(SessionState current) : current_(std::move(current)) {}

SessionRecord::SessionRecord(std::optional<SessionState> current,
                             std::deque<std::shared_ptr<const SessionState>> archived)
    : current_(std::move(current)), archived_(std::move(archived)) {
  while (archived_.size() > kMaxArchivedStates) archived_.pop_back();
}

void SessionRecord::archive_current() {
  if (!current_) return;
  archived_.push_front(std::make_shared<const SessionState>(std::move(*current_)));
  current_.reset();
  while (archived_.size() > kMaxArchivedStates) archived_.pop_back();
}

void SessionRecord::promote_new_state(SessionState state) {
  archive_current();
  current_ = std::move(state);
}

void SessionRecord::promote_archived(std::size_t index, SessionState updated) {
  if (index >= archived_.size()) return;
  archived_.erase(archived_.begin() + static_cast<std::ptrdiff_t>(index));
  promote_new_state(std::move(updated));
}

bool SessionRecord::has_state_with_base_key(std::uint32_t version, const PublicKey& base_key) const {
  auto matches = [&](const SessionState& s) {
    return s.version == version && crypto::ct_equal(s.base_key.raw(), base_key.raw());
  };
  if (current_ && matches(*current_)) return true;
  for (const auto& s : archived_) {
    if (matches(*s)) return true;
  }
  return false;
}

SessionRecord SessionRecord::clone() const {
  SessionRecord copy;
  if (current_) copy.current_ = current_->clone();
  copy.archived_ = archived_;
  return copy;
}

}  // namespace sotto::protocol
