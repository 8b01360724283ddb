#!/usr/bin/env bash
# bench/cluster.sh - what distribution costs: the same 8 drives (EC:4) served
# (a) by one cairn process, and (b) by 4 cairn processes x 2 drives on
# 127.0.0.1 forming one deployment (issue 5), which lock every write on a
# majority of nodes and reach 6 of the 8 drives over the signed internal RPC.
#
#   bench/cluster.sh               # build if needed (ninja -C build), 3 rounds, ~13 minutes
#
# Load (cairn-bench, SigV4, UNSIGNED-PAYLOAD): 4 KiB PUT/GET (ops/s), 1 MiB and
# 16 MiB PUT/GET (MiB/s), total concurrency 16.  cairn-bench takes one
# endpoint, so every workload runs 4 cairn-bench processes in parallel with
# concurrency 4 each, one per node for the cluster and all four against the
# one node for (a): the same client shape on both sides.  Throughput is their
# sum; p50 is the ops-weighted mean of their p50s, p99 the largest of their
# p99s (cairn-bench writes percentiles, not histograms, to JSON).  Rounds
# alternate the order (a,b then b,a) per workload so the machine's noise hits
# both; the table shows the median and every round.  Also measured:
#   - unloaded latency: 4 KiB PUT/GET over 1 connection (one client, node 1)
#   - server CPU over each window (cairn-bench --pid, every process summed):
#     CPU ms per op / CPU s per GiB; the event-loop thread's share (/proc)
#   - idle: the CPU each deployment burns for 10 s after the runs, with the
#     objects in place (the background heal scanner), and the internal calls
#     node 1 sends meanwhile
#   - perf record -g of node 1 (cluster) and of the single node during an
#     extra 4 KiB PUT run: CPU by DSO and the top symbols
#   Then, on a fresh single node and a fresh 4-node cluster started with
#   CAIRN_HEAL_OBJECTS_PER_SECOND=1 (the scanner nearly off) and holding only
#   a few objects ("quiet"), so the numbers are the requests' own:
#   - 4 KiB PUT/GET over 1 connection again
#   - the internal calls one request makes: strace of node 1's writev() during
#     N requests through it, counting "POST /cairn-internal/v1/OP", minus the
#     rate of a 3 s baseline without requests
#   - one internal call's round trip: a raw-socket Python client sends signed
#     lock/unlock (answered on the event loop) and dsize (a service worker
#     stat()s a missing shard) to node 2, beside a floor (GET on the RPC
#     prefix, refused with 405 before any signature work)
#
# Environment (all optional):
#   CAIRN_BIN=...               cairn binary (cairn-bench next to it in bench/); default: build/
#   BENCH_DURATION=10 BENCH_WARMUP=2 BENCH_ROUNDS=3 BENCH_CONCURRENCY=16 (split over 4 clients)
#   BENCH_WORKLOADS="put4k get4k put1m get1m put16m get16m"
#   BENCH_C1=1                  the 1-connection 4 KiB PUT/GET rows in every round (0: skip)
#   BENCH_PERF=1 BENCH_PERF_SECONDS=5   perf record during an extra 4 KiB PUT run (0: skip)
#   BENCH_STRACE=1              count internal calls and the idle calls with strace (0: skip)
#   BENCH_MAX_LOAD=1.5 BENCH_LOAD_WAIT=900   before starting, wait (re-checking every minute,
#                               at most this long) while the 1-minute load average is above
#                               BENCH_MAX_LOAD; the load is recorded at start, middle, end
#   BENCH_IDLE_TIMEOUT_MS=      CAIRN_IDLE_TIMEOUT_MS for every server (default: the server's,
#                               60 s).  cairn before 3d08b41 reused pooled internal
#                               connections the peer had closed after 60 s idle and the
#                               first burst of writes after such a pause failed (nodes
#                               marked stale, restarts, 503s; bench/RESULTS.md): to measure
#                               such a build, set 3600000
#   BENCH_TMP=/var/tmp          parent of the temp dir (not tmpfs: the disk is measured)
#   BENCH_RESULTS=bench/results where cluster-<date>.json goes
#   BENCH_KEEP=1                keep the temp dir (server logs, raw results) instead of removing it
#
# Not a test: prints one table (and writes JSON); failed requests, node
# restarts and server warnings are listed under PROBLEMS.  Every server it
# starts is stopped (by PID) and its temp dir removed on exit, also on Ctrl-C.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
DURATION=${BENCH_DURATION:-10}
WARMUP=${BENCH_WARMUP:-2}
ROUNDS=${BENCH_ROUNDS:-3}
CONC=${BENCH_CONCURRENCY:-16}
WORKLOADS=${BENCH_WORKLOADS:-put4k get4k put1m get1m put16m get16m}
DO_C1=${BENCH_C1:-1}
DO_PERF=${BENCH_PERF:-1}
PERF_S=${BENCH_PERF_SECONDS:-5}
DO_STRACE=${BENCH_STRACE:-1}
MAX_LOAD=${BENCH_MAX_LOAD:-1.5}
LOAD_WAIT=${BENCH_LOAD_WAIT:-900}
IDLE_MS=${BENCH_IDLE_TIMEOUT_MS:-}
RESULTS_DIR=${BENCH_RESULTS:-$HERE/results}
LOGS=()
NCLI=4                                   # one client per node
PER=$(( CONC / NCLI )); (( PER >= 1 )) || PER=1
AK=benchroot SK=bench-root-secret-0123456789
T0=$(date +%s)

log() { printf '[%4ds] %s\n' $(( $(date +%s) - T0 )) "$*" >&2; }
die() {
    log "FATAL: $*"
    local f
    for f in "${LOGS[@]}"; do [[ -f $f ]] && { echo "== $f (last 15 lines)" >&2; tail -n 15 "$f" >&2; }; done
    exit 1
}

# ---------------------------------------------------------------- build
USER_CAIRN_BIN=${CAIRN_BIN:-}
for p in python3 curl; do command -v "$p" >/dev/null || die "$p is needed"; done
if [[ -z ${CAIRN_BIN:-} ]]; then
    [[ -d $REPO/build ]] || (cd "$REPO" && meson setup build --buildtype=release >/dev/null) || die "meson setup build failed"
    # another engineer may be mid-edit: a failed build is retried a few times
    for try in 1 2 3 4 5; do
        ninja -C "$REPO/build" cairn bench/cairn-bench >"${TMPDIR:-/tmp}/cairn-cluster-build.$$" 2>&1 && break
        (( try == 5 )) && { tail -20 "${TMPDIR:-/tmp}/cairn-cluster-build.$$" >&2; rm -f "${TMPDIR:-/tmp}/cairn-cluster-build.$$"; die "ninja -C build failed 5 times"; }
        log "ninja -C build failed (try $try): retrying in 60 s"
        sleep 60
    done
    rm -f "${TMPDIR:-/tmp}/cairn-cluster-build.$$"
    CAIRN_BIN=$REPO/build/cairn
fi
SRC_CB=$(dirname "$CAIRN_BIN")/bench/cairn-bench
[[ -x $CAIRN_BIN && -x $SRC_CB ]] || die "missing $CAIRN_BIN or $SRC_CB"
GIT_REV=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)
GIT_DIRTY=$(git -C "$REPO" status --porcelain -- cluster server s3api storage iam common meson.build 2>/dev/null | grep -c '^ \?M' || true)
BUILDTYPE=$(python3 -c 'import json,sys
try: print([x["value"] for x in json.load(open(sys.argv[1]+"/meson-info/intro-buildoptions.json")) if x["name"]=="buildtype"][0])
except Exception: print("unknown")' "$(dirname "$CAIRN_BIN")")
BIN_MTIME=$(date -u -r "$CAIRN_BIN" +%Y-%m-%dT%H:%M:%SZ)

# ---------------------------------------------------------------- workspace
W=$(mktemp -d "${BENCH_TMP:-/var/tmp}/cairn-cluster.XXXXXX") || die "mktemp failed"
ALL_PIDS=()       # servers
AUX_PIDS=()       # clients, strace
PERF_PID=""
cleanup() {
    local p
    [[ -n $PERF_PID ]] && kill "$PERF_PID" 2>/dev/null
    [[ -n ${STRACE_PID:-} ]] && kill "$STRACE_PID" 2>/dev/null
    for p in "${AUX_PIDS[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${ALL_PIDS[@]}"; do kill "$p" 2>/dev/null; done
    for _ in $(seq 100); do
        local alive=0
        for p in "${ALL_PIDS[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
        (( alive )) || break
        sleep 0.1
    done
    for p in "${ALL_PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
    if [[ ${BENCH_KEEP:-0} == 1 ]]; then log "kept $W"; else rm -rf "$W"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# the binaries are copied: a rebuild in build/ during the run changes nothing here
mkdir -p "$W/bin" "$W/runs"
cp "$CAIRN_BIN" "$W/bin/cairn" && cp "$SRC_CB" "$W/bin/cairn-bench" || die "cannot copy the binaries"
BIN=$W/bin/cairn CB=$W/bin/cairn-bench
PROBLEMS=$W/problems.txt; : >"$PROBLEMS"
problem() { log "PROBLEM: $*"; printf '%s\n' "$*" >>"$PROBLEMS"; }
CLK=$(getconf CLK_TCK)

# ---------------------------------------------------------------- wait for a quiet machine
load1() { cut -d' ' -f1 /proc/loadavg; }
waited=0
while awk -v l="$(load1)" -v m="$MAX_LOAD" 'BEGIN{exit !(l > m)}'; do
    if (( waited >= LOAD_WAIT )); then
        log "load average still $(load1) after ${waited}s: measuring anyway"
        problem "load average $(load1) above $MAX_LOAD after waiting ${waited}s: measured on a busy machine"
        break
    fi
    log "load average $(load1) > $MAX_LOAD (other work on the machine): re-checking in 60 s"
    sleep 60; waited=$(( waited + 60 ))
done
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
log "load average at start: $LOAD_START (waited ${waited}s)"

# ---------------------------------------------------------------- servers
# start_single DEP LOGSUFFIX ENV...: one process, 8 drives; start_cluster DEP LOGSUFFIX ENV...:
# 4 x 2 drives.  Each sets DEP_EPS[DEP], DEP_PIDS[DEP], DEP_LOGS[DEP] (space-separated, node order).
declare -A DEP_EPS DEP_PIDS DEP_LOGS
USED_PORTS=""   # never handed out twice (a server may not have bound its port yet)
# free_ports N: N distinct free ports of 127.0.0.1, none of USED_PORTS (sets FREE_PORTS)
free_ports() {
    read -r -a FREE_PORTS < <(python3 -c '
import socket, sys
n, used = int(sys.argv[1]), set(sys.argv[2].split())
held, out = [], []
while len(out) < n:
    s = socket.socket(); s.bind(("127.0.0.1", 0)); held.append(s)
    p = str(s.getsockname()[1])
    if p not in used and p not in out: out.append(p)
print(" ".join(out))' "$1" "$USED_PORTS")
    USED_PORTS+=" ${FREE_PORTS[*]}"
}
SENV=("CAIRN_ROOT_USER=$AK" "CAIRN_ROOT_PASSWORD=$SK")
[[ -n $IDLE_MS ]] && SENV+=("CAIRN_IDLE_TIMEOUT_MS=$IDLE_MS")
start_single() {
    local dep=$1 log=$2; shift 2
    free_ports 2; local ports=("${FREE_PORTS[@]}")
    env "${SENV[@]}" "$@" "$BIN" server --quiet --address "127.0.0.1:${ports[0]}" --console-address "127.0.0.1:${ports[1]}" \
        "$W/$dep/n{1...4}/d{1...2}" >"$W/$dep$log.log" 2>&1 &
    ALL_PIDS+=($!)
    DEP_PIDS[$dep]=$!
    DEP_EPS[$dep]="http://127.0.0.1:${ports[0]}"
    DEP_LOGS[$dep]="$W/$dep$log.log"
    LOGS+=("$W/$dep$log.log")
}
start_cluster() {
    local dep=$1 log=$2; shift 2
    local i eps=() pids=() logs=()
    free_ports 8; local ports=("${FREE_PORTS[@]}")
    for i in 0 1 2 3; do eps+=("http://127.0.0.1:${ports[i]}$W/$dep/n$((i + 1))/d{1...2}"); done
    for i in 0 1 2 3; do
        env "${SENV[@]}" "$@" "$BIN" server --quiet --address "127.0.0.1:${ports[i]}" --console-address "127.0.0.1:${ports[i + 4]}" \
            "${eps[@]}" >"$W/$dep-node$((i + 1))$log.log" 2>&1 &
        pids+=($!); ALL_PIDS+=($!)
        logs+=("$W/$dep-node$((i + 1))$log.log")
    done
    LOGS+=("${logs[@]}")
    DEP_LOGS[$dep]="${logs[*]}"
    DEP_PIDS[$dep]="${pids[*]}"
    DEP_EPS[$dep]="http://127.0.0.1:${ports[0]} http://127.0.0.1:${ports[1]} http://127.0.0.1:${ports[2]} http://127.0.0.1:${ports[3]}"
}
# stop_deps DEP...: SIGTERM, wait (10 s), then SIGKILL; a non-zero exit is a problem
stop_deps() {
    local dep p rc pids=()
    local more
    for dep in "$@"; do read -r -a more <<<"${DEP_PIDS[$dep]:-}"; pids+=("${more[@]}"); done
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${pids[@]}"; do
        for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$p" 2>/dev/null && { problem "pid $p did not stop within 10 s of SIGTERM: killed"; kill -9 "$p"; }
        wait "$p" 2>/dev/null; rc=$?
        (( rc == 0 )) || problem "server pid $p exited with status $rc after SIGTERM"
    done
    local keep=() q
    for q in "${ALL_PIDS[@]}"; do [[ " ${pids[*]} " == *" $q "* ]] || keep+=("$q"); done
    ALL_PIDS=("${keep[@]}")
    for dep in "$@"; do unset "DEP_PIDS[$dep]"; done   # never signal a pid that may be reused
}

# all_ready URL... TIMEOUT_S: 0 when every /minio/health/ready answers 200 in time
all_ready() {
    local limit=${*: -1} urls=("${@:1:$#-1}") t0 u ok
    t0=$(date +%s)
    while :; do
        ok=1
        for u in "${urls[@]}"; do
            [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$u/minio/health/ready") == 200 ]] || { ok=0; break; }
        done
        (( ok )) && return 0
        (( $(date +%s) - t0 >= limit )) && return 1
        sleep 0.2
    done
}

# up KIND DEP ENV...: start a deployment and wait until every node is ready (60 s);
# if it is not (a port taken meanwhile by another process, a node that died),
# stop it, say so, and try again on new ports (3 tries)
up() {
    local kind=$1 dep=$2 try f; shift 2
    for try in 1 2 3; do
        "start_$kind" "$dep" "$( (( try > 1 )) && echo ".try$try")" "$@"
        # shellcheck disable=SC2086
        all_ready ${DEP_EPS[$dep]} 60 && return 0
        problem "$dep (try $try) was not ready within 60 s; last log lines: $(for f in ${DEP_LOGS[$dep]}; do echo "[$(basename "$f")] $(tail -n 2 "$f" | tr '\n' ' ')"; done | cut -c1-900)"
        stop_deps "$dep"
    done
    die "$dep could not be started in 3 tries"
}

# log lines already reported, per log
declare -A SEEN
# check_logs WHEN: new warn/error lines in any server log since the last check
check_logs() {
    local f n new
    for f in "${LOGS[@]}"; do
        n=$(wc -l <"$f")
        if (( n > ${SEEN[$f]:-0} )); then
            new=$(sed -n "$(( ${SEEN[$f]:-0} + 1 )),${n}p" "$f" | grep -E ' (warn|error) ' |
                grep -v 'is offline: its node is down, starting, or rejoining' | grep -v 'cannot list buckets; next try' || true)
            if [[ -n $new ]]; then
                problem "$(basename "$f" .log) logged $(printf '%s\n' "$new" | wc -l) warn/error lines during $1, first: $(printf '%s\n' "$new" | head -2 | cut -c1-200 | tr '\n' '|')"
                printf '== %s (%s)\n%s\n' "$(basename "$f")" "$1" "$new" >>"$W/log-excerpts.txt"
            fi
            SEEN[$f]=$n
        fi
    done
}

t_start=$(date +%s.%N)
up single single
up cluster cluster
READY_S=$(awk -v a="$t_start" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')
log "one node (${DEP_EPS[single]}, pid ${DEP_PIDS[single]}) and 4 nodes (${DEP_EPS[cluster]}, pids ${DEP_PIDS[cluster]}) ready in ${READY_S}s"
# (joining nodes log their peers' drives as offline until every node has joined: not reported)
check_logs "start"

# ---------------------------------------------------------------- runs
# wl_def NAME -> WORKLOAD SIZE OBJECTS-PER-CLIENT BUCKET
wl_def() {
    case $1 in
        put4k)  echo "put 4KiB 2500 cl-put4k" ;;
        get4k)  echo "get 4KiB 250 cl-get4k" ;;
        put1m)  echo "put 1MiB 64 cl-put1m" ;;
        get1m)  echo "get 1MiB 16 cl-get1m" ;;
        put16m) echo "put 16MiB 8 cl-put16m" ;;
        get16m) echo "get 16MiB 4 cl-get16m" ;;
        *) return 1 ;;
    esac
}
for wl in $WORKLOADS; do wl_def "$wl" >/dev/null || die "unknown workload $wl"; done

# task_ticks PID...: "pid loop other" (main thread = event loop, the rest = worker threads)
task_ticks() {
    local p t
    for p in "$@"; do
        for t in /proc/"$p"/task/*; do
            [[ -r $t/stat ]] && sed -E 's/^([0-9]+) \(.*\) (.*)$/\1 \2/' "$t/stat" 2>/dev/null
        done | awk -v pid="$p" '{ if ($1 == pid) l += $13 + $14; else o += $13 + $14 } END { print pid, l + 0, o + 0 }'
    done
}

# machine_busy: "busy total" jiffies of all CPUs (/proc/stat), to see other work during a run
machine_busy() { awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat; }
# Both deployments stay up while either is measured.  The idle one is not
# stopped with SIGSTOP: a stopped cluster node's internal calls in flight
# pass their deadline while it is stopped, and on SIGCONT it marks its peers
# offline, a write misses a node and that node restarts to rejoin.  So the
# cluster's background work (the heal scanner, "idle" below) also runs while
# the single node is measured.

# run_set DEP KEY WL CLIENTS CONC [extra cairn-bench args]: one measured run
run_set() {
    local dep=$1 key=$2 name=$3 n=$4 conc=$5; shift 5
    local wl size objs bucket i ep pid extra=() cpids=() rc eps pids
    read -r wl size objs bucket < <(wl_def "$name")
    read -r -a eps <<<"${DEP_EPS[$dep]}"
    read -r -a pids <<<"${DEP_PIDS[$dep]}"
    [[ $wl == get ]] && extra+=(--no-prefill)
    all_ready "${eps[@]}" 30 || problem "$key: not every node of $dep was ready after 30 s (see the logs)"
    task_ticks "${pids[@]}" >"$W/runs/$key.ticks0"
    machine_busy >"$W/runs/$key.busy0"
    cut -d' ' -f1-3 /proc/loadavg >"$W/runs/$key.load"
    date +%s.%N >"$W/runs/$key.t0"
    for ((i = 0; i < n; i++)); do
        if (( ${#eps[@]} == 1 )); then
            ep=${eps[0]}; pid=""; (( i == 0 )) && pid=${pids[0]}
        else
            ep=${eps[i]}; pid=${pids[i]}
            (( n == 1 )) && pid=$(IFS=,; echo "${pids[*]}")
        fi
        "$CB" "$wl" --endpoint "$ep" --access-key "$AK" --secret-key "$SK" --bucket "$bucket" --prefix "c$i/" \
            --size "$size" --objects "$objs" --concurrency "$conc" --duration "$DURATION" --warmup "$WARMUP" \
            --no-create-bucket --seed $(( i + 1 )) ${pid:+--pid "$pid"} --quiet --json "$W/runs/$key.c$i.json" \
            "${extra[@]}" "$@" >"$W/runs/$key.c$i.out" 2>&1 &
        cpids+=($!); AUX_PIDS+=($!)
    done
    for ((i = 0; i < n; i++)); do
        wait "${cpids[i]}"; rc=$?
        echo "$rc" >"$W/runs/$key.c$i.rc"
        (( rc == 0 )) || problem "$key client $i (cairn-bench $wl) exit $rc: $(grep -m2 -i 'error\|fail' "$W/runs/$key.c$i.out" | tr '\n' ' ' | cut -c1-300)"
    done
    AUX_PIDS=()
    date +%s.%N >"$W/runs/$key.t1"
    task_ticks "${pids[@]}" >"$W/runs/$key.ticks1"
    machine_busy >"$W/runs/$key.busy1"
    check_logs "$key"
}

# summary of one run for the progress log
say_run() {
    python3 - "$W/runs" "$1" <<'PY'
import glob, json, sys
d, key = sys.argv[1:3]
js = [json.load(open(f)) for f in sorted(glob.glob(f"{d}/{key}.c*.json"))]
if not js: print(f"{key}: no result"); sys.exit()
op = next(iter(js[0]["ops"]))
o = [j["ops"][op] for j in js]
ops = sum(x["ops_per_s"] for x in o); mib = sum(x["mib_per_s"] for x in o)
p50 = sum(x["lat_ms"]["p50"] * x["ops"] for x in o) / max(1, sum(x["ops"] for x in o))
p99 = max(x["lat_ms"]["p99"] for x in o); err = sum(x["errors"] for x in o)
cpu = sum(j.get("server", {}).get("cpu_pct", 0) for j in js)
print(f"{key}: {ops:,.0f} ops/s, {mib:,.1f} MiB/s, p50 {p50:.2f} ms, p99 {p99:.2f} ms, server CPU {cpu:.0f}%, errors {err}")
PY
}

# setup DEP WORKLOAD...: the buckets, and the objects the GET runs read (one client per node in parallel)
setup() {
    local dep=$1 name wl size objs bucket i ep cpids eps; shift
    read -r -a eps <<<"${DEP_EPS[$dep]}"
    for name in "$@"; do
        read -r wl size objs bucket < <(wl_def "$name")
        cpids=()
        if [[ $wl == put ]]; then   # the bucket only
            "$CB" put --endpoint "${eps[0]}" --access-key "$AK" --secret-key "$SK" --bucket "$bucket" --prefix setup/ \
                --size 4KiB --objects 1 --count 1 --warmup 0 --quiet >"$W/runs/setup-$dep-$name.out" 2>&1 ||
                problem "setup $dep $name: $(tail -3 "$W/runs/setup-$dep-$name.out" | tr '\n' ' ')"
            continue
        fi
        for ((i = 0; i < NCLI; i++)); do
            ep=${eps[0]}; (( ${#eps[@]} > 1 )) && ep=${eps[i]}
            "$CB" get --endpoint "$ep" --access-key "$AK" --secret-key "$SK" --bucket "$bucket" --prefix "c$i/" \
                --size "$size" --objects "$objs" --concurrency 4 --count 1 --warmup 0 --quiet \
                >"$W/runs/setup-$dep-$name-c$i.out" 2>&1 &
            cpids+=($!); AUX_PIDS+=($!)
        done
        for ((i = 0; i < NCLI; i++)); do
            wait "${cpids[i]}" || problem "setup $dep $name client $i: $(tail -3 "$W/runs/setup-$dep-$name-c$i.out" | tr '\n' ' ' | cut -c1-300)"
        done
        AUX_PIDS=()
    done
    check_logs "setup-$dep"
}

# rpc_rate DEP SECONDS OUT: node 1's outgoing internal calls over SECONDS (strace of its writev)
STRACE_PID=""
strace_start() {   # PID OUT
    strace -f -qq -e trace=writev -e signal=none -s 40 -p "$1" -o "$2" 2>"$2.err" &
    STRACE_PID=$!
    sleep 1     # attached to every thread
}
strace_stop() { sleep 0.3; kill "$STRACE_PID" 2>/dev/null; wait "$STRACE_PID" 2>/dev/null; STRACE_PID=""; }
HAVE_STRACE=0; [[ $DO_STRACE == 1 ]] && command -v strace >/dev/null && HAVE_STRACE=1

log "setup: buckets, and the objects the GET runs read"
setup single $WORKLOADS
setup cluster $WORKLOADS

# ---------------------------------------------------------------- the rounds
RUN_LIST=()
for ((r = 1; r <= ROUNDS; r++)); do
    order="single cluster"; (( r % 2 == 0 )) && order="cluster single"
    for name in $WORKLOADS; do
        for dep in $order; do
            key="$dep.$name.r$r"
            run_set "$dep" "$key" "$name" "$NCLI" "$PER"
            say_run "$key" >&2
            RUN_LIST+=("$key")
        done
    done
    if [[ $DO_C1 == 1 ]]; then
        for name in put4k get4k; do
            [[ " $WORKLOADS " == *" $name "* ]] || continue
            for dep in $order; do
                key="$dep.${name}_c1.r$r"
                run_set "$dep" "$key" "$name" 1 1
                say_run "$key" >&2
                RUN_LIST+=("$key")
            done
        done
    fi
done

# ---------------------------------------------------------------- idle: the background
IDLE_S=10
log "idle for ${IDLE_S}s with the benchmark's objects in place: CPU of each deployment (background heal scanner)"
sleep 2
for dep in single cluster; do
    read -r -a pids <<<"${DEP_PIDS[$dep]}"
    task_ticks "${pids[@]}" >"$W/idle-$dep.ticks0"
done
date +%s.%N >"$W/idle.t0"
if (( HAVE_STRACE )); then
    read -r -a pids <<<"${DEP_PIDS[cluster]}"
    strace_start "${pids[0]}" "$W/idle-cluster.strace"
    date +%s.%N >"$W/idle-cluster.strace.t0"
    sleep $(( IDLE_S - 1 ))
    date +%s.%N >"$W/idle-cluster.strace.t1"
    strace_stop
else
    sleep "$IDLE_S"
fi
date +%s.%N >"$W/idle.t1"
for dep in single cluster; do
    read -r -a pids <<<"${DEP_PIDS[$dep]}"
    task_ticks "${pids[@]}" >"$W/idle-$dep.ticks1"
done
check_logs "idle"

# ---------------------------------------------------------------- perf
if [[ $DO_PERF == 1 ]] && command -v perf >/dev/null && [[ " $WORKLOADS " == *" put4k "* ]]; then
    for dep in single cluster; do
        read -r -a pids <<<"${DEP_PIDS[$dep]}"
        tpid=${pids[0]}
        log "perf record -g -p $tpid ($dep, first process) for ${PERF_S}s during an extra 4 KiB PUT run (not in the table)"
        ( sleep "$(( WARMUP + 1 ))"; exec perf record -F 499 -g -p "$tpid" -o "$W/perf-$dep.data" -- sleep "$PERF_S" >"$W/perf-$dep.rec" 2>&1 ) &
        PERF_PID=$!
        run_set "$dep" "perf.$dep" put4k "$NCLI" "$PER"
        wait "$PERF_PID"; PERF_PID=""
        say_run "perf.$dep" >&2
        perf report -i "$W/perf-$dep.data" --stdio --no-children --sort dso -g none 2>/dev/null |
            grep -E '^ +[0-9.]+%' | head -12 >"$W/perf-$dep.dso.txt"
        perf report -i "$W/perf-$dep.data" --stdio --no-children --sort dso,sym -g none 2>/dev/null |
            grep -E '^ +[0-9.]+%' | head -25 >"$W/perf-$dep.sym.txt"
        perf report -i "$W/perf-$dep.data" --stdio --no-children --sort dso,sym -g none 2>/dev/null |
            grep -E '^ +[0-9.]+%' | grep -F '[.]' | head -15 >"$W/perf-$dep.usym.txt"
        perf evlist -i "$W/perf-$dep.data" 2>/dev/null | head -1 >"$W/perf-$dep.event"
        [[ -s $W/perf-$dep.dso.txt ]] || problem "perf on $dep gave no samples: $(tail -2 "$W/perf-$dep.rec" | tr '\n' ' ')"
        RUN_LIST+=("perf.$dep")
    done
fi

log "stopping the measured deployments"
stop_deps single cluster
check_logs "stop"
# a node told it missed writes re-executes itself in place (same pid)
RESTARTS=$(cat ${DEP_LOGS[cluster]} | grep -c 'restarting to rejoin' || true)
(( RESTARTS > 0 )) && problem "cluster nodes restarted $RESTARTS times to rejoin (marked stale by a peer) during the run"
LOAD_MID=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------- quiet deployments: what one request costs
# A fresh cluster and a fresh single node with the background scanner turned
# down (CAIRN_HEAL_OBJECTS_PER_SECOND=1: one object per 100 ms tick) and only
# this phase's few objects, so the counts and timings below are the
# requests' own.
log "quiet deployments (CAIRN_HEAL_OBJECTS_PER_SECOND=1): internal calls per request, unloaded latency, one call's round trip"
up single qsingle CAIRN_HEAL_OBJECTS_PER_SECOND=1
up cluster qcluster CAIRN_HEAL_OBJECTS_PER_SECOND=1
check_logs "quiet start"
QUIET_WL=""
for name in put4k get4k put1m get1m; do [[ " $WORKLOADS " == *" $name "* ]] && QUIET_WL+=" $name"; done
QDUR=$(( DURATION / 2 > 3 ? DURATION / 2 : 3 ))
for dep in qsingle qcluster; do setup "$dep" $QUIET_WL; done
for name in put4k get4k; do
    [[ " $QUIET_WL " == *" $name "* ]] || continue
    for dep in qsingle qcluster; do
        key="$dep.${name}_c1.q"
        DURATION=$QDUR run_set "$dep" "$key" "$name" 1 1
        say_run "$key" >&2
        RUN_LIST+=("$key")
    done
done

if (( HAVE_STRACE )); then
    log "counting node 1's outgoing internal calls per request (strace -f -e writev, one connection)"
    read -r -a qpids <<<"${DEP_PIDS[qcluster]}"
    read -r -a qeps <<<"${DEP_EPS[qcluster]}"
    # count_rpcs KEY WL SIZE COUNT BUCKET [args]: a baseline of 3 s without requests, then the requests
    count_rpcs() {
        local key=$1 wl=$2 size=$3 count=$4 bucket=$5; shift 5
        strace_start "${qpids[0]}" "$W/strace-$key.base"
        date +%s.%N >"$W/strace-$key.base.t0"; sleep 3; date +%s.%N >"$W/strace-$key.base.t1"
        strace_stop
        strace_start "${qpids[0]}" "$W/strace-$key.txt"
        date +%s.%N >"$W/strace-$key.t0"
        "$CB" "$wl" --endpoint "${qeps[0]}" --access-key "$AK" --secret-key "$SK" --bucket "$bucket" --prefix c0/ \
            --size "$size" --objects "$count" --count "$count" --concurrency 1 --warmup 0 --no-create-bucket --quiet \
            --json "$W/strace-$key.json" "$@" >"$W/strace-$key.out" 2>&1 || problem "strace run $key: $(tail -2 "$W/strace-$key.out" | tr '\n' ' ')"
        date +%s.%N >"$W/strace-$key.t1"
        strace_stop
    }
    [[ " $QUIET_WL " == *" put4k "* ]] && count_rpcs put4k put 4KiB 200 cl-put4k
    [[ " $QUIET_WL " == *" get4k "* ]] && count_rpcs get4k get 4KiB 200 cl-get4k --no-prefill
    [[ " $QUIET_WL " == *" put1m "* ]] && count_rpcs put1m put 1MiB 20 cl-put1m
    [[ " $QUIET_WL " == *" get1m "* ]] && count_rpcs get1m get 1MiB 16 cl-get1m --no-prefill
    check_logs "strace counts"
fi

# ---------------------------------------------------------------- one internal call's round trip
log "round trip of single internal calls to node 2 of the quiet cluster (raw-socket Python client)"
read -r -a qeps <<<"${DEP_EPS[qcluster]}"
python3 - "${qeps[1]##*:}" "$AK" "$SK" 3000 >"$W/rpcprobe.json" 2>"$W/rpcprobe.err" <<'PY' || problem "rpc probe failed: $(tail -3 "$W/rpcprobe.err" | tr '\n' ' ')"
import hashlib, hmac, json, os, socket, statistics, sys, time
port, user, pw, n = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
host = "127.0.0.1"
# node 2 holds drives 1 and 5 (the drive order interleaves the nodes)
local_drive = 1
T = []
for i in range(256):
    c = i
    for _ in range(8): c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
    T.append(c)
def crc(b, c=0xFFFFFFFF):       # isa-l crc32_iscsi(buf, len, ~0): reflected, no final xor
    for x in b: c = (c >> 8) ^ T[(c ^ x) & 0xFF]
    return c
key = hmac.new(("root:%s:%s" % (user, pw)).encode(), b"cairn internal rpc key v1", hashlib.sha256).digest()
dest = "%s:%d" % (host, port)
def rpc_req(op, q, body=b""):
    d = str(int(time.time()))
    text = "cairn-rpc-v1\n%s\n%s\n%s\n%s\n%d\n%08x" % (dest, op, q, d, len(body), crc(body))
    sig = hmac.new(key, text.encode(), hashlib.sha256).hexdigest()
    return ("POST /cairn-internal/v1/%s?%s HTTP/1.1\r\nHost: %s\r\nX-Cairn-Date: %s\r\nX-Cairn-Signature: %s\r\n"
            "Content-Length: %d\r\n\r\n" % (op, q, dest, d, sig, len(body))).encode() + body
s = socket.create_connection((host, port))
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
def call(req):
    t0 = time.perf_counter()
    s.sendall(req)
    buf = b""
    while True:
        chunk = s.recv(65536)
        if not chunk: raise RuntimeError("connection closed")
        buf += chunk
        h = buf.find(b"\r\n\r\n")
        if h >= 0:
            cl = 0
            for line in buf[:h].decode("latin1").lower().split("\r\n"):
                if line.startswith("content-length:"): cl = int(line.split(":")[1])
            while len(buf) < h + 4 + cl: buf += s.recv(65536)
            return time.perf_counter() - t0, buf
out = {}
def measure(name, mk, want):
    ts = []; req = mk(); t_req = time.time(); first = None
    for _ in range(200): call(req)           # warm up
    for _ in range(n):
        if time.time() - t_req > 20: req = mk(); t_req = time.time()   # dates are valid for +-60 s
        dt, b = call(req)
        ts.append(dt * 1e6)
        if first is None:
            first = b.split(b"\r\n")[0].decode() + "".join(" " + l.decode() for l in b.split(b"\r\n") if l.lower().startswith(b"x-cairn-result"))
    ts.sort()
    out[name] = {"p50_us": round(statistics.median(ts), 1), "p99_us": round(ts[int(len(ts) * 0.99)], 1),
                 "mean_us": round(sum(ts) / len(ts), 1), "n": n, "answer": first, "ok": want in first}
owner = os.urandom(16).hex()
res = b"cairn-bench-rpc-probe/key"
measure("floor_405", lambda: ("GET /cairn-internal/v1/hello HTTP/1.1\r\nHost: %s\r\n\r\n" % dest).encode(), " 405 ")
measure("lock", lambda: rpc_req("lock", "owner=" + owner, res), "Result: 0")
measure("unlock", lambda: rpc_req("unlock", "owner=" + owner, res), "Result: 0")
q = "drive=%d&id=%s" % (local_drive, os.urandom(16).hex())
measure("dsize_missing", lambda: rpc_req("dsize", q), "Result: -2")
json.dump(out, sys.stdout)
PY
check_logs "rpc probe"

stop_deps qsingle qcluster
check_logs "quiet stop"
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------- report
mkdir -p "$RESULTS_DIR"
STAMP=$(date -u +%Y-%m-%d-%H%M)
JSON=$RESULTS_DIR/cluster-$STAMP.json
CMDLINE="bench/cluster.sh"
CAIRN_BIN=$USER_CAIRN_BIN
for v in CAIRN_BIN BENCH_DURATION BENCH_WARMUP BENCH_ROUNDS BENCH_CONCURRENCY BENCH_WORKLOADS BENCH_C1 BENCH_PERF \
    BENCH_PERF_SECONDS BENCH_STRACE BENCH_MAX_LOAD BENCH_LOAD_WAIT BENCH_IDLE_TIMEOUT_MS BENCH_TMP; do
    [[ -n ${!v:-} ]] && CMDLINE="$v=${!v} $CMDLINE"
done
R_DATE=$(date -u +%Y-%m-%dT%H:%M:%SZ)
export R_W=$W R_JSON=$JSON R_CMD=$CMDLINE R_DATE R_REV=$GIT_REV R_DIRTY=$GIT_DIRTY \
    R_BUILD=$BUILDTYPE R_MTIME=$BIN_MTIME R_LOAD0=$LOAD_START R_LOADMID=$LOAD_MID R_LOAD1=$LOAD_END R_WAITED=$waited \
    R_CLK=$CLK R_RUNS="${RUN_LIST[*]}" R_WORKLOADS=$WORKLOADS R_ROUNDS=$ROUNDS R_DUR=$DURATION R_WARM=$WARMUP \
    R_PER=$PER R_IDLE=$IDLE_MS R_READY=$READY_S R_IDLE_S=$IDLE_S R_T0=$T0
python3 - <<'PY'
import glob, json, os, platform, statistics, time
E = os.environ
W = E["R_W"]; clk = int(E["R_CLK"])
def load(path, default=None):
    try: return json.load(open(path))
    except Exception: return default
def num(path):
    return float(open(path).read().strip())
def ticks(path):
    return {l.split()[0]: list(map(int, l.split()[1:])) for l in open(path) if l.strip()}

def run(key):
    js = [load(f) for f in sorted(glob.glob(f"{W}/runs/{key}.c*.json"))]
    js = [j for j in js if j]
    rcs = [int(open(f).read().strip() or 0) for f in sorted(glob.glob(f"{W}/runs/{key}.c*.rc"))]
    if not js: return None
    op = next(iter(js[0]["ops"]))
    o = [j["ops"][op] for j in js]
    n = sum(x["ops"] for x in o)
    r = {"op": op, "clients": len(js), "concurrency_each": js[0]["concurrency"], "window_s": js[0]["window_s"],
         "ops": n, "ops_per_s": sum(x["ops_per_s"] for x in o), "mib_per_s": sum(x["mib_per_s"] for x in o),
         "p50_ms": sum(x["lat_ms"]["p50"] * x["ops"] for x in o) / max(1, n),
         "p99_ms": max(x["lat_ms"]["p99"] for x in o),
         "mean_ms": sum(x["lat_ms"]["mean"] * x["ops"] for x in o) / max(1, n),
         "errors": sum(x["errors"] for x in o), "errors_by_kind": {}, "client_exit": rcs,
         "server_cpu_pct": sum(j.get("server", {}).get("cpu_pct", 0) for j in js),
         "server_cpu_pct_by_client": [j.get("server", {}).get("cpu_pct") for j in js],
         "client_cpu_pct": sum(j["client_cpu_pct"] for j in js),
         "per_client": [{"ops_per_s": x["ops_per_s"], "p50_ms": x["lat_ms"]["p50"], "p99_ms": x["lat_ms"]["p99"],
                         "errors": x["errors"]} for x in o]}
    for x in o:
        for k, v in x["errors_by_kind"].items(): r["errors_by_kind"][k] = r["errors_by_kind"].get(k, 0) + v
    r["server_cpu_ms_per_op"] = r["server_cpu_pct"] / 100 * 1000 / r["ops_per_s"] if r["ops_per_s"] else None
    r["server_cpu_s_per_gib"] = r["server_cpu_pct"] / 100 / (r["mib_per_s"] / 1024) if r["mib_per_s"] else None
    try:   # event loop (main thread) vs the other threads, over the whole client run (warm-up included)
        wall = num(f"{W}/runs/{key}.t1") - num(f"{W}/runs/{key}.t0")
        a, b = ticks(f"{W}/runs/{key}.ticks0"), ticks(f"{W}/runs/{key}.ticks1")
        r["threads_pct"] = {pid: {"loop": round((b[pid][0] - a[pid][0]) / clk / wall * 100, 1),
                                  "others": round((b[pid][1] - a[pid][1]) / clk / wall * 100, 1)} for pid in b if pid in a}
    except Exception as e:
        r["threads_pct"] = {"error": str(e)}
    try:   # the whole machine over the client run: busy %, and what neither this server nor the clients used
        b0 = list(map(int, open(f"{W}/runs/{key}.busy0").read().split())); b1 = list(map(int, open(f"{W}/runs/{key}.busy1").read().split()))
        busy = (b1[0] - b0[0]) / max(1, b1[1] - b0[1]) * 100 * os.cpu_count()
        srv = sum(t["loop"] + t["others"] for t in r["threads_pct"].values()) if "error" not in r["threads_pct"] else 0
        r["machine_busy_pct"] = round(busy, 1)
        r["other_work_pct"] = round(busy - srv - r["client_cpu_pct"], 1)
        r["loadavg_at_start"] = open(f"{W}/runs/{key}.load").read().strip()
    except Exception as e:
        r["machine_busy_pct"] = None; r["other_work_pct"] = None
    return r

runs = {k: run(k) for k in E["R_RUNS"].split()}
names = E["R_WORKLOADS"].split()
rows = list(names) + [n + "_c1" for n in ("put4k", "get4k") if n in names]
big = lambda name: not name.startswith(("put4k", "get4k"))
def med(vals):
    vals = [v for v in vals if v is not None]
    return statistics.median(vals) if vals else None
def summarize(rs, name):
    return {"value": med([x["mib_per_s"] if big(name) else x["ops_per_s"] for x in rs]),
            "unit": "MiB/s" if big(name) else "ops/s",
            "rounds": [round(x["mib_per_s"] if big(name) else x["ops_per_s"], 1) for x in rs],
            "p50_ms": med([x["p50_ms"] for x in rs]), "p99_ms": med([x["p99_ms"] for x in rs]),
            "cpu_pct": med([x["server_cpu_pct"] for x in rs]),
            "cpu": med([x["server_cpu_s_per_gib"] if big(name) else x["server_cpu_ms_per_op"] for x in rs]),
            "cpu_unit": "CPU s/GiB" if big(name) else "CPU ms/op",
            "client_cpu_pct": med([x["client_cpu_pct"] for x in rs]),
            "loop_pct": med([sum(t["loop"] for t in x["threads_pct"].values()) / len(x["threads_pct"]) for x in rs if "error" not in x["threads_pct"]]),
            "errors": sum(x["errors"] for x in rs)}
summary = {}
for name in rows:
    for dep in ("single", "cluster"):
        rs = [runs.get(f"{dep}.{name}.r{r}") for r in range(1, int(E["R_ROUNDS"]) + 1)]
        rs = [x for x in rs if x]
        if rs: summary[f"{dep}.{name}"] = summarize(rs, name)
for name in ("put4k_c1", "get4k_c1"):
    for dep in ("qsingle", "qcluster"):
        x = runs.get(f"{dep}.{name}.q")
        if x: summary[f"{dep}.{name}"] = summarize([x], name)

# strace: POST /cairn-internal/v1/OP lines, by op
def count_ops(path):
    ops = {}
    try:
        for line in open(path, errors="replace"):
            i = line.find("POST /cairn-internal/v1/")
            if i < 0: continue
            op = line[i + 24:].split("?")[0].split(" ")[0].split("\"")[0].split("\\")[0]
            ops[op] = ops.get(op, 0) + 1
    except OSError: pass
    return ops
idle = {}
try:
    wall = num(f"{W}/idle.t1") - num(f"{W}/idle.t0")
    for dep in ("single", "cluster"):
        a, b = ticks(f"{W}/idle-{dep}.ticks0"), ticks(f"{W}/idle-{dep}.ticks1")
        idle[dep] = {"cpu_pct_total": round(sum(sum(b[p]) - sum(a[p]) for p in b if p in a) / clk / wall * 100, 1),
                     "cpu_pct_by_process": [round((sum(b[p]) - sum(a[p])) / clk / wall * 100, 1) for p in b if p in a],
                     "seconds": round(wall, 1)}
    if os.path.exists(f"{W}/idle-cluster.strace"):
        sw = num(f"{W}/idle-cluster.strace.t1") - num(f"{W}/idle-cluster.strace.t0")
        idle["cluster"]["node1_calls_per_s"] = {k: round(v / sw, 1) for k, v in sorted(count_ops(f"{W}/idle-cluster.strace").items())}
except Exception as e:
    idle["error"] = str(e)
rpcs = {}
for f in sorted(glob.glob(f"{W}/strace-*.t0")):
    key = os.path.basename(f)[7:-3]
    if key.endswith(".base"): continue
    try:
        bw = num(f"{W}/strace-{key}.base.t1") - num(f"{W}/strace-{key}.base.t0")
        rw = num(f"{W}/strace-{key}.t1") - num(f"{W}/strace-{key}.t0")
        base = count_ops(f"{W}/strace-{key}.base"); ops = count_ops(f"{W}/strace-{key}.txt")
        j = load(f"{W}/strace-{key}.json", {})
        done = next(iter(j.get("ops", {}).values()), {}).get("ops", 0)
        per = {}
        for op in sorted(set(ops) | set(base)):
            if op == "hello": continue
            net = ops.get(op, 0) - base.get(op, 0) / bw * rw      # minus the background at its baseline rate
            per[op] = round(max(0.0, net) / max(1, done), 2)
        per = {k: v for k, v in per.items() if v >= 0.05}
        rpcs[key] = {"requests": done, "per_request": per, "total_per_request": round(sum(per.values()), 2),
                     "raw_counts": ops, "baseline_counts_3s": base, "seconds": round(rw, 2)}
    except Exception as e:
        rpcs[key] = {"error": str(e)}

probe = load(f"{W}/rpcprobe.json", {})
perf = {}
for dep in ("single", "cluster"):
    p = f"{W}/perf-{dep}.dso.txt"
    if os.path.exists(p):
        perf[dep] = {"dso": [l.strip() for l in open(p)], "sym": [l.strip() for l in open(f"{W}/perf-{dep}.sym.txt")],
                     "user_sym": [l.strip() for l in open(f"{W}/perf-{dep}.usym.txt")],
                     "event": open(f"{W}/perf-{dep}.event").read().strip(),
                     "note": "no PMU in this VM: perf samples cpu-clock, so kernel time lands on the points where interrupts are re-enabled (finish_task_switch, _raw_spin_unlock_irqrestore)"}
problems = [l.rstrip("\n") for l in open(f"{W}/problems.txt") if l.strip()]
excerpts = open(f"{W}/log-excerpts.txt").read() if os.path.exists(f"{W}/log-excerpts.txt") else ""

cpu = next((l.split(": ", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
mem = int(next(l.split()[1] for l in open("/proc/meminfo") if l.startswith("MemTotal"))) / 1048576
dirty = E["R_DIRTY"] not in ("", "0")
out = {"setup": {"command": E["R_CMD"], "date": E["R_DATE"], "duration_total_s": int(time.time()) - int(E["R_T0"]),
                 "cairn": f"git {E['R_REV']}" + (f" + uncommitted changes in {E['R_DIRTY']} C source files" if dirty else "") + f", {E['R_BUILD']} build, binary built {E['R_MTIME']}",
                 "single": "1 process, 8 drives DIR/n{1...4}/d{1...2}, one erasure set, EC:4",
                 "cluster": "4 processes on 127.0.0.1, 2 drives each (the same 8-drive set, EC:4), the same endpoint list on every node",
                 "clients": f"4 cairn-bench processes x concurrency {E['R_PER']} (one per node for the cluster, all four to the one node for single); _c1 rows: one client, concurrency 1, node 1",
                 "latency_aggregation": "p50 = ops-weighted mean of the clients' p50s; p99 = largest client p99; summary = median over rounds",
                 "duration_s": float(E["R_DUR"]), "warmup_s": float(E["R_WARM"]), "rounds": int(E["R_ROUNDS"]),
                 "server_idle_timeout_ms": E["R_IDLE"] or "server default (60000)",
                 "quiet_deployments": "fresh single node and 4-node cluster with CAIRN_HEAL_OBJECTS_PER_SECOND=1 and only their own few objects: q rows, internal call counts, round trip",
                 "ready_s": float(E["R_READY"])},
       "machine": {"nproc": os.cpu_count(), "cpu": cpu, "mem_gib": round(mem, 1), "kernel": platform.release(),
                   "loadavg_start": E["R_LOAD0"], "loadavg_after_main_runs": E["R_LOADMID"], "loadavg_end": E["R_LOAD1"],
                   "waited_for_load_s": int(E["R_WAITED"])},
       "summary": summary, "idle_background": idle, "rpcs_per_request_node1": rpcs, "rpc_probe_node2": probe,
       "perf": perf, "runs": runs, "problems": problems, "server_log_excerpts": excerpts[:30000]}
with open(E["R_JSON"], "w") as fh:
    json.dump(out, fh, indent=1); fh.write("\n")

label = {"put4k": "4 KiB PUT", "get4k": "4 KiB GET", "put1m": "1 MiB PUT", "get1m": "1 MiB GET", "put16m": "16 MiB PUT",
         "get16m": "16 MiB GET", "put4k_c1": "4 KiB PUT, 1 connection", "get4k_c1": "4 KiB GET, 1 connection"}
print()
print(f"cairn: one node with 8 drives vs 4 nodes x 2 drives on loopback - {E['R_DATE']}")
print(f"machine: {os.cpu_count()} cores ({cpu}), {mem:.1f} GiB, kernel {platform.release()}")
print(f"load:    {E['R_LOAD0']} at start (waited {E['R_WAITED']} s), {E['R_LOADMID']} after the main runs, {E['R_LOAD1']} at end")
print(f"cairn:   {out['setup']['cairn']}")
print(f"command: {E['R_CMD']}")
print(f"clients: {out['setup']['clients']}; {E['R_DUR']} s windows after {E['R_WARM']} s warm-up, {E['R_ROUNDS']} rounds alternating the order")
print()
print("| workload | 1 node x 8 drives (rounds) | p50 / p99 ms | server CPU | 4 nodes x 2 drives (rounds) | p50 / p99 ms | server CPU | cluster / 1 node |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
def cell(s):
    unit = s["unit"]
    v = (f"{s['value']:,.0f}" if unit == "ops/s" else f"{s['value']:,.1f}") + " (" + " / ".join(f"{x:,.0f}" for x in s["rounds"]) + ")"
    if s["errors"]: v += f" **{s['errors']} errors**"
    c = (f"{s['cpu']:.3f} ms/op" if s["cpu_unit"] == "CPU ms/op" else f"{s['cpu']:.2f} s/GiB") + f" ({s['cpu_pct']:.0f}%)"
    return v, f"{s['p50_ms']:.2f} / {s['p99_ms']:.2f}", c
def row(title, a, b):
    va, la, ca = cell(a); vb, lb, cb = cell(b)
    print(f"| {title} | {va} | {la} | {ca} | {vb} | {lb} | {cb} | {b['value'] / a['value'] if a['value'] else 0:.2f} |")
for name in rows:
    a, b = summary.get(f"single.{name}"), summary.get(f"cluster.{name}")
    if a and b: row(f"{label[name]} {a['unit']}", a, b)
for name in ("put4k_c1", "get4k_c1"):
    a, b = summary.get(f"qsingle.{name}"), summary.get(f"qcluster.{name}")
    if a and b: row(f"{label[name]}, quiet {a['unit']}", a, b)
print()
print("server CPU: all the deployment's processes over the window (cairn-bench --pid), per op or per GiB; (%) = 100 per core.")
print("latency: p50 = ops-weighted mean of the clients' p50s, p99 = the largest client p99. quiet: fresh deployments, scanner turned down.")
for name in ("put4k_c1", "get4k_c1"):
    for pre, what in (("", "main"), ("q", "quiet")):
        a, b = summary.get(f"{pre}single.{name}"), summary.get(f"{pre}cluster.{name}")
        if a and b:
            print(f"{label[name]} ({what}): p50 {a['p50_ms']*1000:.0f} us one node, {b['p50_ms']*1000:.0f} us cluster: +{(b['p50_ms']-a['p50_ms'])*1000:.0f} us; server CPU {a['cpu']*1000:.0f} -> {b['cpu']*1000:.0f} us per request")
busy = []
for name in rows:
    a, b = summary.get(f"single.{name}"), summary.get(f"cluster.{name}")
    if a and b and a["loop_pct"] is not None and b["loop_pct"] is not None:
        busy.append(f"{name} {a['loop_pct']:.0f}/{b['loop_pct']:.0f}")
if busy: print("event-loop thread busy %, one node / mean of the 4 nodes (whole client run, warm-up included): " + ", ".join(busy))
a, b = summary.get("single.put4k"), summary.get("cluster.put4k")
if a and b:
    print(f"4 KiB PUT, 16 connections: p50 {a['p50_ms']:.2f} -> {b['p50_ms']:.2f} ms (+{b['p50_ms']-a['p50_ms']:.2f}); server CPU per PUT {a['cpu']:.3f} -> {b['cpu']:.3f} ms (+{b['cpu']-a['cpu']:.3f})")
if idle and "error" not in idle:
    print(f"idle {idle['single']['seconds']} s after the runs, objects in place: server CPU one node {idle['single']['cpu_pct_total']}%, cluster {idle['cluster']['cpu_pct_total']}% (per node {idle['cluster']['cpu_pct_by_process']})"
          + (f"; node 1 sends {', '.join(f'{k} {v}/s' for k, v in idle['cluster'].get('node1_calls_per_s', {}).items())}" if idle['cluster'].get('node1_calls_per_s') else ""))
if rpcs:
    print("internal calls node 1 sends per request it serves (quiet cluster, 1 connection; strace of its writev, minus a 3 s baseline, hellos left out):")
    for k, v in rpcs.items():
        if "error" in v: print(f"  {k}: {v['error']}"); continue
        print(f"  {k:6s} {v['total_per_request']:5.2f} per request: " + ", ".join(f"{op} {n:g}" for op, n in v["per_request"].items()) + f"  ({v['requests']} requests)")
if probe:
    print("one internal call to node 2 of the quiet cluster, raw-socket Python client, one keep-alive connection (median / p99 us):")
    for k, v in probe.items():
        print(f"  {k:14s} {v['p50_us']:6.1f} / {v['p99_us']:6.1f}   answer: {v['answer']}{'' if v['ok'] else '  UNEXPECTED'}")
for dep, p in perf.items():
    print(f"perf, {dep} ({'node 1' if dep == 'cluster' else 'the one process'}) during 4 KiB PUT, by DSO: " + "; ".join(" ".join(l.split()[:2]) for l in p["dso"][:7]))
    print(f"  event {p['event'] or '?'}; top symbols: " + "; ".join(f"{l.split()[0]} {l.split()[-1]}" for l in p["sym"][:10]))
    print("  top user-space symbols: " + "; ".join(f"{l.split()[0]} {l.split()[1]}:{l.split()[-1]}" for l in p["user_sym"][:10]))
noisy = [f"{k} {v['other_work_pct']:.0f}%" for k, v in runs.items() if v and v.get("other_work_pct") is not None and v["other_work_pct"] > 40]
if noisy:
    print("NOISE: CPU used by neither the measured servers nor the clients (other work on the machine; 200% = both cores) above 40% in (kernel I/O threads working for the servers, jbd2 and writeback, count here too: 10-25% on PUT runs): " + ", ".join(noisy))
if problems:
    print(); print(f"PROBLEMS ({len(problems)}):")
    for p in problems: print("  - " + p[:600])
print(); print(f"json: {E['R_JSON']}")
PY
log "done in $(( $(date +%s) - T0 ))s"
