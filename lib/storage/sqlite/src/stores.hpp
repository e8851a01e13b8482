// SPDX-License-Identifier: Apache-2.0
// The four SQLite stores. Each is a thin facade over the shared Core: reads go
// to the reader pool, writes are jobs for the group-commit writer.
#pragma once

#include "checkpointer.hpp"
#include "device_cache.hpp"
#include "reader_pool.hpp"
#include "sotto/storage/sqlite/sqlite_storage.hpp"
#include "sotto/storage/storage.hpp"
#include "writer.hpp"

namespace sotto::storage::sqlite {

struct Core {
  Core(const Options& o, std::unique_ptr<Database> writer_db,
       std::unique_ptr<Database> checkpoint_db)
      : limits(o.limits),
        checkpointer(std::move(checkpoint_db), o.wal_checkpoint_pages),
        writer(watched(checkpointer, std::move(writer_db)), [this] { checkpointer.refuse(); }),
        readers(o.path, o.max_readers) {}

  static std::unique_ptr<Database> watched(Checkpointer& c, std::unique_ptr<Database> db) {
    c.watch(*db);
    return db;
  }

  MailboxLimits limits;
  Checkpointer checkpointer;  // before the writer: outlives the writer's last commit
  Writer writer;
  ReaderPool readers;
  DeviceCache device_lists{kCachedDeviceLists};

  // About 100 bytes a device: a few MiB at most.
  static constexpr std::size_t kCachedDeviceLists = 65536;
};

// Whether (account, device) exists, read on `db`.
Result<bool> device_exists(Database& db, const AccountId& account, DeviceId device);
// Saturates: SQLite integers are signed 64-bit.
std::int64_t to_sql_int(std::uint64_t value);

// Statements shared by several stores; each runs inside the caller's writer
// job, so a multi-step operation (account.create, keys.upload) is one
// savepoint of one transaction: a failure at any step undoes every step.
Status insert_account(Database& db, const Account& account);
// REQUIRES: check_device(device) passed.
Status insert_device(Database& db, const Device& device);
Status check_device(const Device& device);
// Stores `keys` on an existing device; bad_request (after writing part of
// it: the caller's savepoint undoes that) if a key id repeats within a list.
Status put_keys(Database& db, const AccountId& account, DeviceId device, const KeyUpload& keys);

class Accounts final : public AccountStore {
 public:
  explicit Accounts(Core& c) : c_(c) {}
  Status create_account(const Account& account) override;
  Status register_account(const Account& account, const Device& device,
                          const KeyUpload& keys) override;
  Result<Account> lookup_username(std::string_view username) override;
  Result<Account> get_account(const AccountId& id) override;
  Status delete_account(const AccountId& id) override;

 private:
  Core& c_;
};

class Devices final : public DeviceStore {
 public:
  explicit Devices(Core& c) : c_(c) {}
  Status add_device(const Device& device) override;
  Result<std::vector<Device>> list_devices(const AccountId& account) override;
  Result<Device> get_device(const AccountId& account, DeviceId device) override;
  Status remove_device(const AccountId& account, DeviceId device) override;
  Status touch_last_seen(const AccountId& account, DeviceId device, std::int64_t now_ms) override;

 private:
  Result<std::vector<Device>> read_device_list(const AccountId& account);

  Core& c_;
};

class Keys final : public KeyStore {
 public:
  explicit Keys(Core& c) : c_(c) {}
  Status set_signed_prekey(const AccountId& account, DeviceId device,
                           const SignedPreKey& key) override;
  Status set_kyber_last_resort(const AccountId& account, DeviceId device,
                               const KyberPreKey& key) override;
  Status add_one_time_prekeys(const AccountId& account, DeviceId device,
                              std::span<const OneTimePreKey> keys) override;
  Status add_kyber_prekeys(const AccountId& account, DeviceId device,
                           std::span<const KyberPreKey> keys) override;
  Status upload_keys(const AccountId& account, DeviceId device, const KeyUpload& keys) override;
  Result<PreKeyCounts> count_prekeys(const AccountId& account, DeviceId device) override;
  Result<PreKeyBundle> take_bundle(const AccountId& account, DeviceId device) override;

 private:
  Core& c_;
};

class Mailbox final : public MailboxStore {
 public:
  explicit Mailbox(Core& c) : c_(c) {}
  void enqueue_async(std::vector<NewEnvelope> batch, EnqueueCallback done) override;
  void ack_many_async(const AccountId& account, DeviceId device, std::vector<Guid> guids,
                      AckCallback done) override;
  Result<std::vector<StoredEnvelope>> fetch(const AccountId& account, DeviceId device,
                                            std::uint64_t after_seq, std::size_t limit) override;
  Result<std::uint64_t> count(const AccountId& account, DeviceId device) override;
  using MailboxStore::expire;
  Result<std::vector<ExpiredEnvelope>> expire(std::int64_t now_ms, std::size_t limit,
                                              const ExpiryNotice& notice) override;

 private:
  Core& c_;
};

}  // namespace sotto::storage::sqlite
