// SPDX-License-Identifier: Apache-2.0
// Simultaneous initiation: both sides build a session from the other's bundle
// and send a first message before either arrives. Each side then holds two
// sessions; decrypting with an older one must promote it, so after a few
// messages each way both sides send on one shared session (whisper messages
// that decrypt).
#include "conversation.hpp"
#include "scenarios.hpp"

namespace sotto::interop {

Status run_simultaneous_initiation(Harness& h) {
  h.step("create parties");
  INTEROP_ASSIGN(Party alice, h.new_party(h.a(), "alice"));
  INTEROP_ASSIGN(Party bob, h.new_party(h.b(), "bob"));

  h.step("both publish bundles");
  INTEROP_ASSIGN(json alice_bundle, h.bundle(alice, 21, 22));
  INTEROP_ASSIGN(json bob_bundle, h.bundle(bob, 31, 32));
  h.step("both start a session from the other's bundle");
  SOTTO_TRY(h.from_bundle(alice, bob, bob_bundle));
  SOTTO_TRY(h.from_bundle(bob, alice, alice_bundle));

  h.step("both send a first message before receiving anything");
  INTEROP_ASSIGN(Envelope from_alice, send(h, alice, bob));
  INTEROP_ASSIGN(Envelope from_bob, send(h, bob, alice));
  SOTTO_TRY(h.expect_type(from_alice, "prekey"));
  SOTTO_TRY(h.expect_type(from_bob, "prekey"));
  h.step("alice decrypts bob's first message");
  SOTTO_TRY(h.deliver(alice, from_bob));
  h.step("bob decrypts alice's first message");
  SOTTO_TRY(h.deliver(bob, from_alice));

  h.step("the crossed sessions converge");
  SOTTO_TRY(chat(h, alice, bob, 3));
  SOTTO_TRY(chat(h, bob, alice, 2));

  h.step("after converging, each side's message is a whisper message that decrypts");
  INTEROP_ASSIGN(Envelope last_alice, send_and_deliver(h, alice, bob));
  INTEROP_ASSIGN(Envelope last_bob, send_and_deliver(h, bob, alice));
  SOTTO_TRY(h.expect_type(last_alice, "whisper"));
  SOTTO_TRY(h.expect_type(last_bob, "whisper"));
  SOTTO_TRY(h.expect_stored_identity(alice, bob, bob.identity_key));
  SOTTO_TRY(h.expect_stored_identity(bob, alice, alice.identity_key));
  return ok();
}

}  // namespace sotto::interop
