// SPDX-License-Identifier: Apache-2.0
// First contact (X3DH/PQXDH from a published bundle), with and without a
// one-time prekey, then a few exchanges. With a one-time prekey, a second
// session built from the same bundle must fail at the receiver: a one-time
// prekey is deleted after its first use, which is what makes replaying a
// first message to a fresh install useless.
#include "conversation.hpp"
#include "scenarios.hpp"

namespace sotto::interop {
namespace {

Status first_contact(Harness& h, bool with_one_time_prekey) {
  h.step("create parties");
  INTEROP_ASSIGN(Party alice, h.new_party(h.a(), "alice"));
  INTEROP_ASSIGN(Party bob, h.new_party(h.b(), "bob"));
  INTEROP_ASSIGN(Party carol, h.new_party(h.a(), "carol"));

  h.step("no session before first contact");
  INTEROP_ASSIGN(bool bob_has, h.session_exists(bob, alice));
  INTEROP_ASSIGN(bool alice_has, h.session_exists(alice, bob));
  if (bob_has || alice_has)
    return h.mismatch("session.info reports a session before first contact");
  SOTTO_TRY(h.expect_stored_identity(bob, alice, std::nullopt));

  std::optional<std::uint32_t> otk;
  if (with_one_time_prekey) otk = 31;
  h.step("bob generates a bundle");
  INTEROP_ASSIGN(json bundle, h.bundle(bob, 17, otk));
  h.step("alice starts a session from bob's bundle");
  SOTTO_TRY(h.from_bundle(alice, bob, bundle));
  INTEROP_ASSIGN(alice_has, h.session_exists(alice, bob));
  if (!alice_has) return h.mismatch("alice has no session after session.from_bundle");

  h.step("alice's first message");
  INTEROP_ASSIGN(Envelope first, send(h, alice, bob));
  SOTTO_TRY(h.expect_type(first, "prekey"));
  h.step("bob decrypts alice's first message");
  SOTTO_TRY(h.deliver(bob, first));
  SOTTO_TRY(h.expect_stored_identity(bob, alice, alice.identity_key));
  INTEROP_ASSIGN(bob_has, h.session_exists(bob, alice));
  if (!bob_has) return h.mismatch("bob has no session after decrypting a prekey message");

  h.step("bob replies");
  INTEROP_ASSIGN(Envelope reply, send(h, bob, alice));
  SOTTO_TRY(h.expect_type(reply, "whisper"));
  h.step("alice decrypts bob's reply");
  SOTTO_TRY(h.deliver(alice, reply));
  SOTTO_TRY(h.expect_stored_identity(alice, bob, bob.identity_key));

  h.step("alice sends again after the reply");
  INTEROP_ASSIGN(Envelope again, send(h, alice, bob));
  SOTTO_TRY(h.expect_type(again, "whisper"));
  SOTTO_TRY(h.deliver(bob, again));
  SOTTO_TRY(chat(h, alice, bob, 4));

  if (with_one_time_prekey) {
    h.step("carol reuses bob's bundle after its one-time prekey was consumed");
    SOTTO_TRY(h.from_bundle(carol, bob, bundle));
    INTEROP_ASSIGN(Envelope replay, send(h, carol, bob));
    SOTTO_TRY(h.expect_type(replay, "prekey"));
    SOTTO_TRY(h.reject(bob, replay, {"invalid_prekey_id"}));
    h.step("alice and bob still talk after the rejected reuse");
    SOTTO_TRY(chat(h, bob, alice, 2));
  }
  return ok();
}

}  // namespace

Status run_first_contact_otk(Harness& h) { return first_contact(h, true); }
Status run_first_contact_no_otk(Harness& h) { return first_contact(h, false); }

}  // namespace sotto::interop
