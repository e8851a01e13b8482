// SPDX-License-Identifier: Apache-2.0
// Shared pieces of the client store tests: a temporary directory, accounts
// with deterministic keys, and a protocol party whose state is a ClientStore.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "sotto/client/store.hpp"
#include "sotto/crypto/rng.hpp"
#include "sotto/protocol/prekeys.hpp"
#include "sotto/protocol/session_cipher.hpp"

namespace sotto::client::testing {

// A fresh directory, removed with everything in it at the end of the test.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

AccountId account_id(std::uint8_t n);
// An account with keys drawn from `rng`.
LocalAccount make_account(const std::string& username, std::uint8_t id, crypto::Rng& rng);

// Opens `path` and fails the test (returning nullptr) when it cannot.
std::unique_ptr<ClientStore> open_store(const std::string& path);

// One device whose whole protocol state lives in a ClientStore file.
struct StoreParty {
  // `seed` (default: `id`) draws the keys: the same id with another seed is
  // the same account after a reinstall.
  StoreParty(const TempDir& dir, const std::string& username, std::uint8_t id,
             std::uint64_t seed = 0);

  // Closes the database and opens it again, as a restarted client would.
  void reopen();
  // Stores a new signed prekey (and one-time prekey) and returns the bundle.
  protocol::PreKeyBundle make_bundle(std::uint32_t signed_id,
                                     std::optional<std::uint32_t> one_time_id);

  std::string path;
  std::unique_ptr<crypto::DeterministicRng> rng;
  LocalAccount account;
  protocol::ProtocolAddress address;
  std::unique_ptr<ClientStore> store;
};

// One message from `from` to `to` through their stores.
protocol::CiphertextMessage encrypt_to(StoreParty& from, StoreParty& to, const std::string& text);
Result<Bytes> decrypt_from(StoreParty& to, StoreParty& from, const protocol::CiphertextMessage& m);

}  // namespace sotto::client::testing
