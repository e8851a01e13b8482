// SPDX-License-Identifier: Apache-2.0
// The state of one Double Ratchet session (Double Ratchet §3.2) and the record
// that keeps it together with earlier states for trial decryption.
//
// Secrets (root, chain and skipped message keys, ratchet private keys) are held
// in wiping types; a state is copied only through clone(), on purpose.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <vector>

#include "sotto/crypto/secret.hpp"
#include "sotto/protocol/keys.hpp"

namespace sotto::protocol {

struct ChainKey {
  crypto::SecretKey<32> key;
  std::uint32_t index = 0;  // the counter of the next message key this chain yields

  [[nodiscard]] ChainKey clone() const { return {key.clone(), index}; }
};

// A message key kept for a message that has not arrived yet. The seed (the
// chain's HMAC output) is stored, not the expanded keys.
struct SkippedMessageKey {
  std::uint32_t index = 0;
  crypto::SecretKey<32> seed;
};

struct ReceiverChain {
  PublicKey sender_ratchet_key;
  ChainKey chain;
  std::deque<SkippedMessageKey> skipped;  // oldest first

  [[nodiscard]] ReceiverChain clone() const;
};

// What an initiator remembers until the first reply: the ids it used, so each
// outgoing message can be wrapped in a PreKeySignalMessage.
struct PendingPreKey {
  std::optional<std::uint32_t> prekey_id;
  std::uint32_t signed_prekey_id = 0;
  PublicKey base_key;
};

struct SessionState {
  std::uint32_t version = 3;
  PublicKey local_identity;
  PublicKey remote_identity;
  std::uint32_t local_registration_id = 0;
  std::uint32_t remote_registration_id = 0;
  // The initiator's base key identifies the session setup (a repeated PreKey
  // message with the same base key reuses this state instead of a new one).
  PublicKey base_key;

  crypto::SecretKey<32> root_key;
  KeyPair sender_ratchet;
  ChainKey sender_chain;
  std::uint32_t previous_counter = 0;
  std::vector<ReceiverChain> receiver_chains;  // oldest first, at most kMaxReceiverChains
  std::optional<PendingPreKey> pending_prekey;

  [[nodiscard]] SessionState clone() const;

  // The receiving chain for a sender ratchet key, or nullptr.
  ReceiverChain* find_receiver_chain(const PublicKey& sender_ratchet_key);
  // Appends a chain, dropping the oldest beyond kMaxReceiverChains.
  void add_receiver_chain(ReceiverChain chain);
};

// The current state plus up to kMaxArchivedStates earlier ones (newest first).
// Archived states never change once archived, so they are shared between
// copies of the record and a clone costs one state, not forty-one.
class SessionRecord {
 public:
  SessionRecord() = default;
  explicit SessionRecord(SessionState current);
  // Reassembles a record loaded from storage (archived: newest first; extra
  // states beyond kMaxArchivedStates are dropped).
  SessionRecord(std::optional<SessionState> current,
                std::deque<std::shared_ptr<const SessionState>> archived);

  [[nodiscard]] bool has_current_state() const { return current_.has_value(); }
  [[nodiscard]] const SessionState* current() const { return current_ ? &*current_ : nullptr; }
  SessionState* current() { return current_ ? &*current_ : nullptr; }
  [[nodiscard]] const std::deque<std::shared_ptr<const SessionState>>& archived() const {
    return archived_;
  }

  // Archives the current state (if any) and makes `state` current.
  void promote_new_state(SessionState state);
  // Makes archived state `index` current again, archiving the present one.
  void promote_archived(std::size_t index, SessionState updated);
  // True when the current or an archived state was set up with `base_key` at `version`.
  [[nodiscard]] bool has_state_with_base_key(std::uint32_t version, const PublicKey& base_key) const;

  [[nodiscard]] SessionRecord clone() const;

 private:
  void archive_current();

  std::optional<SessionState> current_;
  std::deque<std::shared_ptr<const SessionState>> archived_;
};

}  // namespace sotto::protocol
