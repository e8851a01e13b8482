// SPDX-License-Identifier: Apache-2.0
// Re-installation: a peer comes back with a new identity key. Whichever side
// initiates, the party that knew the old identity must refuse with
// untrusted_identity (and keep the old identity stored) until the user
// accepts the new one with identity.trust; then the conversation resumes.
#include "conversation.hpp"
#include "scenarios.hpp"

namespace sotto::interop {
namespace {

// Alice, who knew bob's previous identity, starts a session to the new bob.
Status alice_initiates(Harness& h, const Party& alice, const Party& bob,
                       const std::string& old_identity) {
  h.step("re-installed bob publishes a bundle");
  INTEROP_ASSIGN(json bundle, h.bundle(bob, 1, 1));
  h.step("alice starts a session to re-installed bob: untrusted_identity");
  INTEROP_ASSIGN(json r, h.send(*alice.driver, h.from_bundle_request(alice, bob, bundle)));
  if (r["ok"].get<bool>()) {
    // Some libraries only refuse at encryption time; the contract allows either.
    h.step("alice encrypts to re-installed bob: untrusted_identity");
    json req = {{"op", "encrypt"}, {"party", alice.key}, {"peer", bob.address}, {"plaintext", ""}};
    SOTTO_TRY(h.expect_error(*alice.driver, req, {"untrusted_identity"}));
  } else if (r["error"]["code"] != "untrusted_identity") {
    return h.mismatch(*alice.driver, "expected untrusted_identity",
                      h.from_bundle_request(alice, bob, bundle), r);
  }
  SOTTO_TRY(h.expect_stored_identity(alice, bob, old_identity));

  h.step("alice trusts bob's new identity");
  SOTTO_TRY(h.expect_ok(*alice.driver, {{"op", "identity.trust"},
                                        {"party", alice.key},
                                        {"peer", bob.address},
                                        {"identity_key", bob.identity_key}}));
  h.step("alice starts a session to re-installed bob after trusting");
  SOTTO_TRY(h.from_bundle(alice, bob, bundle));
  INTEROP_ASSIGN(Envelope first, send(h, alice, bob));
  SOTTO_TRY(h.expect_type(first, "prekey"));
  SOTTO_TRY(h.deliver(bob, first));
  h.step("conversation resumes with re-installed bob");
  SOTTO_TRY(chat(h, bob, alice, 3));
  SOTTO_TRY(h.expect_stored_identity(alice, bob, bob.identity_key));
  return ok();
}

// The new bob starts a session to alice, who knew a previous identity.
Status bob_initiates(Harness& h, const Party& alice, const Party& bob,
                     const std::string& old_identity) {
  h.step("alice publishes a bundle");
  INTEROP_ASSIGN(json bundle, h.bundle(alice, 41, 42));
  h.step("re-installed bob starts a session to alice");
  SOTTO_TRY(h.from_bundle(bob, alice, bundle));
  INTEROP_ASSIGN(Envelope first, send(h, bob, alice));
  SOTTO_TRY(h.expect_type(first, "prekey"));
  h.step("alice decrypts re-installed bob's first message: untrusted_identity");
  SOTTO_TRY(h.reject(alice, first, {"untrusted_identity"}));
  SOTTO_TRY(h.expect_stored_identity(alice, bob, old_identity));

  h.step("alice trusts bob's new identity");
  SOTTO_TRY(h.expect_ok(*alice.driver, {{"op", "identity.trust"},
                                        {"party", alice.key},
                                        {"peer", bob.address},
                                        {"identity_key", bob.identity_key}}));
  h.step("the refused first message decrypts when delivered again");
  SOTTO_TRY(h.deliver(alice, first));
  SOTTO_TRY(h.expect_stored_identity(alice, bob, bob.identity_key));
  h.step("conversation resumes with re-installed bob");
  SOTTO_TRY(chat(h, alice, bob, 3));
  return ok();
}

}  // namespace

Status run_reinstall(Harness& h) {
  h.step("create parties");
  INTEROP_ASSIGN(Party alice, h.new_party(h.a(), "alice"));
  INTEROP_ASSIGN(Party bob, h.new_party(h.b(), "bob"));
  SOTTO_TRY(establish(h, alice, bob, 1, 1));
  SOTTO_TRY(chat(h, alice, bob, 2));

  h.step("bob re-installs");
  std::string old_identity = bob.identity_key;
  SOTTO_TRY(h.reinstall(bob));
  SOTTO_TRY(alice_initiates(h, alice, bob, old_identity));

  h.step("bob re-installs again");
  old_identity = bob.identity_key;
  SOTTO_TRY(h.reinstall(bob));
  SOTTO_TRY(bob_initiates(h, alice, bob, old_identity));
  return ok();
}

}  // namespace sotto::interop
