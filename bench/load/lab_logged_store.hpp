// SPDX-License-Identifier: Apache-2.0
// A lab store for sottod-memory-log: the in-memory test store behind an
// append-only log with group commit. Every enqueue and ack is appended to the
// log, the log is fdatasync'd once for everything appended meanwhile, and only
// then is the change applied to the memory store and its caller completed, in
// log order, on the log's thread (as sottod's SQLite syncer completes them).
//
// It measures what a mailbox "fast lane" would cost per message in W1: a
// durable log append instead of SQLite's insert and delete. It keeps nothing
// across a restart (no recovery, and the log is cut back to empty whenever it
// passes kLogBytesBeforeTruncate), so it is a measuring tool, never a store.
#pragma once

#include <filesystem>
#include <memory>

#include "sotto/core/result.hpp"
#include "sotto/storage/storage.hpp"

namespace sotto::bench {

// Opens (creates, truncates) the log at `log_path`; errors: internal.
Result<std::unique_ptr<storage::Storage>> make_logged_memory_storage(
    const std::filesystem::path& log_path, storage::MailboxLimits limits);

}  // namespace sotto::bench
