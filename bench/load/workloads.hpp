// SPDX-License-Identifier: Apache-2.0
// The workloads (see the header comment of each file). Each returns its
// result as JSON: the document --json-out writes and the tables are printed
// from; "ok" is false when anything was lost, duplicated, refused or dropped.
#pragma once

#include <nlohmann/json.hpp>

#include "options.hpp"
#include "payloads.hpp"
#include "server_under_test.hpp"

namespace sotto::bench {

nlohmann::json run_w1(const BenchOptions& options, ServerUnderTest& server,
                      const PayloadPool& pool);
nlohmann::json run_w2(const BenchOptions& options, ServerUnderTest& server);
nlohmann::json run_w3(const BenchOptions& options, ServerUnderTest& server,
                      const PayloadPool& pool);

// A W2 worker process: logs in its share and holds it (stdin commands).
int run_w2_worker(const BenchOptions& options, ServerUnderTest& server);

// Human-readable tables of a result, on stdout.
void print_tables(const nlohmann::json& report);

}  // namespace sotto::bench
