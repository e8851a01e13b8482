// SPDX-License-Identifier: Apache-2.0
// Opening the client, the connection to the server, and account deletion.
#include <chrono>

#include "client_impl.hpp"

namespace sotto::client {

protocol::ProtocolAddress address_of(const AccountId& account, std::uint32_t device) {
  return protocol::ProtocolAddress{address_name(account), device};
}

Client::Client(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Client::~Client() = default;

Result<std::unique_ptr<Client>> Client::open(const std::string& database_path,
                                             ClientOptions options) {
  auto impl = std::make_unique<Impl>();
  auto store = ClientStore::open(database_path);
  if (!store) return tl::unexpected(store.error());
  impl->store = std::move(*store);
  if (!options.now_ms) {
    options.now_ms = [] {
      return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                            std::chrono::system_clock::now().time_since_epoch())
                                            .count());
    };
  }
  impl->rng = options.rng != nullptr ? options.rng : &crypto::os_rng();
  impl->options = std::move(options);
  auto account = impl->store->load_account();
  if (!account) return tl::unexpected(account.error());
  impl->account = std::move(*account);
  return std::unique_ptr<Client>(new Client(std::move(impl)));
}

bool Client::registered() const { return impl_->account.has_value(); }

const LocalAccount& Client::account() const { return *impl_->account; }

Status Client::connect() { return impl_->ensure_connected(); }

void Client::disconnect() {
  if (impl_->link) impl_->link->close();
  impl_->link.reset();
}

Status Client::Impl::ensure_connected() {
  if (!account) return fail(Errc::bad_request, "no account here yet: run `sotto register` first");
  if (link && link->is_open()) return ok();
  link.reset();
  backlog_done = false;
  ServerEndpoint endpoint{account->server_host, account->server_port, account->server_pin};
  auto connected = ServerLink::connect(endpoint, options.network_timeout);
  if (!connected) return tl::unexpected(connected.error());
  SOTTO_TRY((*connected)->login(account->account_id, account->device_id, account->device_seed));
  link = std::move(*connected);
  // The server pushes keys.low only to connected devices; one that was away
  // checks its stock itself.
  auto status = call(wire::kOpKeysStatus, {});
  if (!status) return tl::unexpected(status.error());
  if (status->status == 200) {
    auto counts = wire::parse_key_counts(status->body);
    if (counts && counts->ec < kLowPreKeyStock) SOTTO_TRY(refill_prekeys());
  }
  return ok();
}

Result<wire::Response> Client::Impl::call(std::string_view op, Bytes body) {
  SOTTO_TRY(ensure_connected());
  auto response = link->call(op, std::move(body), options.network_timeout);
  if (!response) {
    link.reset();
    return tl::unexpected(response.error());
  }
  if (response->status == 429) {
    return fail(Errc::rate_limited, "the server asks to slow down (" + response->message + ")");
  }
  return response;
}

Result<std::vector<Contact>> Client::contacts() { return impl_->store->list_contacts(); }

Result<std::vector<StoredMessage>> Client::history(const std::optional<std::string>& username,
                                                   std::size_t limit) {
  std::optional<AccountId> peer;
  if (username) {
    auto contact = impl_->store->find_contact(*username);
    if (!contact) return tl::unexpected(contact.error());
    if (!*contact) return fail(Errc::not_found, "no contact named '" + *username + "'");
    peer = (*contact)->account_id;
  }
  return impl_->store->list_messages(peer, limit);
}

Status Client::delete_account() {
  auto response = impl_->call(wire::kOpAccountDelete, {});
  if (!response) return tl::unexpected(response.error());
  if (response->status != 200) {
    return fail(Errc::internal, "the server refused to delete the account (" +
                                    std::to_string(response->status) + " " + response->message +
                                    ")");
  }
  disconnect();
  SOTTO_TRY(impl_->store->wipe());
  impl_->account.reset();
  return ok();
}

}  // namespace sotto::client
