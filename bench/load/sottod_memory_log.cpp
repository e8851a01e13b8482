// SPDX-License-Identifier: Apache-2.0
// sottod-memory-log: a lab build of sottod for estimating what a mailbox
// "fast lane" would give W1. It is sottod in every respect (the same
// serve_main) except the store: the in-memory test store behind a durable
// append-only log with group commit (lab_logged_store.hpp), so every message
// and ack is fdatasync'd before it is applied and answered, as in sottod, but
// costs one log append instead of SQLite's insert and delete. It recovers
// nothing after a restart: never a product configuration; built and used by
// the benchmark only.
#include "lab_logged_store.hpp"
#include "serve.hpp"

namespace {

sotto::Result<std::unique_ptr<sotto::storage::Storage>> open_logged_memory(
    const std::filesystem::path& data_dir, const sotto::sottod::Config& config) {
  return sotto::bench::make_logged_memory_storage(data_dir / "lab-mailbox.log",
                                                  sotto::sottod::mailbox_limits(config));
}

}  // namespace

int main(int argc, char** argv) {
  return sotto::sottod::serve_main(
      argc, argv,
      "sottod-memory-log: sottod on the in-memory test store behind a durable append-only log "
      "(LAB BUILD FOR BENCHMARKS: nothing is recovered after a restart). Flags as sottod's.",
      open_logged_memory);
}
