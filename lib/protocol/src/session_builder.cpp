// SPDX-License-Identifier: Apache-2.0
#include "sotto/protocol/session_builder.hpp"

#include "x3dh.hpp"

namespace sotto::protocol {

Status process_prekey_bundle(const ProtocolAddress& remote, const PreKeyBundle& bundle,
                             SessionStores& stores, crypto::Rng& rng) {
  auto trusted = stores.identity.is_trusted_identity(remote, bundle.identity_key, Direction::sending);
  if (!trusted) return tl::unexpected(trusted.error());
  if (!*trusted) return fail(Errc::untrusted_identity, "identity key of " + remote.name + " changed");

  // Without this check a server could substitute its own signed prekey and
  // sit in the middle of the session.
  auto spk = bundle.signed_prekey.serialize();
  if (!bundle.identity_key.verify_signature(spk, bundle.signed_prekey_signature)) {
    return fail(Errc::invalid_signature, "signed prekey signature does not verify");
  }

  auto base_key = KeyPair::generate(rng);
  std::optional<PublicKey> one_time;
  if (bundle.prekey_id && bundle.prekey) one_time = bundle.prekey;
  const auto& identity = stores.identity.identity_key_pair();
  auto state = detail::initialize_alice(
      {identity, base_key, bundle.identity_key, bundle.signed_prekey, one_time}, rng);
  if (!state) return tl::unexpected(state.error());

  state->pending_prekey = PendingPreKey{one_time ? bundle.prekey_id : std::nullopt,
                                        bundle.signed_prekey_id, base_key.public_key};
  state->local_registration_id = stores.identity.local_registration_id();
  state->remote_registration_id = bundle.registration_id;

  auto record = stores.sessions.load_session(remote);
  if (!record) return tl::unexpected(record.error());
  SessionRecord updated = *record ? std::move(**record) : SessionRecord{};
  updated.promote_new_state(std::move(*state));
  SOTTO_TRY(stores.sessions.store_session(remote, std::move(updated)));
  auto saved = stores.identity.save_identity(remote, bundle.identity_key);
  if (!saved) return tl::unexpected(saved.error());
  return ok();
}

}  // namespace sotto::protocol
