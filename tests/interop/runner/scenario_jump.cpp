// SPDX-License-Identifier: Apache-2.0
// Counter jumps inside one receiving chain. The largest jump the version
// allows (v3: 1999 skipped messages) must decrypt and leave the skipped keys
// usable out of order; a jump past the limit (a receiver refusing to derive
// an unbounded number of keys is a DoS guard) must be rejected without
// harming the session, and once the gap closes that same message decrypts.
#include <algorithm>

#include "conversation.hpp"
#include "scenarios.hpp"

namespace sotto::interop {
namespace {

// Small plaintexts: thousands of messages are encrypted just to advance a chain.
constexpr std::size_t kJumpPlaintext = 32;
constexpr std::size_t kSkippedSample = 40;

// Alice encrypts `n` messages in her current sending chain (none delivered yet).
Result<std::vector<Envelope>> burst(Harness& h, const Party& alice, const Party& bob,
                                    std::size_t n) {
  std::vector<Envelope> out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    INTEROP_ASSIGN(Envelope e, send(h, alice, bob, kJumpPlaintext));
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace

Status run_jump(Harness& h) {
  const std::uint32_t max_jump = h.profile().max_jump;
  h.step("create parties");
  INTEROP_ASSIGN(Party alice, h.new_party(h.a(), "alice"));
  INTEROP_ASSIGN(Party bob, h.new_party(h.b(), "bob"));
  SOTTO_TRY(establish(h, alice, bob, 3, 4));

  // After bob's reply alice's next message opens a fresh sending chain, so
  // message k of the burst carries counter k.
  const std::size_t jump = max_jump - 1;
  h.step("alice sends " + std::to_string(jump + 1) + " messages in a fresh chain");
  INTEROP_ASSIGN(std::vector<Envelope> chain, burst(h, alice, bob, jump + 1));
  h.step("bob decrypts only the last one (" + std::to_string(jump) + " skipped)");
  SOTTO_TRY(h.deliver(bob, chain.back()));

  // Skipped keys beyond what the receiver keeps are gone (v4 long jumps).
  const std::size_t kept = std::min<std::size_t>(jump, h.profile().kept_skipped_keys);
  std::vector<std::size_t> sample = {jump - 1, jump - kept};
  while (sample.size() < kSkippedSample) sample.push_back(jump - kept + h.uniform(0, kept - 1));
  std::sort(sample.begin(), sample.end());
  sample.erase(std::unique(sample.begin(), sample.end()), sample.end());
  std::shuffle(sample.begin(), sample.end(), h.rng());
  for (std::size_t k : sample) {
    h.step("bob decrypts skipped message with counter " + std::to_string(k));
    SOTTO_TRY(h.deliver(bob, chain[k]));
  }
  h.step("conversation continues after the jump");
  SOTTO_TRY(chat(h, bob, alice, 2));

  // Bob's last message made alice ratchet: her next burst is a fresh chain.
  const std::size_t over = static_cast<std::size_t>(max_jump) + 1;
  h.step("alice sends " + std::to_string(over + 1) + " messages in a fresh chain");
  INTEROP_ASSIGN(std::vector<Envelope> far, burst(h, alice, bob, over + 1));
  h.step("bob rejects counter " + std::to_string(over) + " (" + std::to_string(over) +
         " skipped, over the limit)");
  SOTTO_TRY(h.reject(bob, far[over], {}));
  h.step("bob decrypts counter " + std::to_string(jump) + " (in range) after the rejection");
  SOTTO_TRY(h.deliver(bob, far[jump]));
  h.step("the rejected message decrypts once it is in range");
  SOTTO_TRY(h.deliver(bob, far[over]));
  h.step("a skipped message between them decrypts");
  SOTTO_TRY(h.deliver(bob, far[over - 1]));
  h.step("conversation continues after the rejected jump");
  SOTTO_TRY(chat(h, bob, alice, 2));
  return ok();
}

}  // namespace sotto::interop
