# SPDX-License-Identifier: Apache-2.0
# Sourced by the benchmark scripts. wait_quiet waits (at most
# $SOTTO_BENCH_QUIET_WAIT s, default 60; 0: not at all) until the machine is
# >= 90 % idle over a second, so foreign load does not skew a run; warns
# otherwise.
wait_quiet() {
  local max="${SOTTO_BENCH_QUIET_WAIT:-60}" i a b total idle=0
  [ "$max" -gt 0 ] || return 0
  for ((i = 1; i <= max; i++)); do
    read -ra a < <(head -1 /proc/stat)
    sleep 1
    read -ra b < <(head -1 /proc/stat)
    total=0
    for k in 1 2 3 4 5 6 7 8; do total=$((total + b[k] - a[k])); done
    idle=$(((b[4] - a[4] + b[5] - a[5]) * 100 / (total > 0 ? total : 1)))
    if [ "$idle" -ge 90 ]; then echo "machine idle (${idle} %) after ${i} s"; return 0; fi
  done
  echo "WARNING: machine still busy (idle ${idle} %) after ${max} s; figures will be skewed"
}
