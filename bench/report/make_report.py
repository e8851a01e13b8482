#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes docs/benchmarks.md and its plots from the JSON results of
scripts/bench-report.sh (one sotto-bench --json-out file per server and run,
named <server>-<run>.json, plus meta.json and commands.txt).

Python standard library only; the plots are drawn by gnuplot (pngcairo).
The goals checked at the end come from goals.json next to this file.

  make_report.py --results DIR --docs DOCS_DIR
"""
import argparse
import json
import os
import subprocess
import sys

SERVERS = ["sotto", "ejabberd", "mosquitto"]
PEERS = ["ejabberd", "mosquitto"]
TITLE = {"sotto": "Sotto (sottod)", "ejabberd": "ejabberd", "mosquitto": "mosquitto"}

# What each run carries: the figures are not like for like, and the table says so.
SETUP = {
    "sotto": ("TLS 1.3 WebSockets (a full handshake per connection)",
              "SQLite WAL, group commit, the log fdatasync'd before any acknowledgement: "
              "every message is acknowledged after its durable commit (W1 and W3)",
              "Signal-protocol ciphertext of a 200-byte text (259 bytes) + 16-byte stamp"),
    "ejabberd": ("plain TCP, no TLS (XMPP c2s, SASL PLAIN)",
                 "mnesia: online messages are not stored (W1, no acknowledgement); offline "
                 "messages go to mod_offline's mnesia table (W3), no fsync per message",
                 "200-byte text body, no end-to-end encryption"),
    "mosquitto": ("plain TCP, no TLS (MQTT 3.1.1)",
                  "W1: QoS 0, no acknowledgement, no durability; W3: QoS 1 to a persistent "
                  "session, queued in memory only (persistence false)",
                  "200-byte text payload, no end-to-end encryption"),
}


def load(results):
    runs = {}
    for name in sorted(os.listdir(results)):
        if not name.endswith(".json") or name == "meta.json":
            continue
        server, _, label = name[:-5].partition("-")
        with open(os.path.join(results, name)) as f:
            try:
                runs[(server, label)] = json.load(f)
            except json.JSONDecodeError:
                print(f"skipping unreadable {name}", file=sys.stderr)
    return runs


def num(d, *path, default=None):
    for key in path:
        if isinstance(d, dict) and key in d:
            d = d[key]
        elif isinstance(d, list) and isinstance(key, int) and -len(d) <= key < len(d):
            d = d[key]
        else:
            return default
    return d if isinstance(d, (int, float)) else default


def fmt(v, digits=0):
    if v is None:
        return "—"
    if digits == 0:
        return f"{v:,.0f}".replace(",", " ")
    return f"{v:,.{digits}f}".replace(",", " ")


def ratio(a, b, digits=2):
    if a is None or b is None or b == 0:
        return "—"
    return f"{a / b:.{digits}f}×"


def phase(run, mode):
    for p in (run or {}).get("result", {}).get("phases", []):
        if p.get("mode") == mode:
            return p
    return None


def ok_mark(run):
    if run is None:
        return "not run"
    return "yes" if run.get("ok") else "**NO**"


def w1_clients(runs):
    return sorted({int(label[4:]) for (_, label) in runs if label.startswith("w1-c")})


def metrics(runs):
    """server -> metric name -> value, the figures the goals and ratios use."""
    m = {s: {} for s in SERVERS}
    for s in SERVERS:
        for c in w1_clients(runs):
            run = runs.get((s, f"w1-c{c}"))
            closed, open_ = phase(run, "closed"), phase(run, "open")
            m[s][f"w1_c{c}_max_per_s"] = num(closed, "delivered_per_s")
            m[s][f"w1_c{c}_cpu_us_per_msg"] = num(closed, "server_cpu_us_per_message")
            for q in ("p50", "p90", "p99", "max"):
                m[s][f"w1_c{c}_{q}_ms"] = num(open_, "latency", f"{q}_ms")
        # w1_small_* and w1_large_*: the smallest and largest C of the run
        # (1 000 and 10 000; --quick uses fewer clients).
        cs = w1_clients(runs)
        for alias, c in (("small", cs[0] if cs else None), ("large", cs[-1] if cs else None)):
            for key in list(m[s]):
                if c is not None and key.startswith(f"w1_c{c}_"):
                    m[s][f"w1_{alias}_" + key[len(f"w1_c{c}_"):]] = m[s][key]
        stages = (runs.get((s, "w2")) or {}).get("result", {}).get("stages", [])
        if stages:
            m[s]["w2_kb_per_connection"] = num(stages[-1], "kb_per_connection")
            m[s]["w2_connections"] = num(stages[-1], "online")
            m[s]["w2_idle_cpu_pct"] = num(stages[-1], "idle_cpu", "server_cpu_pct_of_core")
        w3 = (runs.get((s, "w3")) or {}).get("result", {})
        m[s]["w3_store_per_s"] = num(w3, "store", "acked_per_s")
        m[s]["w3_drain_per_s"] = num(w3, "drain", "delivered_per_s")
    return m


def w1_section(runs, out):
    out.append("## W1 — 1:1 throughput\n")
    out.append(
        "C clients online; each message goes from a random client to a random other one. "
        "Closed loop (W messages sent and not yet delivered) gives the maximum delivered rate; "
        "the open loop at 50 % of that maximum gives the latency (send to receipt, "
        "measured window only).\n")
    for c in w1_clients(runs):
        out.append(f"### C = {c:,}\n".replace(",", " "))
        out.append("| server | TLS | durable | max delivered msg/s | open-loop rate | p50 ms | "
                   "p90 ms | p99 ms | max ms | server CPU % (closed) | generator CPU % | "
                   "machine busy % | server CPU µs/msg | exactly once |")
        out.append("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
        for s in SERVERS:
            run = runs.get((s, f"w1-c{c}"))
            if run is None:
                continue
            closed, open_ = phase(run, "closed") or {}, phase(run, "open") or {}
            lat = open_.get("latency", {})
            tls = "TLS 1.3" if s == "sotto" else "no"
            durable = "SQLite, fsync" if s == "sotto" else ("no (mnesia, not stored)"
                                                          if s == "ejabberd" else "no (QoS 0)")
            out.append(
                f"| {TITLE[s]} | {tls} | {durable} | {fmt(num(closed, 'delivered_per_s'))} | "
                f"{fmt(num(open_, 'rate_target'))} | {fmt(num(lat, 'p50_ms'), 2)} | "
                f"{fmt(num(lat, 'p90_ms'), 2)} | {fmt(num(lat, 'p99_ms'), 2)} | "
                f"{fmt(num(lat, 'max_ms'), 2)} | {fmt(num(closed, 'cpu', 'server_cpu_pct_of_core'))} | "
                f"{fmt(num(closed, 'cpu', 'generator_cpu_pct_of_core'))} | "
                f"{fmt(num(closed, 'cpu', 'machine_busy_pct'))} | "
                f"{fmt(num(closed, 'server_cpu_us_per_message'))} | {ok_mark(run)} |")
        out.append("")
        sotto = runs.get(("sotto", f"w1-c{c}"))
        if sotto is None:
            continue
        rows = []
        for p in PEERS:
            peer = runs.get((p, f"w1-c{c}"))
            if peer is None:
                continue
            sc, pc = phase(sotto, "closed") or {}, phase(peer, "closed") or {}
            so, po = phase(sotto, "open") or {}, phase(peer, "open") or {}
            rows.append(
                f"| Sotto ÷ {p} | {ratio(num(sc, 'delivered_per_s'), num(pc, 'delivered_per_s'))} | "
                f"{ratio(num(so, 'latency', 'p50_ms'), num(po, 'latency', 'p50_ms'))} | "
                f"{ratio(num(so, 'latency', 'p99_ms'), num(po, 'latency', 'p99_ms'))} | "
                f"{ratio(num(sc, 'server_cpu_us_per_message'), num(pc, 'server_cpu_us_per_message'))} |")
        if rows:
            out.append("| ratio | max msg/s (higher: Sotto faster) | p50 (lower: Sotto faster) | "
                       "p99 (lower: Sotto faster) | server CPU per message (lower: Sotto cheaper) |")
            out.append("|---|---:|---:|---:|---:|")
            out.extend(rows)
            out.append("")


def w1_storage_section(runs, out):
    """Sotto against its two lab builds: what durable storage costs W1."""
    labs = [("sottolog", "lab: durable log"), ("sottolab", "lab: no storage")]
    rows = []
    for c in w1_clients(runs):
        sotto = phase(runs.get(("sotto", f"w1-c{c}")), "closed")
        found = [(key, phase(runs.get((key, f"w1-c{c}")), "closed")) for key, _ in labs]
        if sotto is None or all(p is None for _, p in found):
            continue
        peer = {p: phase(runs.get((p, f"w1-c{c}")), "closed") or {} for p in PEERS}
        cells = [fmt(c), fmt(num(sotto, "delivered_per_s")),
                 fmt(num(sotto, "server_cpu_us_per_message"))]
        for key, p in found:
            cells += [fmt(num(p, "delivered_per_s")), fmt(num(p, "server_cpu_us_per_message")),
                      ratio(num(p, "delivered_per_s"), num(peer["ejabberd"], "delivered_per_s")),
                      ratio(num(p, "delivered_per_s"), num(peer["mosquitto"], "delivered_per_s")),
                      ok_mark(runs.get((key, f"w1-c{c}")))]
        rows.append("| " + " | ".join(cells) + " |")
    if not rows:
        return
    out.append("### What durable storage costs W1\n")
    out.append(
        "The same sottod (`apps/sottod/serve.cpp`: the same TLS, WebSockets, service and "
        "threads) on two lab stores instead of SQLite, built for this measurement only "
        "(`bench/load/README.md`). **Durable log**: the in-memory test store behind an "
        "append-only log that is fdatasync'd (group commit) before any change is applied and "
        "answered, as durable as sottod per message but with no recovery: what a mailbox "
        "\"fast lane\" (a log append instead of SQLite's insert and delete) could give. "
        "**No storage**: the in-memory test store alone, nothing durable: what the protocol and "
        "transport allow on this machine with storage for free. Neither is a product "
        "configuration; the ratios are against the peers' runs of this report.\n")
    head, align = ["C", "Sotto msg/s", "Sotto µs/msg"], ["---:"] * 3
    for _, title in labs:
        head += [f"{title} msg/s", "µs/msg", "÷ ejabberd", "÷ mosquitto", "exactly once"]
        align += ["---:"] * 4 + ["---"]
    out.append("| " + " | ".join(head) + " |")
    out.append("|" + "|".join(align) + "|")
    out.extend(rows)
    out.append("")


def w2_section(runs, out):
    out.append("## W2 — idle authenticated connections\n")
    out.append(
        "Connections held in stages by several generator processes (20 000 open files per "
        "process); server resident memory growth per connection over a baseline taken from a "
        "fresh server process (every server is restarted after its accounts were made), and "
        "the server's CPU while they idle.\n")
    out.append("| server | TLS | connections | still up | server RSS MB | KB per connection | "
               "KB per connection (this stage) | idle server CPU % | connect+login/s | ok |")
    out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for s in SERVERS:
        run = runs.get((s, "w2"))
        if run is None:
            continue
        for st in run.get("result", {}).get("stages", []):
            logged = sum(num(w, "online", default=0) for w in st.get("workers", []))
            secs = max([num(w, "online_s", default=0) for w in st.get("workers", [])] or [0])
            out.append(
                f"| {TITLE[s]} | {'TLS 1.3' if s == 'sotto' else 'no'} | {fmt(num(st, 'online'))} | "
                f"{fmt(num(st, 'still_online'))} | {fmt(num(st, 'server_rss_kb', default=0) / 1024, 1)} | "
                f"{fmt(num(st, 'kb_per_connection'), 2)} | "
                f"{fmt(num(st, 'kb_per_connection_this_stage'), 2)} | "
                f"{fmt(num(st, 'idle_cpu', 'server_cpu_pct_of_core'), 1)} | "
                f"{fmt(logged / secs if secs else None)} | {ok_mark(run)} |")
    out.append("")
    m = metrics(runs)
    rows = [f"| Sotto ÷ {p} | {ratio(m['sotto'].get('w2_kb_per_connection'), m[p].get('w2_kb_per_connection'))} |"
            for p in PEERS if (p, "w2") in runs and ("sotto", "w2") in runs]
    if rows:
        out.append("| ratio at the largest stage | KB per connection (lower: Sotto leaner) |")
        out.append("|---|---:|")
        out.extend(rows)
        out.append("")


def w3_section(runs, meta, out):
    out.append("## W3 — offline delivery\n")
    out.append(
        "10 senders send to one offline recipient, each with 32 unanswered sends at most; "
        "then the recipient logs in and receives everything. Store rate: acknowledged sends "
        "per second (Sotto: the 200 after the durable commit; mosquitto: PUBACK of QoS 1; "
        "ejabberd: XMPP has no per-message answer, so each sender follows every 16 messages "
        "with a ping, whose result means the messages before it were routed to the offline "
        "store). Drain rate: messages per second from the recipient's connect to the last "
        "delivery.\n")
    out.append("| server | TLS | durable | messages | store msg/s | drain msg/s | "
               "time to empty queue s | server RSS MB after | exactly once |")
    out.append("|---|---|---|---:|---:|---:|---:|---:|---|")
    for s in SERVERS:
        run = runs.get((s, "w3"))
        if run is None:
            continue
        r = run.get("result", {})
        durable = {"sotto": "SQLite, fsync", "ejabberd": "mnesia (no fsync)",
                   "mosquitto": "no (QoS 1, in memory)"}[s]
        out.append(
            f"| {TITLE[s]} | {'TLS 1.3' if s == 'sotto' else 'no'} | {durable} | "
            f"{fmt(num(r, 'messages'))} | {fmt(num(r, 'store', 'acked_per_s'))} | "
            f"{fmt(num(r, 'drain', 'delivered_per_s'))} | {fmt(num(r, 'drain', 'queue_empty_s'), 2)} | "
            f"{fmt(num(r, 'drain', 'server_rss_kb', default=0) / 1024, 1)} | {ok_mark(run)} |")
    out.append("")
    m = metrics(runs)
    rows = [f"| Sotto ÷ {p} | {ratio(m['sotto'].get('w3_store_per_s'), m[p].get('w3_store_per_s'))} | "
            f"{ratio(m['sotto'].get('w3_drain_per_s'), m[p].get('w3_drain_per_s'))} |"
            for p in PEERS if (p, "w3") in runs and ("sotto", "w3") in runs]
    if rows:
        out.append("| ratio | store (higher: Sotto faster) | drain (higher: Sotto faster) |")
        out.append("|---|---:|---:|")
        out.extend(rows)
        out.append("")
    ej = runs.get(("ejabberd", "w3"))
    so = runs.get(("sotto", "w3"))
    if ej and so and num(ej, "result", "messages") != num(so, "result", "messages"):
        out.append(
            f"ejabberd stores {fmt(num(ej, 'result', 'messages'))} messages here, not "
            f"{fmt(num(so, 'result', 'messages'))}: its offline store to one user slows down as "
            "that user's queue grows (mod_offline's mnesia table), so 100 000 would take about "
            "an hour. The smaller queue flatters ejabberd's rates.\n")


def goals_section(runs, goals_path, out):
    out.append("## Goals of the issue\n")
    try:
        with open(goals_path) as f:
            goals = json.load(f)["goals"]
    except (OSError, json.JSONDecodeError, KeyError) as e:
        out.append(f"(no goals: {e})\n")
        return
    m = metrics(runs)
    out.append("| goal | Sotto | reference | met? |")
    out.append("|---|---:|---:|---|")
    for g in goals:
        mine = m["sotto"].get(g["metric"])
        if "peer" in g:
            ref = m.get(g["peer"], {}).get(g["metric"])
            ref = ref * g.get("factor", 1.0) if ref is not None else None
            ref_text = f"{g['peer']} × {g.get('factor', 1.0)}: {fmt(ref, g.get('digits', 0))}"
        else:
            ref = g["value"]
            ref_text = fmt(ref, g.get("digits", 0))
        if mine is None or ref is None:
            verdict = "not measured"
        else:
            met = mine >= ref if g["compare"] == ">=" else mine <= ref
            verdict = "met" if met else "**not met**"
        out.append(f"| {g['goal']} | {fmt(mine, g.get('digits', 0))} | {ref_text} | {verdict} |")
    out.append("")


def gnuplot(script, cwd):
    try:
        subprocess.run(["gnuplot"], input=script, text=True, cwd=cwd, check=True)
        return True
    except (OSError, subprocess.CalledProcessError) as e:
        print(f"gnuplot failed: {e}", file=sys.stderr)
        return False


def plots(runs, results, img_dir):
    """Three PNGs; returns the names of those drawn."""
    os.makedirs(img_dir, exist_ok=True)
    data = os.path.join(results, "plot-data")
    os.makedirs(data, exist_ok=True)
    drawn = []
    term = "set terminal pngcairo size 900,560 font 'sans,10'\nset grid\nset key top left\n"
    styles = {"sotto": 1, "ejabberd": 2, "mosquitto": 3}

    def write_data(name, rows):
        path = os.path.join(data, name)
        with open(path, "w") as f:
            f.writelines(" ".join(str(v) for v in row) + "\n" for row in rows)
        return path

    def draw(name, settings, lines):
        if lines and gnuplot(term + f"set output '{img_dir}/{name}'\n" + settings +
                             "plot " + ", ".join(lines) + "\n", data):
            drawn.append(name)

    # Throughput vs clients.
    lines = []
    for s in SERVERS:
        pts = [(c, num(phase(runs.get((s, f"w1-c{c}")), "closed"), "delivered_per_s"))
               for c in w1_clients(runs)]
        pts = [(c, v) for c, v in pts if v is not None]
        if not pts:
            continue
        path = write_data(f"w1-{s}.dat", pts)
        lines.append(f"'{path}' using 1:2 with linespoints lt {styles[s]} lw 2 pt 7 "
                     f"title '{TITLE[s]}'")
    cs = w1_clients(runs)
    if cs:
        draw("w1-throughput.png",
             f"set xrange [{cs[0] / 2}:{cs[-1] * 2}]\nset key top right\n"
             "set xtics (" + ", ".join(f'"{c}" {c}' for c in cs) + ")\n"
             "set title 'W1: maximum delivered messages/s (closed loop) vs clients online'\n"
             "set logscale x\nset xlabel 'clients'\nset ylabel 'delivered messages/s'\n"
             "set yrange [0:*]\n", lines)

    # Latency CDF at 50 % load.
    lines = []
    for s in SERVERS:
        for i, c in enumerate(w1_clients(runs)):
            cdf = ((phase(runs.get((s, f"w1-c{c}")), "open") or {}).get("latency", {})
                   .get("cdf", []))
            if not cdf:
                continue
            path = write_data(f"cdf-{s}-{c}.dat", ((max(ms, 0.001), pct) for pct, ms in cdf))
            lines.append(f"'{path}' using 1:2 with lines lt {styles[s]} lw 2 dt {1 + i} "
                         f"title '{TITLE[s]}, C={c}'")
    draw("w1-latency-cdf.png",
         "set title 'W1: latency at 50 % of the maximum rate (open loop), CDF'\n"
         "set logscale x\nset xlabel 'send to receipt, ms'\nset ylabel 'percentile'\n"
         "set yrange [0:100]\nset key bottom right\n", lines)

    # Memory per connection per W2 stage.
    lines = []
    for s in SERVERS:
        stages = (runs.get((s, "w2")) or {}).get("result", {}).get("stages", [])
        pts = [(num(st, "online"), num(st, "kb_per_connection")) for st in stages]
        pts = [(c, v) for c, v in pts if c is not None and v is not None]
        if not pts:
            continue
        path = write_data(f"w2-{s}.dat", pts)
        lines.append(f"'{path}' using 1:2 with linespoints lt {styles[s]} lw 2 pt 7 "
                     f"title '{TITLE[s]}'")
    draw("w2-memory.png",
         "set title 'W2: server memory growth per idle connection (VmRSS over the baseline)'\n"
         "set xlabel 'connections'\nset ylabel 'KB per connection'\nset yrange [0:*]\n"
         "set offsets graph 0.05, graph 0.05, 0, 0\n", lines)
    return drawn


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--results", required=True)
    ap.add_argument("--docs", required=True)
    args = ap.parse_args()
    # gnuplot runs in the data folder: every path it sees is absolute.
    args.results = os.path.abspath(args.results)
    args.docs = os.path.abspath(args.docs)
    runs = load(args.results)
    meta = {}
    try:
        with open(os.path.join(args.results, "meta.json")) as f:
            meta = json.load(f)
    except (OSError, json.JSONDecodeError):
        pass
    commands = []
    try:
        with open(os.path.join(args.results, "commands.txt")) as f:
            commands = [line.rstrip("\n") for line in f if line.strip()]
    except OSError:
        pass

    img_dir = os.path.join(args.docs, "benchmarks")
    drawn = plots(runs, args.results, img_dir)

    out = ["<!-- SPDX-License-Identifier: Apache-2.0 -->",
           "<!-- Written by scripts/bench-report.sh (bench/report/make_report.py): edit those, "
           "not this file. -->",
           "# Benchmarks: sottod and its peers\n"]
    if meta.get("quick"):
        out.append("> **Quick run** (`--quick`): short windows and small loads to check the "
                   "pipeline. These figures are not the benchmark.\n")
    out.append(
        f"Measured on {meta.get('date', '?')}: {meta.get('cpus', '?')} × "
        f"{meta.get('cpu_model', '?')}, {fmt((meta.get('memory_kb') or 0) / 1048576, 1)} GB, "
        f"{meta.get('os', '?')}, kernel {meta.get('kernel', '?')}; Sotto at commit "
        f"`{meta.get('sotto_commit', '?')}`, ejabberd {meta.get('ejabberd_version', '?')} "
        f"(Erlang {meta.get('erlang_version', '?')}), mosquitto {meta.get('mosquitto_version', '?')}. "
        "Server and generator share the machine; the generator's CPU and the machine's busy "
        "share are reported next to the server's, so foreign load shows.\n")
    out.append(f"Reproduce with `{meta.get('command', 'scripts/bench-report.sh')}` (it installs "
               "ejabberd, mosquitto and gnuplot from Debian if missing, builds Release, waits for "
               "an idle machine before each run, and rewrites this file). The runs:\n")
    if commands:
        out.append("```sh")
        out.extend(commands)
        out.append("```\n")

    out.append("## What each server does for a message\n")
    out.append("Every server meets the same generator (`sotto-bench`, one epoll thread, clients "
               "on 127.0.0.2–.9) on loopback, with the same workloads, and every run checks "
               "that each acknowledged message arrived exactly once. The work per message is "
               "not the same:\n")
    out.append("| server | transport | durability | payload |")
    out.append("|---|---|---|---|")
    for s in SERVERS:
        if any(k[0] == s for k in runs):
            t, d, p = SETUP[s]
            out.append(f"| {TITLE[s]} | {t} | {d} | {p} |")
    out.append("")
    out.append("A ratio is Sotto's figure divided by the peer's, from the same report run. Where "
               "the peer runs without TLS or durability, a ratio below 1 for throughput is "
               "partly the price of those guarantees.\n")

    w1_section(runs, out)
    w1_storage_section(runs, out)
    if "w1-throughput.png" in drawn:
        out.append("![W1 throughput vs clients](benchmarks/w1-throughput.png)\n")
    if "w1-latency-cdf.png" in drawn:
        out.append("![W1 latency CDF at 50 % load](benchmarks/w1-latency-cdf.png)\n")
    w2_section(runs, out)
    if "w2-memory.png" in drawn:
        out.append("![W2 memory per connection](benchmarks/w2-memory.png)\n")
    w3_section(runs, meta, out)
    goals_section(runs, os.path.join(os.path.dirname(os.path.abspath(__file__)), "goals.json"),
                  out)

    failed = [f"{s} {label}" for (s, label), r in sorted(runs.items()) if not r.get("ok")]
    out.append("## Checks\n")
    if failed:
        out.append("These runs FAILED their checks (lost, duplicated or refused messages, "
                   "dropped connections or setup errors; see their JSON): " + ", ".join(failed)
                   + ".\n")
    else:
        out.append(f"All {len(runs)} runs passed their checks: every acknowledged message "
                   "delivered exactly once, no connection dropped, setup complete.\n")
    out.append("## Limits\n")
    out.append(
        "- Two cores for server and generator: when the generator takes a large share, the "
        "figures are lower bounds for every server alike.\n"
        "- The closed-loop latency is queueing (Little's law); the open loop is the latency "
        "figure.\n"
        "- Messages without a protocol answer (ejabberd W1, mosquitto QoS 0) count as "
        "acknowledged when sent; the exactly-once check then asks that every sent message "
        "arrive once.\n"
        "- mosquitto listens with a backlog of 100 while the generator opens 200 connections "
        "at a time, so some of its connects wait for a SYN retransmission.\n"
        "- How the workloads are driven: `bench/load/README.md`.\n")

    path = os.path.join(args.docs, "benchmarks.md")
    with open(path, "w") as f:
        f.write("\n".join(out).rstrip() + "\n")
    print(f"wrote {path} and {len(drawn)} plots in {img_dir}")


if __name__ == "__main__":
    main()
