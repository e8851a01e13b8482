// SPDX-License-Identifier: Apache-2.0
#include "party.hpp"

#include <key_helper.h>
#include <ratchet.h>

#include "sg_errors.hpp"
#include "signal_c_handles.hpp"

namespace sotto::peer_c {

Party::Party(Address self, std::unique_ptr<Context> context)
    : self_(std::move(self)), context_(std::move(context)) {}

Party::~Party() {
  // The store context refers to the library context: it goes first.
  if (store_ != nullptr) signal_protocol_store_context_destroy(store_);
}

Result<std::unique_ptr<Party>> Party::create(
    Address self, std::uint32_t registration_id,
    const std::optional<std::array<std::uint8_t, 32>>& seed) {
  auto context = Context::create(seed ? make_seeded_random(*seed) : make_os_random());
  if (!context) return fail(Errc::internal, "cannot create a libsignal-protocol-c context");
  std::unique_ptr<Party> party(new Party(std::move(self), std::move(context)));

  int rc = signal_protocol_store_context_create(&party->store_, party->ctx());
  if (rc < 0) {
    party->store_ = nullptr;
    return tl::unexpected(library_error(rc, "store context"));
  }
  rc = install_memory_stores(party->store_, &party->data_);
  if (rc < 0) return tl::unexpected(library_error(rc, "installing stores"));

  Ref<ratchet_identity_key_pair> identity;
  rc = signal_protocol_key_helper_generate_identity_key_pair(identity.out(), party->ctx());
  if (rc < 0) return tl::unexpected(library_error(rc, "generating the identity key pair"));
  Buffer pub;
  Buffer priv;
  rc = ec_public_key_serialize(pub.out(), ratchet_identity_key_pair_get_public(identity.get()));
  if (rc >= 0)
    rc =
        ec_private_key_serialize(priv.out(), ratchet_identity_key_pair_get_private(identity.get()));
  if (rc < 0) return tl::unexpected(library_error(rc, "serializing the identity key pair"));
  party->data_.identity_public.assign(pub.data(), pub.data() + pub.size());
  party->data_.identity_private.assign(priv.data(), priv.data() + priv.size());
  party->data_.registration_id = registration_id;
  return party;
}

}  // namespace sotto::peer_c
