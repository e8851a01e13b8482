// SPDX-License-Identifier: Apache-2.0
// sottod-memory-store: a lab build of sottod for measuring what durable
// storage costs W1. It is sottod in every respect (the same serve_main: TLS,
// WebSockets, the service, its threads and flags) except the store, which is
// the in-memory test store: nothing is written to disk, every message is lost
// at exit, and callbacks run on the caller's thread. Never a product
// configuration; built and used by the benchmark only.
#include "serve.hpp"

namespace {

sotto::Result<std::unique_ptr<sotto::storage::Storage>> open_memory(
    const std::filesystem::path& /*data_dir*/, const sotto::sottod::Config& config) {
  return sotto::storage::make_memory_storage(sotto::sottod::mailbox_limits(config));
}

}  // namespace

int main(int argc, char** argv) {
  return sotto::sottod::serve_main(
      argc, argv,
      "sottod-memory-store: sottod on the in-memory test store (LAB BUILD FOR BENCHMARKS: nothing "
      "is durable, everything is lost at exit). Flags as sottod's.",
      open_memory);
}
