// SPDX-License-Identifier: Apache-2.0
// sottod: serves the Sotto relay over TLS 1.3 WebSockets until SIGINT/SIGTERM,
// on its embedded SQLite database. Everything else is in serve.cpp.
#include "serve.hpp"
#include "sotto/storage/sqlite/sqlite_storage.hpp"

namespace {

constexpr const char* kDatabaseFile = "sotto.db";

sotto::Result<std::unique_ptr<sotto::storage::Storage>> open_sqlite(
    const std::filesystem::path& data_dir, const sotto::sottod::Config& config) {
  sotto::storage::sqlite::Options options;
  options.path = (data_dir / kDatabaseFile).string();
  options.limits = sotto::sottod::mailbox_limits(config);
  auto opened = sotto::storage::sqlite::SqliteStorage::open(options);
  if (!opened) return sotto::fail(opened.error().code, "database: " + opened.error().message);
  return std::unique_ptr<sotto::storage::Storage>(std::move(*opened));
}

}  // namespace

int main(int argc, char** argv) {
  return sotto::sottod::serve_main(
      argc, argv,
      "sottod: the Sotto relay server. It stores and forwards end-to-end encrypted messages it "
      "cannot read, over TLS 1.3 WebSockets. Every setting below can also be given in a TOML "
      "file (--config); see apps/sottod/sottod.example.toml.",
      open_sqlite);
}
