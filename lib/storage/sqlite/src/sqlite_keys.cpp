// SPDX-License-Identifier: Apache-2.0
#include <set>

#include "stores.hpp"

namespace sotto::storage::sqlite {

namespace {

constexpr const char* kNoDevice = "no such device";

Status require_device(Database& db, const AccountId& account, DeviceId device) {
  auto exists = device_exists(db, account, device);
  if (!exists) return tl::unexpected(exists.error());
  if (!*exists) return fail(Errc::not_found, kNoDevice);
  return ok();
}

// Upserts one signed key row with `sql`, one of the kPut* statements below.
Status put_signed(Database& db, const char* sql, const AccountId& account, DeviceId device,
                  std::uint32_t id, const Bytes& public_key, const Bytes& signature) {
  auto q = db.query(sql);
  if (!q) return tl::unexpected(q.error());
  q->bind(1, account)
      .bind(2, std::int64_t{device})
      .bind(3, std::int64_t{id})
      .bind(4, ByteView(public_key))
      .bind(5, ByteView(signature));
  return q->run();
}

constexpr const char* kPutSignedPreKey =
    "INSERT OR REPLACE INTO signed_prekeys(account_id, device_id, key_id, public_key, signature) "
    "VALUES(?1, ?2, ?3, ?4, ?5)";
constexpr const char* kPutLastResort =
    "INSERT OR REPLACE INTO kyber_last_resort_keys(account_id, device_id, key_id, public_key, "
    "signature) VALUES(?1, ?2, ?3, ?4, ?5)";
constexpr const char* kPutKyber =
    "INSERT OR REPLACE INTO kyber_prekeys(account_id, device_id, key_id, public_key, signature) "
    "VALUES(?1, ?2, ?3, ?4, ?5)";

// Deletes and returns the device's lowest-id key of a one-time table. The
// writer thread is the only writer, so select-then-delete cannot race; the
// DELETE ... RETURNING still keeps it one statement.
constexpr const char* kTakeOneTime =
    "DELETE FROM one_time_prekeys WHERE account_id = ?1 AND device_id = ?2 AND key_id = "
    "(SELECT min(key_id) FROM one_time_prekeys WHERE account_id = ?1 AND device_id = ?2) "
    "RETURNING key_id, public_key";
constexpr const char* kTakeKyber =
    "DELETE FROM kyber_prekeys WHERE account_id = ?1 AND device_id = ?2 AND key_id = "
    "(SELECT min(key_id) FROM kyber_prekeys WHERE account_id = ?1 AND device_id = ?2) "
    "RETURNING key_id, public_key, signature";

Status put_one_time(Database& db, const AccountId& account, DeviceId device,
                    const OneTimePreKey& key) {
  auto q = db.query(
      "INSERT OR REPLACE INTO one_time_prekeys(account_id, device_id, key_id, public_key) "
      "VALUES(?1, ?2, ?3, ?4)");
  if (!q) return tl::unexpected(q.error());
  q->bind(1, account)
      .bind(2, std::int64_t{device})
      .bind(3, std::int64_t{key.id})
      .bind(4, ByteView(key.public_key));
  return q->run();
}

// Whether `id` was seen before in this list (and records it).
bool repeated(std::set<std::uint32_t>& seen, std::uint32_t id) { return !seen.insert(id).second; }

constexpr const char* kRepeatedId = "a key id appears twice in one upload";

}  // namespace

Status put_keys(Database& db, const AccountId& account, DeviceId device, const KeyUpload& keys) {
  // Rows are written as they come and a repeated id is noticed only when it
  // is reached; the caller's savepoint then undoes what was written.
  if (keys.signed_prekey) {
    const auto& k = *keys.signed_prekey;
    SOTTO_TRY(put_signed(db, kPutSignedPreKey, account, device, k.id, k.public_key, k.signature));
  }
  std::set<std::uint32_t> seen;
  for (const auto& key : keys.one_time) {
    if (repeated(seen, key.id)) return fail(Errc::bad_request, kRepeatedId);
    SOTTO_TRY(put_one_time(db, account, device, key));
  }
  seen.clear();
  for (const auto& key : keys.kyber) {
    if (repeated(seen, key.id)) return fail(Errc::bad_request, kRepeatedId);
    SOTTO_TRY(put_signed(db, kPutKyber, account, device, key.id, key.public_key, key.signature));
  }
  if (keys.kyber_last_resort) {
    const auto& k = *keys.kyber_last_resort;
    SOTTO_TRY(put_signed(db, kPutLastResort, account, device, k.id, k.public_key, k.signature));
  }
  return ok();
}

Status Keys::upload_keys(const AccountId& account, DeviceId device, const KeyUpload& keys) {
  // One job: one savepoint, all or nothing.
  return c_.writer.run<void>([&](Database& db) -> Status {
    SOTTO_TRY(require_device(db, account, device));
    return put_keys(db, account, device, keys);
  });
}

Status Keys::set_signed_prekey(const AccountId& account, DeviceId device,
                               const SignedPreKey& key) {
  return c_.writer.run<void>([&](Database& db) -> Status {
    SOTTO_TRY(require_device(db, account, device));
    return put_signed(db, kPutSignedPreKey, account, device, key.id, key.public_key,
                      key.signature);
  });
}

Status Keys::set_kyber_last_resort(const AccountId& account, DeviceId device,
                                   const KyberPreKey& key) {
  return c_.writer.run<void>([&](Database& db) -> Status {
    SOTTO_TRY(require_device(db, account, device));
    return put_signed(db, kPutLastResort, account, device, key.id, key.public_key,
                      key.signature);
  });
}

Status Keys::add_one_time_prekeys(const AccountId& account, DeviceId device,
                                  std::span<const OneTimePreKey> keys) {
  return c_.writer.run<void>([&](Database& db) -> Status {
    SOTTO_TRY(require_device(db, account, device));
    for (const auto& key : keys) {
      // A failure rolls the job's savepoint back: all or nothing.
      SOTTO_TRY(put_one_time(db, account, device, key));
    }
    return ok();
  });
}

Status Keys::add_kyber_prekeys(const AccountId& account, DeviceId device,
                               std::span<const KyberPreKey> keys) {
  return c_.writer.run<void>([&](Database& db) -> Status {
    SOTTO_TRY(require_device(db, account, device));
    for (const auto& key : keys) {
      SOTTO_TRY(put_signed(db, kPutKyber, account, device, key.id, key.public_key,
                           key.signature));
    }
    return ok();
  });
}

Result<PreKeyCounts> Keys::count_prekeys(const AccountId& account, DeviceId device) {
  return c_.readers.read([&](Database& db) -> Result<PreKeyCounts> {
    SOTTO_TRY(require_device(db, account, device));
    auto q = db.query(
        "SELECT (SELECT count(*) FROM one_time_prekeys WHERE account_id = ?1 AND device_id = ?2),"
        "       (SELECT count(*) FROM kyber_prekeys WHERE account_id = ?1 AND device_id = ?2)");
    if (!q) return tl::unexpected(q.error());
    q->bind(1, account).bind(2, std::int64_t{device});
    auto row = q->step();
    if (!row) return tl::unexpected(row.error());
    return PreKeyCounts{static_cast<std::uint64_t>(q->int64(0)),
                        static_cast<std::uint64_t>(q->int64(1))};
  });
}

Result<PreKeyBundle> Keys::take_bundle(const AccountId& account, DeviceId device) {
  // A write job: the take runs on the single writer thread inside a
  // transaction, which is what hands each one-time key to exactly one caller.
  return c_.writer.run<PreKeyBundle>([&](Database& db) -> Result<PreKeyBundle> {
    PreKeyBundle bundle;
    {
      auto q = db.query(
          "SELECT key_id, public_key, signature FROM signed_prekeys "
          "WHERE account_id = ?1 AND device_id = ?2");
      if (!q) return tl::unexpected(q.error());
      q->bind(1, account).bind(2, std::int64_t{device});
      auto row = q->step();
      if (!row) return tl::unexpected(row.error());
      if (!*row) {
        SOTTO_TRY(require_device(db, account, device));
        return fail(Errc::not_found, "device has no signed prekey");
      }
      bundle.signed_prekey = {static_cast<std::uint32_t>(q->int64(0)), q->blob(1), q->blob(2)};
    }
    {
      auto q = db.query(kTakeOneTime);
      if (!q) return tl::unexpected(q.error());
      q->bind(1, account).bind(2, std::int64_t{device});
      auto row = q->step();
      if (!row) return tl::unexpected(row.error());
      if (*row) bundle.one_time = OneTimePreKey{static_cast<std::uint32_t>(q->int64(0)), q->blob(1)};
      SOTTO_TRY(q->run());  // finish the statement so the delete is complete
    }
    {
      auto q = db.query(kTakeKyber);
      if (!q) return tl::unexpected(q.error());
      q->bind(1, account).bind(2, std::int64_t{device});
      auto row = q->step();
      if (!row) return tl::unexpected(row.error());
      if (*row) {
        bundle.kyber = KyberPreKey{static_cast<std::uint32_t>(q->int64(0)), q->blob(1), q->blob(2)};
        SOTTO_TRY(q->run());
        return bundle;
      }
    }
    auto q = db.query(
        "SELECT key_id, public_key, signature FROM kyber_last_resort_keys "
        "WHERE account_id = ?1 AND device_id = ?2");
    if (!q) return tl::unexpected(q.error());
    q->bind(1, account).bind(2, std::int64_t{device});
    auto row = q->step();
    if (!row) return tl::unexpected(row.error());
    if (*row) {
      bundle.kyber = KyberPreKey{static_cast<std::uint32_t>(q->int64(0)), q->blob(1), q->blob(2)};
      bundle.kyber_is_last_resort = true;
    }
    return bundle;
  });
}

}  // namespace sotto::storage::sqlite
