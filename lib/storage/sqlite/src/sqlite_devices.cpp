// SPDX-License-Identifier: Apache-2.0
#include "stores.hpp"

namespace sotto::storage::sqlite {

namespace {

constexpr const char* kSelectDevice =
    "SELECT account_id, device_id, device_key, registration_id, created, last_seen_day "
    "FROM devices ";

Device read_device(const Query& q) {
  return Device{q.id<16>(0),
                static_cast<DeviceId>(q.int64(1)),
                q.blob(2),
                static_cast<std::uint32_t>(q.int64(3)),
                q.int64(4),
                q.int64(5)};
}

}  // namespace

Status check_device(const Device& device) {
  if (device.id < kMinDeviceId || device.id > kMaxDeviceId) {
    return fail(Errc::bad_request, "device id outside 1..127");
  }
  if (device.public_key.size() != kDeviceKeySize) {
    return fail(Errc::bad_request, "device key is not 32 bytes");
  }
  return ok();
}

Status insert_device(Database& db, const Device& device) {
  auto q = db.query(
      "INSERT INTO devices(account_id, device_id, device_key, registration_id, created, "
      "last_seen_day) VALUES(?1, ?2, ?3, ?4, ?5, ?6)");
  if (!q) return tl::unexpected(q.error());
  q->bind(1, device.account)
      .bind(2, std::int64_t{device.id})
      .bind(3, ByteView(device.public_key))
      .bind(4, std::int64_t{device.registration_id})
      .bind(5, device.created_ms)
      .bind(6, utc_day_start(device.created_ms));
  // A missing account fails the foreign key (not_found); a taken id the
  // primary key (already_exists).
  return q->run();
}

Status Devices::add_device(const Device& device) {
  SOTTO_TRY(check_device(device));
  auto added =
      c_.writer.run<void>([&](Database& db) -> Status { return insert_device(db, device); });
  c_.device_lists.forget(device.account);
  return added;
}

Result<std::vector<Device>> Devices::list_devices(const AccountId& account) {
  if (auto cached = c_.device_lists.find(account)) return std::move(*cached);
  const std::uint64_t generation = c_.device_lists.generation();
  auto listed = read_device_list(account);
  if (listed) c_.device_lists.put(account, *listed, generation);
  return listed;
}

Result<std::vector<Device>> Devices::read_device_list(const AccountId& account) {
  return c_.readers.read([&](Database& db) -> Result<std::vector<Device>> {
    {
      auto q = db.query("SELECT 1 FROM accounts WHERE id = ?1");
      if (!q) return tl::unexpected(q.error());
      q->bind(1, account);
      auto row = q->step();
      if (!row) return tl::unexpected(row.error());
      if (!*row) return fail(Errc::not_found, "no such account");
    }
    auto q = db.query(std::string(kSelectDevice) + "WHERE account_id = ?1 ORDER BY device_id");
    if (!q) return tl::unexpected(q.error());
    q->bind(1, account);
    std::vector<Device> out;
    for (;;) {
      auto row = q->step();
      if (!row) return tl::unexpected(row.error());
      if (!*row) return out;
      out.push_back(read_device(*q));
    }
  });
}

Result<Device> Devices::get_device(const AccountId& account, DeviceId device) {
  return c_.readers.read([&](Database& db) -> Result<Device> {
    auto q = db.query(std::string(kSelectDevice) + "WHERE account_id = ?1 AND device_id = ?2");
    if (!q) return tl::unexpected(q.error());
    q->bind(1, account).bind(2, std::int64_t{device});
    auto row = q->step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) return fail(Errc::not_found, "no such device");
    return read_device(*q);
  });
}

Status Devices::remove_device(const AccountId& account, DeviceId device) {
  auto removed = c_.writer.run<void>([&](Database& db) -> Status {
    auto q = db.query("DELETE FROM devices WHERE account_id = ?1 AND device_id = ?2");
    if (!q) return tl::unexpected(q.error());
    q->bind(1, account).bind(2, std::int64_t{device});
    SOTTO_TRY(q->run());
    if (db.changes() == 0) return fail(Errc::not_found, "no such device");
    return ok();
  });
  c_.device_lists.forget(account);
  return removed;
}

Status Devices::touch_last_seen(const AccountId& account, DeviceId device, std::int64_t now_ms) {
  auto touched = c_.writer.run<void>([&](Database& db) -> Status {
    auto q = db.query(
        "UPDATE devices SET last_seen_day = max(last_seen_day, ?3) "
        "WHERE account_id = ?1 AND device_id = ?2");
    if (!q) return tl::unexpected(q.error());
    q->bind(1, account).bind(2, std::int64_t{device}).bind(3, utc_day_start(now_ms));
    SOTTO_TRY(q->run());
    if (db.changes() == 0) return fail(Errc::not_found, "no such device");
    return ok();
  });
  c_.device_lists.forget(account);  // the lists carry last_seen_day
  return touched;
}

}  // namespace sotto::storage::sqlite
