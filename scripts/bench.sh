#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the benchmarks of the release preset and runs them: the crypto backend
# comparison (sotto_crypto_bench), then the protocol comparison with
# libsignal-protocol-c (sotto_protocol_bench), which ends with its ratio tables.
#
# Usage: scripts/bench.sh [all|crypto|protocol] [Google Benchmark flags...]
#   e.g. scripts/bench.sh protocol --benchmark_filter='^group' --signal_c_provider=peer
# Environment: SOTTO_BENCH_REPETITIONS (default 5), SOTTO_BENCH_MIN_TIME in
# seconds (default 0.5), SOTTO_BENCH_BUILD_DIR (a Release build directory of
# your own instead of the preset's build/release, e.g. while others build).
# Tables use the median of the repetitions; JSON results go next to the
# binaries (<build dir>/bench/*.json). --signal_c_provider=... is passed to the
# protocol benchmark only.
set -euo pipefail
cd "$(dirname "$0")/.."

which="${1:-all}"
case "$which" in
  all | crypto | protocol)
    if [ $# -gt 0 ]; then shift; fi
    ;;
  -*) which=all ;;
  *)
    echo "usage: $0 [all|crypto|protocol] [benchmark flags...]" >&2
    exit 2
    ;;
esac

repetitions="${SOTTO_BENCH_REPETITIONS:-5}"
min_time="${SOTTO_BENCH_MIN_TIME:-0.5}"
common=(--benchmark_repetitions="$repetitions" --benchmark_report_aggregates_only=true
  --benchmark_min_time="$min_time" --benchmark_out_format=json)

if [ -n "${SOTTO_BENCH_BUILD_DIR:-}" ]; then
  build_dir="$SOTTO_BENCH_BUILD_DIR"
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSOTTO_WERROR=ON -DSOTTO_BENCH=ON >/dev/null
  build=(cmake --build "$build_dir" -j2)
else
  build_dir=build/release
  cmake --preset release >/dev/null
  build=(cmake --build --preset release)
fi

targets=()
if [ "$which" != protocol ]; then targets+=(sotto_crypto_bench); fi
if [ "$which" != crypto ]; then
  # Only configured with SOTTO_INTEROP (it links the GPL C library).
  if "${build[@]}" --target help | grep -q '^sotto_protocol_bench:'; then
    targets+=(sotto_protocol_bench)
  else
    echo "sotto_protocol_bench is not configured (needs SOTTO_BENCH=ON and SOTTO_INTEROP=ON); skipping it" >&2
  fi
fi
if [ ${#targets[@]} -eq 0 ]; then exit 1; fi
"${build[@]}" --target "${targets[@]}"

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs (other load skews results)"
for target in "${targets[@]}"; do
  args=()
  for arg in "$@"; do
    # Our protocol benchmark's own flag; Google Benchmark's main rejects it.
    if [ "$target" != sotto_protocol_bench ] && [[ "$arg" == --signal_c_provider=* ]]; then continue; fi
    args+=("$arg")
  done
  echo
  echo "== $target =="
  "$build_dir/bench/$target" "${common[@]}" --benchmark_out="$build_dir/bench/$target.json" "${args[@]}"
done
