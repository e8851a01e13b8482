#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The newcomer's first command: install what is missing, build, and start
# sottod on its embedded SQLite default, printing the exact `sotto` commands
# two people run in other terminals to talk through it. Ctrl-C stops sottod.
#
# Environment: SOTTO_LISTEN (default 127.0.0.1:7443), SOTTO_HOME (default
# ./data: the server's folder and the two demo users' folders live there).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh release

listen="${SOTTO_LISTEN:-127.0.0.1:7443}"
home="${SOTTO_HOME:-$PWD/data}"
sottod="$PWD/build/release/apps/sottod/sottod"
sotto="$PWD/build/release/apps/sotto/sotto"
mkdir -p "$home"
out="$home/sottod.out"

"$sottod" --data-dir "$home/sottod" --listen "$listen" >"$out" &
pid=$!
trap 'kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true' INT TERM EXIT
for _ in $(seq 100); do
  grep -q '^listening on ' "$out" 2>/dev/null && break
  kill -0 "$pid" 2>/dev/null || { echo "sottod did not start:"; cat "$out"; exit 1; }
  sleep 0.1
done
pin=$(sed -n 's/^certificate pin: //p' "$out")
address=$(sed -n 's/^listening on //p' "$out")
[ -n "$pin" ] && [ -n "$address" ] || { echo "sottod did not start:"; cat "$out"; exit 1; }

cat <<MSG

== sottod is serving on $address (data: $home/sottod, SQLite) — Ctrl-C stops it ==
Certificate pin (clients check it): $pin

In a second terminal (alice):
  $sotto --data-dir $home/alice register alice --server $address --pin $pin
  $sotto --data-dir $home/alice send bob "hello bob"
  $sotto --data-dir $home/alice receive --timeout 30

In a third terminal (bob):
  $sotto --data-dir $home/bob register bob --server $address --pin $pin
  $sotto --data-dir $home/bob receive --timeout 30
  $sotto --data-dir $home/bob send alice "hi alice"
  $sotto --data-dir $home/bob verify alice        # safety number + QR code

(Register both before the first send; \`sotto --help\` lists every command.)
MSG
wait "$pid"
