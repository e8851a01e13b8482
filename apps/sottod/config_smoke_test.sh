#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# sottod from a config file: starts from a TOML file alone (with a flag
# overriding one of its settings), logs the limits it read, serves, and stops
# cleanly on SIGTERM. Also: the example file is accepted, a bad file is
# refused, and --help explains the options.
#   config_smoke_test.sh <sottod> <sottod.example.toml>
set -euo pipefail
sottod="$1"
example="$2"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

cat >"$dir/sottod.toml" <<TOML
# written by config_smoke_test.sh
data-dir = "$dir/data"
listen = "127.0.0.1:1"          # overridden on the command line below
threads = 2
log-level = "info"
max-connections-per-ip = 3
login-timeout = 7
message-ttl-days = 2
queue-cap = 500
keys-fetch-burst = 5
TOML

"$sottod" --config "$dir/sottod.toml" --listen 127.0.0.1:0 >"$dir/out" 2>"$dir/err" &
pid=$!
for _ in $(seq 100); do
  grep -q '^listening on 127.0.0.1:[0-9]' "$dir/out" && break
  sleep 0.1
done
grep -q '^listening on 127.0.0.1:[1-9]' "$dir/out" || { cat "$dir/out" "$dir/err"; kill "$pid"; exit 1; }
kill -TERM "$pid"
wait "$pid"
for expected in "3 per IP" "login timeout 7 s" "message TTL 2 days" "queue cap 500 messages" \
                "keys.fetch 5+"; do
  grep -q "$expected" "$dir/err" || { echo "settings not applied ($expected):"; cat "$dir/err"; exit 1; }
done
[ -f "$dir/data/sotto.db" ] || { echo "no database in the configured data dir"; exit 1; }

# The example file parses (its data dir overridden, so nothing is created there).
"$sottod" --config "$example" --data-dir "$dir/example" --listen 127.0.0.1:0 --log-level warn \
  >"$dir/out2" 2>"$dir/err2" &
pid=$!
for _ in $(seq 100); do
  grep -q '^listening on' "$dir/out2" && break
  sleep 0.1
done
grep -q '^listening on 127.0.0.1:[1-9]' "$dir/out2" || { cat "$dir/out2" "$dir/err2"; kill "$pid"; exit 1; }
kill -TERM "$pid"
wait "$pid"

# A misspelt key is refused, not ignored.
printf 'data-dir = "%s"\nmax-conections = 5\n' "$dir/bad" >"$dir/bad.toml"
if "$sottod" --config "$dir/bad.toml" >/dev/null 2>&1; then
  echo "a config file with an unknown key was accepted"; exit 1
fi

# --help explains every option, with units and defaults.
"$sottod" --help >"$dir/help"
for expected in --config --max-connections-per-ip --login-timeout --message-ttl-days --queue-cap \
                --keys-fetch-rate Seconds "=512"; do
  grep -q -- "$expected" "$dir/help" || { echo "--help lacks $expected"; cat "$dir/help"; exit 1; }
done
echo "sottod config smoke: ok"
