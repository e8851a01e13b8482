#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The newcomer's second command, and what CI runs: install, build, fuzz each
# parser for a bounded time, then run the whole ctest suite (unit, vectors,
# interop against libsignal-protocol-c, corpus replay).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh

fuzz_seconds="${SOTTO_FUZZ_SECONDS:-20}"
if [ "$fuzz_seconds" -gt 0 ]; then
  echo "== libFuzzer: ${fuzz_seconds}s per target (clang) =="
  scripts/build.sh fuzz
  fuzz/run_all.sh build/fuzz "$fuzz_seconds"
  echo "== the same build's unit tests under AddressSanitizer + UBSan =="
  ctest --preset fuzz -j2
fi

echo "== release build and the full test suite =="
scripts/build.sh release
ctest --preset release -j2
