// SPDX-License-Identifier: Apache-2.0
#include "conformance_support.hpp"

#include <stdlib.h>

#include <system_error>

namespace sotto::storage::testing {

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "sotto-storage-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    throw std::system_error(errno, std::generic_category(), "mkdtemp");
  }
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

AccountId account_id(std::uint32_t n) {
  AccountId id{};
  id[0] = 0xA0;
  for (int i = 0; i < 4; ++i) id[15 - i] = static_cast<std::uint8_t>(n >> (8 * i));
  return id;
}

Guid guid(std::uint32_t n) {
  Guid g{};
  g[0] = 0x6D;
  for (int i = 0; i < 4; ++i) g[15 - i] = static_cast<std::uint8_t>(n >> (8 * i));
  return g;
}

Bytes filled(std::size_t size, std::uint8_t value) { return Bytes(size, value); }

Device make_device(const AccountId& account, DeviceId id, std::int64_t created_ms) {
  return Device{account, id, filled(kDeviceKeySize, static_cast<std::uint8_t>(id)), 1000 + id,
                created_ms, 0};
}

NewEnvelope make_envelope(const AccountId& account, DeviceId device, std::uint32_t n,
                          std::size_t size, std::int64_t expires_ms) {
  Bytes sender = to_bytes("sender-" + std::to_string(n));
  return NewEnvelope{account, device, guid(n), std::move(sender),
                     filled(size, static_cast<std::uint8_t>(n)), expires_ms};
}

sqlite::Options options_for(const std::filesystem::path& file, MailboxLimits limits) {
  sqlite::Options options;
  options.path = file.string();
  options.limits = limits;
  return options;
}

std::unique_ptr<sqlite::SqliteStorage> open_sqlite(const std::filesystem::path& file,
                                                   MailboxLimits limits) {
  auto opened = sqlite::SqliteStorage::open(options_for(file, limits));
  EXPECT_TRUE(opened) << opened.error().message;
  return opened ? std::move(*opened) : nullptr;
}

}  // namespace sotto::storage::testing
