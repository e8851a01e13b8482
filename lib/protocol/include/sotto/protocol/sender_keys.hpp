// SPDX-License-Identifier: Apache-2.0
// Sender-key state for group messages (spec/signal-wire.md §6): a symmetric hash
// chain per sender plus the sender's signing key.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "sotto/crypto/secret.hpp"
#include "sotto/protocol/keys.hpp"
#include "sotto/protocol/session_state.hpp"

namespace sotto::protocol {

struct SenderKeyState {
  std::uint32_t chain_id = 0;
  ChainKey chain;               // index = iteration of the next message key
  PublicKey signing_public;
  std::optional<crypto::X25519Private> signing_private;  // only for our own chain
  std::deque<SkippedMessageKey> skipped;                 // oldest first

  [[nodiscard]] SenderKeyState clone() const;
};

// Newest state first, at most kMaxSenderKeyStates.
struct SenderKeyRecord {
  std::vector<SenderKeyState> states;

  [[nodiscard]] SenderKeyRecord clone() const;
  SenderKeyState* find(std::uint32_t chain_id);
  // Puts `state` first, dropping the oldest beyond the limit.
  void add_state(SenderKeyState state);
};

}  // namespace sotto::protocol
