// SPDX-License-Identifier: Apache-2.0
// Backends and builders for the storage conformance suite. Every typed test
// runs once per backend: the in-memory store and the SQLite store (in a fresh
// temporary directory, removed afterwards).
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "sotto/storage/sqlite/sqlite_storage.hpp"
#include "sotto/storage/storage.hpp"

namespace sotto::storage::testing {

// A fresh directory under the system temp dir, removed with its contents.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

AccountId account_id(std::uint32_t n);
Guid guid(std::uint32_t n);
Bytes filled(std::size_t size, std::uint8_t value);
// A valid device: a 32-byte key derived from the id, registration id 1000+id.
Device make_device(const AccountId& account, DeviceId id, std::int64_t created_ms = 1'000);
NewEnvelope make_envelope(const AccountId& account, DeviceId device, std::uint32_t n,
                          std::size_t size = 16, std::int64_t expires_ms = 1'000'000);

sqlite::Options options_for(const std::filesystem::path& file, MailboxLimits limits = {});
// Opens a store and asserts it opened.
std::unique_ptr<sqlite::SqliteStorage> open_sqlite(const std::filesystem::path& file,
                                                   MailboxLimits limits = {});

// ctest names show the backend type: Suite.Test<...::MemoryBackend>.
struct MemoryBackend {
  std::unique_ptr<Storage> open(const MailboxLimits& limits) { return make_memory_storage(limits); }
};

struct SqliteBackend {
  std::unique_ptr<Storage> open(const MailboxLimits& limits) {
    return open_sqlite(dir.path() / "server.db", limits);
  }
  TempDir dir;
};

using AllBackends = ::testing::Types<MemoryBackend, SqliteBackend>;
// Backends whose data outlives the Storage object.
using PersistentBackends = ::testing::Types<SqliteBackend>;

template <class Backend>
class StorageTest : public ::testing::Test {
 protected:
  void SetUp() override { reopen(); }

  // Closes the store (if open) and opens it again on the same backend.
  void reopen(MailboxLimits limits = {}) {
    store_.reset();
    store_ = backend_.open(limits);
    ASSERT_NE(store_, nullptr);
  }

  AccountStore& accounts() { return store_->accounts(); }
  DeviceStore& devices() { return store_->devices(); }
  KeyStore& keys() { return store_->keys(); }
  MailboxStore& mailbox() { return store_->mailbox(); }

  // An account `name` with id account_id(n) and device 1.
  AccountId add_account(std::uint32_t n, const std::string& name) {
    AccountId id = account_id(n);
    EXPECT_TRUE(accounts().create_account({id, name, filled(33, 5), 100}));
    EXPECT_TRUE(devices().add_device(make_device(id, 1)));
    return id;
  }

  // Enqueues one envelope and returns its per-item status.
  Status put(const NewEnvelope& env) {
    auto r = mailbox().enqueue({env});
    if (!r) return tl::unexpected(r.error());
    EXPECT_EQ(r->size(), 1u);
    if (!r->at(0)) return tl::unexpected(r->at(0).error());
    return ok();
  }

  Backend backend_;  // first: outlives the store (the SQLite file lives in it)
  std::unique_ptr<Storage> store_;
};

}  // namespace sotto::storage::testing

// Asserts on a Result/Status, printing the error.
#define ASSERT_OK(expr)                                                               \
  do {                                                                                \
    const auto& sotto_r_ = (expr);                                                    \
    ASSERT_TRUE(sotto_r_) << ::sotto::errc_name(sotto_r_.error().code) << ": "        \
                          << sotto_r_.error().message;                                \
  } while (false)
#define EXPECT_ERRC(expr, errc)                                                     \
  do {                                                                              \
    const auto& sotto_r_ = (expr);                                                  \
    if (sotto_r_) {                                                                 \
      ADD_FAILURE() << #expr " succeeded, expected " << ::sotto::errc_name(errc);   \
    } else {                                                                        \
      EXPECT_EQ(sotto_r_.error().code, errc)                                        \
          << ::sotto::errc_name(sotto_r_.error().code) << ": " << sotto_r_.error().message; \
    }                                                                               \
  } while (false)
