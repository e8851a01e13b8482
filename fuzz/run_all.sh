#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs every libFuzzer binary in <build_dir>/fuzz for <seconds> each, starting
# from a COPY of its committed corpus (fuzz/corpus/<name>/), so the repository
# corpus never grows behind anyone's back. Exits non-zero if any target crashes,
# leaks, times out or fails a consistency check; the reproducers are kept and
# their paths printed.
#   fuzz/run_all.sh build/fuzz 60
set -euo pipefail

if [[ $# -ne 2 || ! "$2" =~ ^[0-9]+$ ]]; then
  echo "usage: $0 <build_dir> <seconds_per_target>" >&2
  exit 2
fi
build_dir=$1
seconds=$2
corpus_root=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/corpus

mapfile -t targets < <(find "$build_dir/fuzz" -maxdepth 1 -type f -executable -name 'fuzz_*' \
                         ! -name '*_replay' 2>/dev/null | sort)
if [[ ${#targets[@]} -eq 0 ]]; then
  echo "no fuzz targets in $build_dir/fuzz (configure with the \"fuzz\" preset and build first)" >&2
  exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/sotto-fuzz.XXXXXX")
failed=()
for bin in "${targets[@]}"; do
  name=$(basename "$bin")
  mkdir -p "$work/$name/corpus" "$work/$name/artifacts"
  if [[ -d "$corpus_root/$name" ]]; then
    cp -R "$corpus_root/$name/." "$work/$name/corpus/"
  fi
  log="$work/$name/log"
  if "$bin" -max_total_time="$seconds" -print_final_stats=1 \
       -artifact_prefix="$work/$name/artifacts/" "$work/$name/corpus" >"$log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    echo "ok      $name (${runs:-?} runs in ${seconds}s)"
  else
    echo "FAILED  $name, log: $log"
    tail -n 30 "$log" | sed 's/^/    /'
    for artifact in "$work/$name/artifacts/"*; do
      [[ -e "$artifact" ]] && echo "    reproducer: $artifact"
    done
    failed+=("$name")
  fi
done

if [[ ${#failed[@]} -gt 0 ]]; then
  echo "${#failed[@]} of ${#targets[@]} fuzz targets failed; logs and reproducers in $work" >&2
  echo "replay one with: $build_dir/fuzz/<name>_replay <reproducer>" >&2
  exit 1
fi
rm -rf "$work"
echo "all ${#targets[@]} fuzz targets ran ${seconds}s without a failure"
