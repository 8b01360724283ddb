#!/usr/bin/env python3
"""bench/compare_report.py - the table of bench/compare.sh.

usage: compare_report.py RES_DIR NOTES_FILE OUT_PREFIX CAIRN_REV CONC DURATION WARMUP

Reads RES_DIR/<server>.<workload>.json (written by cairn-bench --json),
RES_DIR/rss-idle.txt and RES_DIR/rss-after.txt, and writes OUT_PREFIX.md
(also printed) and OUT_PREFIX.json. Ratios are oriented so that > 1 means
cairn is better: throughput cairn/peer, latency peer/cairn.
"""
import glob
import json
import os
import platform
import sys

res_dir, notes_file, out, rev, conc, dur, warm = sys.argv[1:8]
SERVERS = ["cairn", "cairn4", "rgw", "s3rver", "nginx"]
NAMES = {"cairn": "cairn", "cairn4": "cairn 4 drives", "rgw": "Ceph RGW", "s3rver": "s3rver", "nginx": "nginx WebDAV"}

runs = {}
for path in glob.glob(os.path.join(res_dir, "*.json")):
    srv, name = os.path.basename(path)[:-5].split(".", 1)
    try:
        with open(path) as f:
            runs[(srv, name)] = json.load(f)
    except (OSError, ValueError):
        pass
servers = [s for s in SERVERS if any(k[0] == s for k in runs)]

# (label, workload run, op, metric, higher_is_better, format)
ROWS = [
    ("4 KiB PUT ops/s", "put4k", "PUT", "ops_per_s", True, "{:,.0f}"),
    ("4 KiB GET ops/s", "get4k", "GET", "ops_per_s", True, "{:,.0f}"),
    ("1 MiB PUT MiB/s", "put1m", "PUT", "mib_per_s", True, "{:,.0f}"),
    ("1 MiB GET MiB/s", "get1m", "GET", "mib_per_s", True, "{:,.0f}"),
    ("64 MiB PUT MiB/s", "put64m", "PUT", "mib_per_s", True, "{:,.0f}"),
    ("64 MiB GET MiB/s", "get64m", "GET", "mib_per_s", True, "{:,.0f}"),
    ("mixed 64 KiB ops/s (all ops)", "mixed64k", "*", "ops_per_s", True, "{:,.0f}"),
    ("list 10k: pages/s (c16)", "list10k", "LIST", "ops_per_s", True, "{:,.1f}"),
    ("list 10k: page p50 ms (c16)", "list10k", "LIST", "p50", False, "{:,.2f}"),
    ("list 10k: page p50 ms (c1)", "list10k-c1", "LIST", "p50", False, "{:,.2f}"),
    ("list 1M: pages/s (c16)", "list1m", "LIST", "ops_per_s", True, "{:,.1f}"),
    ("list 1M: page p50 ms (c16)", "list1m", "LIST", "p50", False, "{:,.2f}"),
    ("list 1M: page p50 ms (c1)", "list1m-c1", "LIST", "p50", False, "{:,.2f}"),
]


def value(srv, run, op, metric):
    r = runs.get((srv, run))
    if not r:
        return None, 0
    ops = r.get("ops", {})
    errs = sum(o.get("errors", 0) for o in ops.values())
    if op == "*":
        if metric == "ops_per_s":
            return sum(o["ops_per_s"] for o in ops.values()), errs
        return None, errs
    o = ops.get(op)
    if not o or not o.get("ops"):
        return None, errs
    if metric in ("p50", "p99"):
        return o["lat_ms"][metric], errs
    return o[metric], errs


table = []
for label, run, op, metric, hib, fmt in ROWS:
    row = {"row": label, "run": run, "op": op, "metric": metric, "higher_is_better": hib, "values": {}, "errors": {}}
    for s in servers:
        v, e = value(s, run, op, metric)
        row["values"][s] = v
        row["errors"][s] = e
    if any(v is not None for v in row["values"].values()):
        table.append((row, fmt))

lines = []
P = lines.append
P(f"cairn `{rev}`, concurrency {conc}, {dur} s measured after {warm} s warm-up per workload; "
  f"ratios: > 1 means cairn is better (throughput cairn ÷ peer, latency peer ÷ cairn).")
P("")
peers = [s for s in servers if s != "cairn"]
hdr = "| workload | " + " | ".join(NAMES[s] for s in servers) + " | " + " | ".join(f"cairn vs {NAMES[s]}" for s in peers) + " |"
P(hdr)
P("|---|" + "---:|" * (len(servers) + len(peers)))
for row, fmt in table:
    cells = []
    for s in servers:
        v = row["values"][s]
        c = "–" if v is None else fmt.format(v)
        if row["errors"][s]:
            c += f" ({row['errors'][s]} err)"
        cells.append(c)
    rat = []
    c0 = row["values"].get("cairn")
    for s in peers:
        v = row["values"][s]
        if c0 is None or v is None or v == 0 or c0 == 0:
            rat.append("–")
        else:
            rat.append("{:.2f}".format(c0 / v if row["higher_is_better"] else v / c0))
    P(f"| {row['row']} | " + " | ".join(cells) + " | " + " | ".join(rat) + " |")

# latency detail
P("")
P("Latency per request (ms), p50 / p99 / max:")
P("")
P("| workload | " + " | ".join(NAMES[s] for s in servers) + " |")
P("|---|" + "---:|" * len(servers))
for run, op, label in [("put4k", "PUT", "4 KiB PUT"), ("get4k", "GET", "4 KiB GET"), ("put1m", "PUT", "1 MiB PUT"),
                       ("get1m", "GET", "1 MiB GET"), ("put64m", "PUT", "64 MiB PUT"), ("get64m", "GET", "64 MiB GET"),
                       ("mixed64k", "GET", "mixed: GET"), ("mixed64k", "PUT", "mixed: PUT"),
                       ("mixed64k", "STAT", "mixed: STAT"), ("mixed64k", "DELETE", "mixed: DELETE"),
                       ("list10k", "LIST", "list 10k page (c16)"), ("list10k-c1", "LIST", "list 10k page (c1)"),
                       ("list1m", "LIST", "list 1M page (c16)"), ("list1m-c1", "LIST", "list 1M page (c1)")]:
    cells = []
    anyv = False
    for s in servers:
        o = runs.get((s, run), {}).get("ops", {}).get(op)
        if o and o.get("ops"):
            l = o["lat_ms"]
            cells.append(f"{l['p50']:.2f} / {l['p99']:.2f} / {l['max']:.1f}")
            anyv = True
        else:
            cells.append("–")
    if anyv:
        P(f"| {label} | " + " | ".join(cells) + " |")

# memory and CPU
idle = {}
try:
    for line in open(os.path.join(res_dir, "rss-idle.txt")):
        s, _, rss, anon = line.split()
        idle[s] = (int(rss), int(anon))
except OSError:
    pass
P("")
P("Server memory (MiB): VmRSS idle after start; then VmRSS at the end of each workload, and in brackets the "
  "peak anonymous memory (RssAnon) during it. Summed over the server's processes (nginx: master + workers; "
  "Ceph: mon + mgr + osd + radosgw).")
P("")
P("| | " + " | ".join(NAMES[s] for s in servers) + " |")
P("|---|" + "---:|" * len(servers))
P("| idle | " + " | ".join(f"{idle[s][0] / 1024:.1f} (anon {idle[s][1] / 1024:.1f})" if s in idle else "–" for s in servers) + " |")
for run in ["put4k", "get4k", "put1m", "get1m", "put64m", "get64m", "mixed64k", "list10k", "list1m"]:
    cells = []
    anyv = False
    for s in servers:
        r = runs.get((s, run))
        sv = r.get("server") if r else None
        if sv:
            cells.append(f"{sv['rss_end_kib'] / 1024:.1f} ({sv.get('anon_max_kib', 0) / 1024:.1f})")
            anyv = True
        else:
            cells.append("–")
    if anyv:
        P(f"| after {run} | " + " | ".join(cells) + " |")

P("")
P("CPU during the measured window, % of one core: server (all its processes) / cairn-bench itself.")
P("")
P("| workload | " + " | ".join(NAMES[s] for s in servers) + " |")
P("|---|" + "---:|" * len(servers))
for run in ["put4k", "get4k", "put1m", "get1m", "put64m", "get64m", "mixed64k", "list10k", "list10k-c1", "list1m", "list1m-c1"]:
    cells = []
    anyv = False
    for s in servers:
        r = runs.get((s, run))
        if r:
            sc = r.get("server", {}).get("cpu_pct")
            cells.append(f"{sc:.0f} / {r['client_cpu_pct']:.0f}" if sc is not None else f"– / {r['client_cpu_pct']:.0f}")
            anyv = True
        else:
            cells.append("–")
    if anyv:
        P(f"| {run} | " + " | ".join(cells) + " |")

errs = []
for (s, run), r in sorted(runs.items()):
    for op, o in r.get("ops", {}).items():
        for kind, n in o.get("errors_by_kind", {}).items():
            errs.append(f"- {NAMES.get(s, s)} {run} {op}: {n} × {kind}")
P("")
if errs:
    P("Errors (counted, never folded into throughput):")
    P("")
    lines.extend(errs)
else:
    P("No errors in any workload.")
try:
    notes = [l.strip() for l in open(notes_file) if l.strip()]
except OSError:
    notes = []
if notes:
    P("")
    P("Notes:")
    P("")
    lines.extend(f"- {n}" for n in notes)

text = "\n".join(lines) + "\n"
print(text)
with open(out + ".md", "w") as f:
    f.write(text)
with open(out + ".json", "w") as f:
    json.dump({"cairn_rev": rev, "concurrency": int(conc), "duration_s": float(dur), "warmup_s": float(warm),
               "host": platform.node(), "table": [r for r, _ in table], "idle_rss_kib": idle,
               "runs": {f"{s}.{n}": r for (s, n), r in runs.items()}, "notes": notes}, f, indent=1)
