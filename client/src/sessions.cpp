// SPDX-License-Identifier: Apache-2.0
// Starting sessions from the server's prekey bundles (X3DH initiator side).
#include "client_impl.hpp"
#include "sotto/protocol/session_builder.hpp"

namespace sotto::client {

namespace {

Result<protocol::PreKeyBundle> to_bundle(const wire::DeviceBundle& device,
                                         const protocol::PublicKey& identity) {
  protocol::PreKeyBundle bundle;
  bundle.registration_id = device.registration_id;
  bundle.device_id = device.device_id;
  bundle.identity_key = identity;
  bundle.signed_prekey_id = device.signed_prekey.id;
  auto signed_prekey = protocol::PublicKey::deserialize(device.signed_prekey.public_key);
  if (!signed_prekey) return tl::unexpected(signed_prekey.error());
  bundle.signed_prekey = *signed_prekey;
  bundle.signed_prekey_signature = device.signed_prekey.signature;
  if (device.one_time_prekey) {
    auto prekey = protocol::PublicKey::deserialize(device.one_time_prekey->public_key);
    if (!prekey) return tl::unexpected(prekey.error());
    bundle.prekey_id = device.one_time_prekey->id;
    bundle.prekey = *prekey;
  }
  return bundle;
}

}  // namespace

Result<std::vector<std::uint32_t>> Client::Impl::fetch_sessions(const AccountId& peer,
                                                                std::uint32_t device,
                                                                const std::string& username,
                                                                const EventSink& sink) {
  auto response = call(wire::kOpKeysFetch, wire::encode(wire::KeysFetch{peer, device}));
  if (!response) return tl::unexpected(response.error());
  if (response->status == 404) {
    return fail(Errc::not_found, "the account of '" + username + "' no longer exists");
  }
  if (response->status != 200) {
    return fail(Errc::internal, "keys.fetch failed (" + std::to_string(response->status) + " " +
                                    response->message + ")");
  }
  auto result = wire::parse_keys_fetch_result(response->body);
  if (!result) return tl::unexpected(result.error());
  auto identity = protocol::PublicKey::deserialize(result->identity_key);
  if (!identity) return tl::unexpected(identity.error());

  // A different key than the one we know for this peer is an identity
  // change (the store refuses it when the old one was verified).
  auto known = store->identity_store().get_identity(address_of(peer, 1));
  if (!known) return tl::unexpected(known.error());
  if (*known && **known != *identity) {
    auto contact = store->find_contact(peer);
    const bool verified = contact && *contact && (*contact)->verified;
    if (sink) sink(IdentityChanged{username, peer, verified});
  }

  std::vector<std::uint32_t> devices;
  auto stores = store->session_stores();
  for (const auto& d : result->devices) {
    auto bundle = to_bundle(d, *identity);
    if (!bundle) return tl::unexpected(bundle.error());
    auto address = address_of(peer, d.device_id);
    auto processed = protocol::process_prekey_bundle(address, *bundle, stores, *rng);
    if (!processed) {
      if (processed.error().code == Errc::untrusted_identity) {
        return fail(Errc::untrusted_identity,
                    "the identity of '" + username + "' changed since you verified it. Compare "
                    "safety numbers with `sotto verify " + username + "`, then `sotto verify " +
                    username + " --mark` (or `--trust` to accept it unverified)");
      }
      return tl::unexpected(processed.error());
    }
    devices.push_back(d.device_id);
  }
  return devices;
}

}  // namespace sotto::client
