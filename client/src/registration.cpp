// SPDX-License-Identifier: Apache-2.0
// Creating the account: keys are made and stored locally first, then the
// server is asked to create the account, then the account id is saved.
#include "client_impl.hpp"
#include "sotto/protocol/records.hpp"

namespace sotto::client {

namespace {

// Registration ids are 14-bit and never 0 in Signal's clients.
std::uint32_t make_registration_id(crypto::Rng& rng) { return 1 + rng.next_u32() % 16380; }

wire::SignedKey signed_key_body(const protocol::SignedPreKeyRecord& record) {
  auto pub = record.key_pair.public_key.serialize();
  return wire::SignedKey{record.id, Bytes(pub.begin(), pub.end()),
                         Bytes(record.signature.begin(), record.signature.end())};
}

}  // namespace

Status Client::register_account(const ServerEndpoint& server, const std::string& username) {
  auto& impl = *impl_;
  if (impl.account) {
    return fail(Errc::already_exists, "this data folder already has the account '" +
                                          impl.account->username + "'");
  }
  LocalAccount account;
  account.username = username;
  account.identity = protocol::IdentityKeyPair::generate(*impl.rng);
  auto device = crypto::ed25519_generate(*impl.rng);
  account.device_seed = std::move(device.seed);
  account.registration_id = make_registration_id(*impl.rng);
  account.server_host = server.host;
  account.server_port = server.port;
  account.server_pin = server.pin;

  auto link = ServerLink::connect(server, impl.options.network_timeout);
  if (!link) return tl::unexpected(link.error());

  auto signed_prekey =
      protocol::generate_signed_prekey(account.next_signed_prekey_id++, account.identity,
                                       impl.now(), *impl.rng);
  wire::AccountCreate create;
  create.username = username;
  create.device_key = device.public_key;
  auto identity_pub = account.identity.public_key.serialize();
  create.identity_key = Bytes(identity_pub.begin(), identity_pub.end());
  create.registration_id = account.registration_id;
  create.signed_prekey = signed_key_body(signed_prekey);

  // The keys go into the database inside one transaction that commits only
  // once the server has created the account, so a failed registration leaves
  // nothing behind here.
  auto transaction = impl.store->begin();
  if (!transaction) return tl::unexpected(transaction.error());
  impl.account = std::move(account);
  auto undo = [&impl](Error e) -> Status {
    impl.account.reset();
    return tl::unexpected(std::move(e));
  };
  auto stored = impl.store->save_account(*impl.account);
  if (!stored) return undo(stored.error());
  stored = impl.store->signed_prekey_store().store_signed_prekey(signed_prekey.clone());
  if (!stored) return undo(stored.error());
  auto prekeys = impl.make_prekeys(impl.options.prekey_batch);
  if (!prekeys) return undo(prekeys.error());
  for (const auto& k : *prekeys) {
    auto pub = k.key_pair.public_key.serialize();
    create.one_time_prekeys.push_back({k.id, Bytes(pub.begin(), pub.end())});
  }

  auto response = (*link)->call(wire::kOpAccountCreate, wire::encode(create),
                                impl.options.network_timeout);
  if (!response) return undo(response.error());
  if (response->status == 409) {
    return undo(Error{Errc::already_exists, "the username '" + username + "' is taken"});
  }
  if (response->status == 400) {
    return undo(Error{Errc::bad_request, "the server refused the username: " + response->message});
  }
  if (response->status != 200) {
    return undo(Error{Errc::internal, "account.create failed (" + std::to_string(response->status) +
                                          " " + response->message + ")"});
  }
  auto created = wire::parse_account_created(response->body);
  if (!created) return undo(created.error());
  impl.account->account_id = created->account_id;
  impl.account->device_id = created->device_id;
  stored = impl.store->save_account(*impl.account);
  if (!stored) return undo(stored.error());
  stored = transaction->commit();
  if (!stored) return undo(stored.error());
  (*link)->close();
  return ok();
}

}  // namespace sotto::client
