// SPDX-License-Identifier: Apache-2.0
// Usernames ↔ accounts. A username can be freed (account deleted) and taken
// by someone else, so a username that suddenly names another account is
// treated as an identity change (docs/client.md "Identity changes").
#include "client_impl.hpp"

namespace sotto::client {

namespace {

bool was_verified(ClientStore& store, const AccountId& account) {
  auto contact = store.find_contact(account);
  return contact && *contact && (*contact)->verified;
}

}  // namespace

Result<AccountId> Client::Impl::lookup(const std::string& username) {
  auto response = call(wire::kOpAccountLookup, wire::encode(wire::AccountLookup{username}));
  if (!response) return tl::unexpected(response.error());
  if (response->status == 404) return fail(Errc::not_found, "no user named '" + username + "'");
  if (response->status == 400) {
    return fail(Errc::bad_request, "'" + username + "' is not a valid username");
  }
  if (response->status != 200) {
    return fail(Errc::internal, "account.lookup failed (" + std::to_string(response->status) + ")");
  }
  auto result = wire::parse_account_lookup_result(response->body);
  if (!result) return tl::unexpected(result.error());
  return result->account_id;
}

Result<AccountId> Client::Impl::resolve(const std::string& username, bool accept_change,
                                        const EventSink& sink) {
  auto known = store->find_contact(username);
  if (!known) return tl::unexpected(known.error());
  auto current = lookup(username);
  if (!current) {
    // Offline: the stored contact is good enough to queue a message for.
    if (current.error().code == Errc::network_error && *known) return (*known)->account_id;
    return tl::unexpected(current.error());
  }
  if (*known && (*known)->account_id != *current) {
    const bool verified = (*known)->verified;
    if (sink) sink(IdentityChanged{username, *current, verified});
    if (verified && !accept_change) {
      return fail(Errc::untrusted_identity,
                  "'" + username + "' now belongs to a different account than the one you "
                  "verified. Compare safety numbers with `sotto verify " + username +
                  "`, then mark it with `sotto verify " + username + " --mark` (or accept it "
                  "unverified with `sotto verify " + username + " --trust`)");
    }
  }
  if (!*known || (*known)->account_id != *current) {
    SOTTO_TRY(store->save_contact(username, *current));
  }
  return *current;
}

std::string Client::Impl::name_for(const AccountId& peer, const std::string& claimed) {
  auto contact = store->find_contact(peer);
  if (contact && *contact) return (*contact)->username;
  if (claimed.empty()) return {};
  // Believe the claim only if the server maps that username to this peer.
  auto looked_up = lookup(claimed);
  if (!looked_up || *looked_up != peer) return {};
  auto existing = store->find_contact(claimed);
  // Do not silently re-point a verified contact: resolve() reports that.
  if (existing && *existing && (*existing)->account_id != peer &&
      was_verified(*store, (*existing)->account_id)) {
    return {};
  }
  if (!store->save_contact(claimed, peer)) return {};
  return claimed;
}

}  // namespace sotto::client
