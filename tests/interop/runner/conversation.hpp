// SPDX-License-Identifier: Apache-2.0
// Building blocks shared by the pairwise scenarios: a first contact from a
// bundle, and short conversations delivered in order.
#pragma once

#include <cstdint>
#include <optional>

#include "harness.hpp"

namespace sotto::interop {

// Largest plaintext the scenarios send by default.
inline constexpr std::size_t kMaxPlaintext = 300;

// Encrypts a fresh unique plaintext from `from` to `to`.
[[nodiscard]] Result<Envelope> send(Harness& h, const Party& from, const Party& to,
                                    std::size_t max_len = kMaxPlaintext);

// Encrypts and immediately delivers one message.
[[nodiscard]] Result<Envelope> send_and_deliver(Harness& h, const Party& from, const Party& to);

// Bob publishes a bundle, alice starts a session from it, alice's first message
// (type prekey) decrypts at bob, bob's reply (type whisper) decrypts at alice,
// and both then store each other's identity.
[[nodiscard]] Status establish(Harness& h, const Party& alice, const Party& bob,
                               std::uint32_t signed_prekey_id,
                               std::optional<std::uint32_t> one_time_prekey_id);

// `rounds` times: x sends 1-3 messages, then y sends 1-3, each delivered in order.
[[nodiscard]] Status chat(Harness& h, const Party& x, const Party& y, int rounds);

}  // namespace sotto::interop
