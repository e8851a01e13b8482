#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The one command for docs/benchmarks.md: runs sottod and the peer servers
# (ejabberd over XMPP, mosquitto over MQTT; Debian packages, configs in
# bench/peers/conf/) through the same workloads with the same generator
# (sotto-bench, bench/load/README.md): W1 with 1 000 and 10 000 clients, W2,
# W3; and sottod's two lab builds (bench/load/README.md) on W1, to show what
# durable storage costs. One workload at a time, every server in turn. Then
# writes docs/benchmarks.md (tables with Sotto's ratio to each peer) and the
# plots in docs/benchmarks/ (bench/report/make_report.py, gnuplot).
# Not part of the test run. Takes about 25 minutes; --quick takes about 8.
#
# Usage: scripts/bench-report.sh [--quick] [--servers sotto,sottolab,sottolog,ejabberd,mosquitto]
#                                [--no-install]
#                                [--report-only DIR]
#   --quick        short runs to check the pipeline (5 s windows, W1 with 500 and 2 000
#                  clients, W2 stages 1000,2000, fewer W3 messages); the report says so
#   --servers      which servers to run (default: all five; sottolab and sottolog are sottod's
#                  lab builds, W1 only: on the in-memory test store, and on it behind a durable
#                  append-only log; they show what durable storage costs W1)
#   --no-install   do not apt-get install what is missing
#   --report-only  only rewrite the report from the JSON results in DIR
# Environment:
#   SOTTO_BENCH_BUILD_DIR  a Release build dir of your own (default build/release, the preset's)
#   SOTTO_BENCH_QUIET_WAIT seconds to wait for an idle machine before each run (default 60)
#   EJABBERD_W3_MESSAGES   W3 messages for ejabberd (default 10000: its offline store to one
#                          user slows down as the queue grows; 100 000 would take about an hour)
# Every process started here is stopped by its pid at the end, also on error or ^C.
# Scratch files and JSON results: <build dir>/bench/report-<time>/.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

quick=0
install=1
servers="sotto,sottolab,sottolog,ejabberd,mosquitto"
report_only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --no-install) install=0 ;;
    --servers) servers="$2"; shift ;;
    --servers=*) servers="${1#*=}" ;;
    --report-only) report_only="$2"; shift ;;
    *) sed -n '/^# Usage/,/^# Scratch/p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
  esac
  shift
done
has() { [[ ",$servers," == *",$1,"* ]]; }

# Ports on loopback that no Debian-started service uses (ejabberd's own
# service listens on 5222/5269/5280, mosquitto's on 1883).
readonly EJ_PORT=15222 EJ_DIST_PORT=15270 MQ_PORT=11883

generate() {
  python3 bench/report/make_report.py --results "$1" --docs "$repo/docs"
}
if [ -n "$report_only" ]; then
  generate "$report_only"
  exit 0
fi

# ---- Debian packages ----
need=()
for p in gnuplot-nox $(has ejabberd && echo ejabberd) $(has mosquitto && echo mosquitto); do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  if [ $install -eq 0 ]; then
    echo "missing Debian packages: ${need[*]} (run without --no-install)" >&2
    exit 2
  fi
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  echo "installing ${need[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${need[@]}"
fi

# ---- build ----
# shellcheck source=scripts/lib/build-bench.sh
source scripts/lib/build-bench.sh
build_bench
build_dir=$(cd "$build_dir" && pwd)
bench="$build_dir/bench/load/sotto-bench"
sottod="$build_dir/apps/sottod/sottod"
sottod_lab="$build_dir/bench/load/sottod-memory-store"
sottod_log="$build_dir/bench/load/sottod-memory-log"
work="$build_dir/bench/report-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$work"
out="$work/results"
mkdir -p "$out"
: >"$out/commands.txt"

# ---- process bookkeeping: everything started here is stopped by pid ----
started_pids=()
stop_pid() {  # pid [seconds]: SIGTERM, then SIGKILL after the grace time
  local pid=$1 grace=${2:-20} i
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < grace * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  echo "pid $pid did not stop on SIGTERM: SIGKILL" >&2
  kill -KILL "$pid" 2>/dev/null || true
}
forget_pid() {  # pid: stopped already; the rest of the list is still cleanup's
  local pid kept=()
  for pid in "${started_pids[@]}"; do [ "$pid" = "$1" ] || kept+=("$pid"); done
  started_pids=("${kept[@]}")
}
cleanup() {
  local pid
  for pid in "${started_pids[@]}"; do stop_pid "$pid" 10; done
  started_pids=()
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_free() { ! ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }
wait_port() {  # port pid seconds
  local i
  for ((i = 0; i < $3 * 10; i++)); do
    port_free "$1" || return 0
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

# shellcheck source=scripts/lib/wait-quiet.sh
source scripts/lib/wait-quiet.sh  # (the script runs from the repository root)

# ---- the workloads (same for every server) ----
if [ $quick -eq 1 ]; then
  w1_small=500 w1_large=2000 w1_windows=(--warmup 2 --duration 5)
  w2_stages=1000,2000 w2_timing=(--settle 2 --idle-sample 2)
  w3_messages=5000 ej_w3_messages=${EJABBERD_W3_MESSAGES:-2000}
  export SOTTO_BENCH_QUIET_WAIT=${SOTTO_BENCH_QUIET_WAIT:-10}
else
  w1_small=1000 w1_large=10000 w1_windows=(--warmup 5 --duration 30)
  w2_stages=5000,10000,19900 w2_timing=()
  w3_messages=100000 ej_w3_messages=${EJABBERD_W3_MESSAGES:-10000}
fi
w2_max=${w2_stages##*,}

status=0
run() {  # server label -- sotto-bench args
  local server=$1 label=$2
  shift 3
  local cmd=("$bench" "$@" --json-out "$out/$server-$label.json")
  echo
  echo "=== $server $label"
  wait_quiet
  echo "sotto-bench $* --json-out $server-$label.json" | sed "s#$build_dir#<build>#g" >>"$out/commands.txt"
  if ! "${cmd[@]}"; then
    echo "!!! $server $label FAILED (see above and $out/$server-$label.json)"
    status=1
  fi
}

w1_args() {  # clients
  local window=500
  [ "$1" -ge 10000 ] && window=1000
  echo --workload w1 --clients "$1" --in-flight "$window" "${w1_windows[@]}"
}

# ---- sottod and its lab builds: the bench starts and stops them itself ----
# shellcheck disable=SC2046
sottod_w1() { run "$1" "w1-c$3" -- --sottod "$2" $(w1_args "$3"); }  # name binary clients
sotto_w1() { sottod_w1 sotto "$sottod" "$1"; }
sotto_w2() { run sotto w2 -- --sottod "$sottod" --workload w2 --stages "$w2_stages" "${w2_timing[@]}"; }
sotto_w3() { run sotto w3 -- --sottod "$sottod" --workload w3 --messages "$w3_messages" --senders 10; }
# The same sottod on the in-memory test store, and on it behind a durable
# append-only log (bench/load/README.md): W1's cost of durable storage.
sottolab_w1() { sottod_w1 sottolab "$sottod_lab" "$1"; }
sottolog_w1() { sottod_w1 sottolog "$sottod_log" "$1"; }

# ---- ejabberd ----
ej_dir="$work/ejabberd"
ej_pid=""
ej_start() {  # spool dir; sets ej_pid to beam.smp's pid
  local spool=$1 wrapper i
  port_free $EJ_PORT && port_free $EJ_DIST_PORT || {
    echo "port $EJ_PORT or $EJ_DIST_PORT is in use: not starting ejabberd" >&2
    return 1
  }
  mkdir -p "$spool" "$ej_dir/log"
  # Debian's ejabberdctl switches to the ejabberd user, which resets the
  # open-file limit: a copy runs it as the caller. ERL_DIST_PORT: no epmd.
  (
    ulimit -n 20000
    exec "$ej_dir/ejabberdctl" --config "$ej_dir/ejabberd.yml" --ctl-config "$ej_dir/ejabberdctl.cfg" \
      --spool "$spool" --logs "$ej_dir/log" foreground >>"$ej_dir/ejabberd.out" 2>&1 </dev/null
  ) &
  wrapper=$!
  started_pids+=("$wrapper")
  # The Erlang VM (beam.smp) is the wrapper's child; it is the one that
  # listens on the c2s port.
  for ((i = 0; i < 600; i++)); do
    ej_pid=$(ss -Hltnp "sport = :$EJ_PORT" 2>/dev/null | sed -n 's/.*"beam.smp",pid=\([0-9]*\).*/\1/p' | head -1)
    [ -n "$ej_pid" ] && break
    kill -0 "$wrapper" 2>/dev/null || break
    sleep 0.1
  done
  if [ -z "$ej_pid" ]; then
    echo "ejabberd did not start (see $ej_dir/ejabberd.out)" >&2
    for i in $(pgrep -P "$wrapper" || true); do stop_pid "$i" 10; done
    stop_pid "$wrapper" 10
    forget_pid "$wrapper"
    return 1
  fi
  started_pids=("$ej_pid" "${started_pids[@]}")
  sleep 1
}
ej_stop() {  # beam.smp stops on SIGTERM (init:stop); the wrapper follows
  local pid
  [ -n "$ej_pid" ] || return 0
  stop_pid "$ej_pid" 30
  for pid in "${started_pids[@]}"; do stop_pid "$pid" 5; done
  started_pids=()
  ej_pid=""
}
if has ejabberd; then
  mkdir -p "$ej_dir"
  sed "s/^INSTALLUSER=ejabberd$/INSTALLUSER=/" /usr/sbin/ejabberdctl >"$ej_dir/ejabberdctl"
  chmod +x "$ej_dir/ejabberdctl"
  cat >"$ej_dir/ejabberdctl.cfg" <<EOF
ERLANG_NODE=sottobench@localhost
ERL_MAX_PORTS=65536
ERL_PROCESSES=1000000
ERL_DIST_PORT=$EJ_DIST_PORT
ERL_OPTIONS='-kernel inet_dist_use_interface {127,0,0,1}'
EOF
  cp bench/peers/conf/ejabberd.yml "$ej_dir/ejabberd.yml"
fi
ej=(--protocol xmpp --connect "127.0.0.1:$EJ_PORT" --server-name ejabberd)
ejabberd_w1() {
  ej_start "$ej_dir/spool-w1-c$1" && {
    # shellcheck disable=SC2046
    run ejabberd "w1-c$1" -- "${ej[@]}" --server-pid "$ej_pid" $(w1_args "$1")
  } || status=1
  ej_stop
}
ejabberd_w2() {
  # Accounts first, then a fresh server process on the same spool, as
  # sottod is restarted after registration.
  ej_start "$ej_dir/spool-w2" && {
    run ejabberd w2-register -- "${ej[@]}" --server-pid "$ej_pid" --workload w2 --w2-step register \
      --stages "$w2_max" --name-tag b
  } || status=1
  ej_stop
  ej_start "$ej_dir/spool-w2" && {
    run ejabberd w2 -- "${ej[@]}" --server-pid "$ej_pid" --workload w2 --w2-step measure \
      --stages "$w2_stages" --name-tag b "${w2_timing[@]}"
  } || status=1
  ej_stop
}
ejabberd_w3() {
  ej_start "$ej_dir/spool-w3" && {
    run ejabberd w3 -- "${ej[@]}" --server-pid "$ej_pid" --workload w3 --messages "$ej_w3_messages" \
      --senders 10
  } || status=1
  ej_stop
}

# ---- mosquitto ----
mq_dir="$work/mosquitto"
mq_pid=""
mq_start() {
  port_free $MQ_PORT || { echo "port $MQ_PORT is in use: not starting mosquitto" >&2; return 1; }
  (
    ulimit -n 20000
    exec mosquitto -c "$mq_dir/mosquitto.conf" >>"$mq_dir/mosquitto.out" 2>&1 </dev/null
  ) &
  mq_pid=$!
  started_pids+=("$mq_pid")
  wait_port $MQ_PORT "$mq_pid" 20 || { echo "mosquitto is not listening (see $mq_dir/mosquitto.out)" >&2; return 1; }
}
mq_stop() {
  [ -n "$mq_pid" ] || return 0
  stop_pid "$mq_pid" 20
  forget_pid "$mq_pid"
  mq_pid=""
}
if has mosquitto; then
  mkdir -p "$mq_dir"
  sed "s#@WORK@#$mq_dir#g" bench/peers/conf/mosquitto.conf >"$mq_dir/mosquitto.conf"
  # Accounts: every name the runs use (--name-tag b), password "p", hashed
  # by mosquitto_passwd. mosquitto drops root for its own user: it must read the file.
  {
    for ((i = 0; i < w1_large; i++)); do echo "bw1u$i:p"; done
    for ((i = 0; i < w2_max; i++)); do echo "bw2u$i:p"; done
    for ((i = 0; i <= 10; i++)); do echo "bw3u$i:p"; done
  } >"$mq_dir/mosquitto.pw"
  mosquitto_passwd -U "$mq_dir/mosquitto.pw"
  chmod 644 "$mq_dir/mosquitto.pw"
fi
mq=(--protocol mqtt --connect "127.0.0.1:$MQ_PORT" --server-name mosquitto --name-tag b)
mosquitto_w1() {
  mq_start && {
    # shellcheck disable=SC2046
    run mosquitto "w1-c$1" -- "${mq[@]}" --server-pid "$mq_pid" $(w1_args "$1")
  } || status=1
  mq_stop
}
mosquitto_w2() {
  mq_start && {
    run mosquitto w2 -- "${mq[@]}" --server-pid "$mq_pid" --workload w2 --stages "$w2_stages" \
      "${w2_timing[@]}"
  } || status=1
  mq_stop
}
mosquitto_w3() {
  mq_start && {
    run mosquitto w3 -- "${mq[@]}" --server-pid "$mq_pid" --workload w3 --messages "$w3_messages" \
      --senders 10
  } || status=1
  mq_stop
}

# ---- the runs: one workload at a time, every server in turn ----
# The machine's speed drifts by up to a third over a report run (foreign load
# on the host): running the servers back to back on each workload keeps the
# runs a ratio compares minutes apart instead of most of an hour apart.
for c in $w1_small $w1_large; do
  for s in sotto sottolab sottolog ejabberd mosquitto; do
    if has $s; then "${s}_w1" "$c"; fi
  done
done
for w in w2 w3; do
  for s in sotto ejabberd mosquitto; do
    if has $s; then "${s}_$w"; fi
  done
done
cleanup

# ---- what the report says about the run ----
{
  echo "{"
  echo "  \"date\": \"$(date -u +%Y-%m-%dT%H:%M:%SZ)\","
  echo "  \"quick\": $([ $quick -eq 1 ] && echo true || echo false),"
  echo "  \"cpu_model\": \"$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)\","
  echo "  \"cpus\": $(nproc),"
  echo "  \"memory_kb\": $(awk '/MemTotal/{print $2}' /proc/meminfo),"
  echo "  \"kernel\": \"$(uname -r)\","
  echo "  \"os\": \"$(. /etc/os-release && echo "$PRETTY_NAME")\","
  echo "  \"sotto_commit\": \"$(git rev-parse --short HEAD 2>/dev/null || echo unknown)\","
  echo "  \"ejabberd_version\": \"$(dpkg-query -W -f='${Version}' ejabberd 2>/dev/null || true)\","
  echo "  \"erlang_version\": \"$(dpkg-query -W -f='${Version}' erlang-base 2>/dev/null || true)\","
  echo "  \"mosquitto_version\": \"$(dpkg-query -W -f='${Version}' mosquitto 2>/dev/null || true)\","
  echo "  \"ejabberd_w3_messages\": $ej_w3_messages,"
  echo "  \"command\": \"scripts/bench-report.sh$([ $quick -eq 1 ] && echo ' --quick')\""
  echo "}"
} >"$out/meta.json"

generate "$out"
echo
echo "docs/benchmarks.md written; JSON results and scratch in $work"
exit $status
