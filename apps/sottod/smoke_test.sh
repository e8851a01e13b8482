#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Starts sottod on an ephemeral port, checks it prints a pin and a port, stops
# it with SIGTERM and expects a clean exit; then restarts it on the same data
# dir and expects the same pin (the TLS identity is kept).
set -euo pipefail
sottod="$1"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

start_and_stop() {
  "$sottod" --data-dir "$dir/data" --listen 127.0.0.1:0 --threads 2 --log-level warn \
    >"$dir/out" 2>"$dir/err" &
  local pid=$!
  for _ in $(seq 100); do
    grep -q '^listening on 127.0.0.1:[0-9]' "$dir/out" && break
    sleep 0.1
  done
  grep -q '^listening on 127.0.0.1:[1-9]' "$dir/out" || { cat "$dir/out" "$dir/err"; kill "$pid"; exit 1; }
  kill -TERM "$pid"
  wait "$pid"
  grep -E '^certificate pin: [0-9a-f]{64}$' "$dir/out" | cut -d' ' -f3
}

pin1=$(start_and_stop)
pin2=$(start_and_stop)
[ -n "$pin1" ] && [ "$pin1" = "$pin2" ] || { echo "pins differ: $pin1 / $pin2"; exit 1; }
[ -f "$dir/data/sotto.db" ] || { echo "no database"; exit 1; }
echo "sottod smoke: ok (pin $pin1)"
