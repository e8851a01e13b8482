// SPDX-License-Identifier: Apache-2.0
// Safety numbers and the user's trust decisions about identities.
#include "client_impl.hpp"
#include "sotto/protocol/fingerprint.hpp"

namespace sotto::client {

namespace {

// Signal's iteration count; the scannable version is 2 (16-byte account ids
// as the stable identifiers, like Signal's ACI-based numbers).
constexpr std::uint32_t kFingerprintIterations = 5200;
constexpr std::uint32_t kScannableVersion = 2;

}  // namespace

Result<protocol::PublicKey> Client::Impl::current_identity(const std::string& username,
                                                           const AccountId& peer,
                                                           const EventSink& sink) {
  auto identity = store->identity_store().get_identity(address_of(peer, 1));
  if (!identity) return tl::unexpected(identity.error());
  if (!*identity) {
    // No session yet: fetching the bundles stores the identity and prepares
    // the sessions the first message will use.
    auto fetched = fetch_sessions(peer, 0, username, sink);
    if (!fetched) return tl::unexpected(fetched.error());
    identity = store->identity_store().get_identity(address_of(peer, 1));
    if (!identity) return tl::unexpected(identity.error());
    if (!*identity) return fail(Errc::internal, "no identity stored after fetching keys");
  }
  return **identity;
}

Result<SafetyNumber> Client::safety_number(const std::string& username, const EventSink& sink) {
  auto& impl = *impl_;
  if (!impl.account) return fail(Errc::bad_request, "no account here yet: run `sotto register`");
  // The account the username names now (a remapped one is shown, not saved).
  auto account = impl.lookup(username);
  if (!account) return tl::unexpected(account.error());
  auto identity = impl.current_identity(username, *account, sink);
  if (!identity) return tl::unexpected(identity.error());
  auto fingerprint = protocol::compute_fingerprint(
      kScannableVersion, kFingerprintIterations, impl.account->account_id,
      impl.account->identity.public_key, *account, *identity);
  if (!fingerprint) return tl::unexpected(fingerprint.error());
  SafetyNumber out;
  out.username = username;
  out.digits = fingerprint->displayable;
  out.scannable = fingerprint->scannable;
  auto known = impl.store->find_contact(username);
  if (!known) return tl::unexpected(known.error());
  if (*known && (*known)->account_id == *account) {
    out.verified = (*known)->verified;
    out.identity_changed = (*known)->identity_changed;
  } else if (*known) {
    out.identity_changed = true;  // the username moved to another account
  }
  return out;
}

Status Client::mark_verified(const std::string& username, std::optional<Bytes> scanned,
                             const EventSink& sink) {
  auto& impl = *impl_;
  auto number = safety_number(username, sink);
  if (!number) return tl::unexpected(number.error());
  if (scanned) {
    auto same = protocol::compare_scannable(number->scannable, *scanned);
    if (!same) return tl::unexpected(same.error());
    if (!*same) {
      return fail(Errc::untrusted_identity,
                  "the scanned code does not match: this is not the safety number of '" +
                      username + "' as this device sees it");
    }
  }
  return impl.decide_trust(username, true, sink);
}

Status Client::trust_new_identity(const std::string& username, const EventSink& sink) {
  return impl_->decide_trust(username, false, sink);
}

Status Client::Impl::decide_trust(const std::string& username, bool verified,
                                  const EventSink& sink) {
  auto peer = lookup(username);
  if (!peer) return tl::unexpected(peer.error());
  auto identity = current_identity(username, *peer, sink);
  if (!identity) return tl::unexpected(identity.error());
  auto transaction = store->begin();
  if (!transaction) return tl::unexpected(transaction.error());
  // The username now points at the account whose identity the user accepted.
  SOTTO_TRY(store->save_contact(username, *peer));
  if (verified) {
    SOTTO_TRY(store->mark_verified(*peer, *identity));
  } else {
    SOTTO_TRY(store->accept_identity(*peer));
  }
  return transaction->commit();
}

}  // namespace sotto::client
