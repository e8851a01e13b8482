// SPDX-License-Identifier: Apache-2.0
// The in-memory store: one state object behind one mutex, shared by the four
// store facades, so cascades and cross-store checks are trivially atomic.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "sotto/storage/storage.hpp"

namespace sotto::storage::memory {

struct DeviceState {
  Device info;
  std::optional<SignedPreKey> signed_prekey;
  std::optional<KyberPreKey> kyber_last_resort;
  std::map<std::uint32_t, OneTimePreKey> one_time;  // ordered: lowest id goes first
  std::map<std::uint32_t, KyberPreKey> kyber;
  std::map<std::uint64_t, StoredEnvelope> queue;  // by seq
  std::uint64_t queue_bytes = 0;
};

struct AccountState {
  Account info;
  std::map<DeviceId, DeviceState> devices;
};

struct GuidLocation {
  AccountId account{};
  DeviceId device = 0;
  std::uint64_t seq = 0;
};

struct State {
  explicit State(MailboxLimits l) : limits(l) {}

  std::mutex mu;
  MailboxLimits limits;
  std::map<AccountId, AccountState> accounts;
  std::map<std::string, AccountId> by_username;  // folded
  std::map<Guid, GuidLocation> guids;            // every queued envelope
  std::uint64_t next_seq = 1;

  // REQUIRES: mu held. Null if absent.
  DeviceState* find_device(const AccountId& account, DeviceId device);
  // REQUIRES: mu held. Forgets the guids of the device's queue.
  void drop_queue(DeviceState& device);
};

// bad_request if a key id appears twice in one list of `keys`.
Status check_upload(const KeyUpload& keys);
// Stores `keys` on the device. REQUIRES: mu held, check_upload(keys) passed.
void apply_upload(DeviceState& device, const KeyUpload& keys);
// The checks add_device makes before it touches the state.
Status check_device(const Device& device);

class Accounts final : public AccountStore {
 public:
  explicit Accounts(State& s) : s_(s) {}
  Status create_account(const Account& account) override;
  Status register_account(const Account& account, const Device& device,
                          const KeyUpload& keys) override;
  Result<Account> lookup_username(std::string_view username) override;
  Result<Account> get_account(const AccountId& id) override;
  Status delete_account(const AccountId& id) override;

 private:
  State& s_;
};

class Devices final : public DeviceStore {
 public:
  explicit Devices(State& s) : s_(s) {}
  Status add_device(const Device& device) override;
  Result<std::vector<Device>> list_devices(const AccountId& account) override;
  Result<Device> get_device(const AccountId& account, DeviceId device) override;
  Status remove_device(const AccountId& account, DeviceId device) override;
  Status touch_last_seen(const AccountId& account, DeviceId device, std::int64_t now_ms) override;

 private:
  State& s_;
};

class Keys final : public KeyStore {
 public:
  explicit Keys(State& s) : s_(s) {}
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
  State& s_;
};

class Mailbox final : public MailboxStore {
 public:
  explicit Mailbox(State& s) : s_(s) {}
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
  Result<EnqueueResults> enqueue_locked(std::vector<NewEnvelope>& batch);
  Status ack_locked(const AccountId& account, DeviceId device, const Guid& guid);

  State& s_;
  // Held from taking seqs until enqueue_async's callback has returned, so
  // callbacks run in seq order (the MailboxStore contract).
  std::mutex enqueue_order_mu_;
};

}  // namespace sotto::storage::memory
