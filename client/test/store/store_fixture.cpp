// SPDX-License-Identifier: Apache-2.0
#include "store_fixture.hpp"

#include <stdlib.h>

#include <stdexcept>
#include <system_error>

#include "sotto/protocol/session_builder.hpp"
#include "sotto/testing/test_party.hpp"

namespace sotto::client::testing {

TempDir::TempDir() {
  auto base = std::filesystem::temp_directory_path() / "sotto-client-store-XXXXXX";
  std::string pattern = base.string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

AccountId account_id(std::uint8_t n) {
  AccountId id{};
  id.fill(0xA0);
  id[15] = n;
  return id;
}

LocalAccount make_account(const std::string& username, std::uint8_t id, crypto::Rng& rng) {
  LocalAccount account;
  account.username = username;
  account.account_id = account_id(id);
  account.device_id = 1;
  rng.fill(account.device_seed.mutable_bytes());
  account.identity = protocol::IdentityKeyPair::generate(rng);
  account.registration_id = 1000u + id;
  account.server_host = "localhost";
  account.server_port = 8443;
  account.server_pin.fill(0x5A);
  return account;
}

std::unique_ptr<ClientStore> open_store(const std::string& path) {
  auto store = ClientStore::open(path);
  EXPECT_TRUE(store.has_value()) << store.error().message;
  return store ? std::move(*store) : nullptr;
}

StoreParty::StoreParty(const TempDir& dir, const std::string& username, std::uint8_t id,
                       std::uint64_t seed)
    : path(dir.file(username + ".db")),
      rng(sotto::testing::seeded_rng(seed != 0 ? seed : id)),
      account(make_account(username, id, *rng)),
      address{address_name(account.account_id), account.device_id},
      store(open_store(path)) {
  EXPECT_TRUE(store->save_account(account).has_value());
}

void StoreParty::reopen() {
  store.reset();
  store = open_store(path);
  ASSERT_NE(store, nullptr);
  auto loaded = store->load_account();
  ASSERT_TRUE(loaded.has_value() && loaded->has_value());
}

protocol::PreKeyBundle StoreParty::make_bundle(std::uint32_t signed_id,
                                               std::optional<std::uint32_t> one_time_id) {
  auto signed_prekey = protocol::generate_signed_prekey(signed_id, account.identity, 0, *rng);
  protocol::PreKeyBundle bundle;
  bundle.registration_id = account.registration_id;
  bundle.device_id = account.device_id;
  bundle.identity_key = account.identity.public_key;
  bundle.signed_prekey_id = signed_id;
  bundle.signed_prekey = signed_prekey.key_pair.public_key;
  bundle.signed_prekey_signature.assign(signed_prekey.signature.begin(),
                                        signed_prekey.signature.end());
  EXPECT_TRUE(store->signed_prekey_store().store_signed_prekey(std::move(signed_prekey)));
  if (one_time_id) {
    auto prekey = protocol::generate_prekey(*one_time_id, *rng);
    bundle.prekey_id = one_time_id;
    bundle.prekey = prekey.key_pair.public_key;
    EXPECT_TRUE(store->prekey_store().store_prekey(std::move(prekey)));
  }
  return bundle;
}

protocol::CiphertextMessage encrypt_to(StoreParty& from, StoreParty& to, const std::string& text) {
  auto stores = from.store->session_stores();
  auto message = protocol::encrypt(to.address, to_bytes(text), stores, *from.rng);
  EXPECT_TRUE(message.has_value()) << message.error().message;
  return message ? std::move(*message) : protocol::CiphertextMessage{};
}

Result<Bytes> decrypt_from(StoreParty& to, StoreParty& from, const protocol::CiphertextMessage& m) {
  auto stores = to.store->session_stores();
  if (m.type == protocol::MessageType::prekey) {
    return protocol::decrypt_prekey_message(from.address, m.serialized, stores, *to.rng);
  }
  return protocol::decrypt_signal_message(from.address, m.serialized, stores, *to.rng);
}

}  // namespace sotto::client::testing
