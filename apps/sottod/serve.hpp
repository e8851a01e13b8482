// SPDX-License-Identifier: Apache-2.0
// The whole of sottod but the choice of store: flags, logging, the TLS
// identity, the service and its housekeeping, and a clean stop on
// SIGINT/SIGTERM. sottod opens its SQLite database; the benchmark's two lab
// builds (bench/load/sottod_memory_store.cpp, sottod_memory_log.cpp) open
// stores of their own, and differ from sottod in nothing else.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>

#include "config.hpp"
#include "sotto/core/result.hpp"
#include "sotto/storage/storage.hpp"

namespace sotto::sottod {

// Opens the store in `data_dir` (already created, owner-only). An error's
// message is logged as it is, so it should name the store ("database: ...").
using StoreOpener = std::function<Result<std::unique_ptr<storage::Storage>>(
    const std::filesystem::path& data_dir, const Config& config)>;

// Parses the command line and serves until SIGINT/SIGTERM; returns the
// process exit code. `description` heads --help.
int serve_main(int argc, char** argv, const char* description, const StoreOpener& open_store);

}  // namespace sotto::sottod
