// SPDX-License-Identifier: Apache-2.0
#include "conversation.hpp"

namespace sotto::interop {

Result<Envelope> send(Harness& h, const Party& from, const Party& to, std::size_t max_len) {
  return h.encrypt(from, to, h.unique_plaintext(max_len));
}

Result<Envelope> send_and_deliver(Harness& h, const Party& from, const Party& to) {
  INTEROP_ASSIGN(Envelope e, send(h, from, to));
  SOTTO_TRY(h.deliver(to, e));
  return e;
}

Status establish(Harness& h, const Party& alice, const Party& bob, std::uint32_t signed_prekey_id,
                 std::optional<std::uint32_t> one_time_prekey_id) {
  h.step(bob.key + " generates a bundle");
  INTEROP_ASSIGN(json bundle, h.bundle(bob, signed_prekey_id, one_time_prekey_id));
  h.step(alice.key + " starts a session from " + bob.key + "'s bundle");
  SOTTO_TRY(h.from_bundle(alice, bob, bundle));
  h.step(alice.key + "'s first message to " + bob.key);
  INTEROP_ASSIGN(Envelope first, send(h, alice, bob));
  SOTTO_TRY(h.expect_type(first, "prekey"));
  SOTTO_TRY(h.deliver(bob, first));
  h.step(bob.key + "'s reply to " + alice.key);
  INTEROP_ASSIGN(Envelope reply, send(h, bob, alice));
  SOTTO_TRY(h.expect_type(reply, "whisper"));
  SOTTO_TRY(h.deliver(alice, reply));
  h.step("both store each other's identity after first contact");
  SOTTO_TRY(h.expect_stored_identity(bob, alice, alice.identity_key));
  SOTTO_TRY(h.expect_stored_identity(alice, bob, bob.identity_key));
  return ok();
}

Status chat(Harness& h, const Party& x, const Party& y, int rounds) {
  for (int r = 0; r < rounds; ++r) {
    for (const auto* side : {&x, &y}) {
      const Party& from = *side;
      const Party& to = side == &x ? y : x;
      h.step("chat round " + std::to_string(r + 1) + ", " + from.key + " -> " + to.key);
      for (std::uint32_t n = h.uniform(1, 3); n > 0; --n) SOTTO_TRY(send_and_deliver(h, from, to));
    }
  }
  return ok();
}

}  // namespace sotto::interop
