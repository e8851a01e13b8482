// SPDX-License-Identifier: Apache-2.0
// Bounds of the v3 profile, equal to libsignal-protocol-c's (spec/signal-wire.md §4).
// They cap what a hostile peer can make us store or compute per message.
#pragma once

#include <cstddef>
#include <cstdint>

namespace sotto::protocol {

// A message may skip at most this many keys ahead in one chain (c: session_cipher.c).
constexpr std::uint32_t kMaxForwardJump = 2000;
// Skipped message keys kept per receiving chain; the oldest is dropped beyond it.
constexpr std::size_t kMaxSkippedKeysPerChain = 2000;
// Receiving chains kept per session state; the oldest is dropped beyond it.
constexpr std::size_t kMaxReceiverChains = 5;
// Earlier session states kept per peer for trial decryption.
constexpr std::size_t kMaxArchivedStates = 40;
// Sender-key states kept per (sender, distribution id).
constexpr std::size_t kMaxSenderKeyStates = 5;

}  // namespace sotto::protocol
