# SPDX-License-Identifier: Apache-2.0
# Sourced by the benchmark scripts (from the repository root). build_bench
# builds sottod and sotto-bench (Release) in $SOTTO_BENCH_BUILD_DIR, or in the
# release preset's build/release, and sets build_dir, bench and sottod.
build_bench() {
  if [ -n "${SOTTO_BENCH_BUILD_DIR:-}" ]; then
    build_dir="$SOTTO_BENCH_BUILD_DIR"
    cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSOTTO_WERROR=ON \
      -DSOTTO_BENCH=ON >/dev/null
    cmake --build "$build_dir" -j2 --target sotto-bench sottod sottod-memory-store sottod-memory-log
  else
    build_dir=build/release
    cmake --preset release >/dev/null
    cmake --build --preset release --target sotto-bench sottod sottod-memory-store sottod-memory-log
  fi
  bench="$build_dir/bench/load/sotto-bench"
  sottod="$build_dir/apps/sottod/sottod"
}
