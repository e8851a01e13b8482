#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds sottod and sotto-bench (Release) and runs the server workloads of
# bench/load/README.md against a fresh sottod each: W1 (1:1 throughput, 1 000
# clients, closed loop then open loop at 50 %), W2 (idle connections in
# stages), W3 (offline delivery). Prints each table; the JSON results go to
# one folder per run.
#
# Usage: scripts/bench-server.sh [all|full|w1|w1-10k|w2|w3]... [-- sotto-bench flags...]
#   all  (default) = w1 w2 w3;  full = w1 w1-10k w2 w3
#   e.g. scripts/bench-server.sh w1 -- --duration 10 --warmup 2
# Environment:
#   SOTTO_BENCH_BUILD_DIR  a Release build dir of your own (default: the release preset's build/release)
#   SOTTO_BENCH_OUT        folder for the JSON results (default: <build dir>/bench/load-results/<time>)
#   SOTTO_BENCH_QUIET_WAIT seconds to wait for an idle machine before each run (default 60; 0: don't)
# Exit status: non-zero if any run failed its exactly-once check (or anything else).
set -euo pipefail
cd "$(dirname "$0")/.."

runs=()
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --) shift; extra=("$@"); break ;;
    all) runs+=(w1 w2 w3) ;;
    full) runs+=(w1 w1-10k w2 w3) ;;
    w1 | w1-10k | w2 | w3) runs+=("$1") ;;
    *) echo "usage: $0 [all|full|w1|w1-10k|w2|w3]... [-- sotto-bench flags...]" >&2; exit 2 ;;
  esac
  shift
done
if [ ${#runs[@]} -eq 0 ]; then runs=(w1 w2 w3); fi

# shellcheck source=scripts/lib/build-bench.sh
source scripts/lib/build-bench.sh
build_bench
out="${SOTTO_BENCH_OUT:-$build_dir/bench/load-results/$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$out"

# shellcheck source=scripts/lib/wait-quiet.sh
source scripts/lib/wait-quiet.sh  # (the script runs from the repository root)

status=0
run() {
  local name="$1"
  shift
  echo
  echo "=== $name: $bench --sottod $sottod $* ${extra[*]:-}"
  wait_quiet
  if ! "$bench" --sottod "$sottod" "$@" --json-out "$out/$name.json" "${extra[@]}"; then
    echo "!!! $name FAILED (see above and $out/$name.json)"
    status=1
  fi
}

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs; results in $out"
for r in "${runs[@]}"; do
  case "$r" in
    w1) run w1-c1000 --workload w1 --clients 1000 --in-flight 500 --warmup 5 --duration 30 ;;
    w1-10k) run w1-c10000 --workload w1 --clients 10000 --in-flight 1000 --warmup 5 --duration 30 ;;
    w2) run w2 --workload w2 --stages 5000,10000,19900 ;;
    w3) run w3 --workload w3 --messages 100000 --senders 10 ;;
  esac
done
echo
echo "JSON results: $out"
exit $status
