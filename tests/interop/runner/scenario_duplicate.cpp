// SPDX-License-Identifier: Apache-2.0
// Replays: each kind of message delivered a second time must be refused as
// duplicate_message (a replayed message must never decrypt twice), whether its
// key was the chain's next one, a skipped one, or it opened the session.
#include "conversation.hpp"
#include "scenarios.hpp"

namespace sotto::interop {

Status run_duplicate(Harness& h) {
  h.step("create parties");
  INTEROP_ASSIGN(Party alice, h.new_party(h.a(), "alice"));
  INTEROP_ASSIGN(Party bob, h.new_party(h.b(), "bob"));
  h.step("bob publishes a bundle, alice starts a session");
  INTEROP_ASSIGN(json bundle, h.bundle(bob, 2, 6));
  SOTTO_TRY(h.from_bundle(alice, bob, bundle));

  h.step("alice sends three prekey messages");
  INTEROP_ASSIGN(Envelope p1, send(h, alice, bob));
  INTEROP_ASSIGN(Envelope p2, send(h, alice, bob));
  INTEROP_ASSIGN(Envelope p3, send(h, alice, bob));
  SOTTO_TRY(h.expect_type(p1, "prekey"));
  SOTTO_TRY(h.expect_type(p3, "prekey"));
  h.step("bob decrypts the first prekey message");
  SOTTO_TRY(h.deliver(bob, p1));
  h.step("the first prekey message again");
  SOTTO_TRY(h.reject(bob, p1, {"duplicate_message"}));
  h.step("bob decrypts the third, then the skipped second");
  SOTTO_TRY(h.deliver(bob, p3));
  SOTTO_TRY(h.deliver(bob, p2));
  h.step("the skipped second prekey message again");
  SOTTO_TRY(h.reject(bob, p2, {"duplicate_message"}));
  h.step("the third prekey message again");
  SOTTO_TRY(h.reject(bob, p3, {"duplicate_message"}));

  h.step("bob replies twice");
  INTEROP_ASSIGN(Envelope r1, send(h, bob, alice));
  INTEROP_ASSIGN(Envelope r2, send(h, bob, alice));
  SOTTO_TRY(h.deliver(alice, r1));
  h.step("bob's first reply again");
  SOTTO_TRY(h.reject(alice, r1, {"duplicate_message"}));
  SOTTO_TRY(h.deliver(alice, r2));
  h.step("bob's second reply again");
  SOTTO_TRY(h.reject(alice, r2, {"duplicate_message"}));

  h.step("alice's whisper message delivered twice");
  INTEROP_ASSIGN(Envelope w1, send_and_deliver(h, alice, bob));
  SOTTO_TRY(h.expect_type(w1, "whisper"));
  SOTTO_TRY(h.reject(bob, w1, {"duplicate_message"}));
  h.step("the first prekey message once more, after the ratchet moved on");
  SOTTO_TRY(h.reject(bob, p1, {"duplicate_message"}));

  h.step("conversation continues both ways after the duplicates");
  SOTTO_TRY(chat(h, bob, alice, 3));
  h.step("a message of the latest chain delivered twice");
  INTEROP_ASSIGN(Envelope w2, send_and_deliver(h, bob, alice));
  SOTTO_TRY(h.reject(alice, w2, {"duplicate_message"}));
  SOTTO_TRY(chat(h, alice, bob, 1));
  return ok();
}

}  // namespace sotto::interop
