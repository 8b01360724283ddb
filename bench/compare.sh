#!/usr/bin/env bash
# bench/compare.sh - cairn beside the S3 servers people would otherwise run,
# on this machine, in one run, with one load generator (cairn-bench).
#
#   bench/compare.sh               # install what is missing, build, run everything, print the table
#
# Servers, each on 127.0.0.1 (free ports), one after the other (only the one
# being measured runs, so idle daemons take no CPU from it):
#   cairn     release build, 1 drive (and 4 drives when `cairn --help` says it takes several)
#   rgw       Ceph RADOS Gateway 16.2: 1 mon, 1 mgr, 1 bluestore OSD on a file, pools of size 1 (bench/rgw.sh)
#   s3rver    npm s3rver 3.7, installed into bench/.npm (git-ignored)
#   nginx     WebDAV PUT/GET/DELETE: the plain-HTTP ceiling (no S3: no auth, no listing, no fsync)
# Workloads (concurrency 16 unless stated): 4 KiB / 1 MiB / 64 MiB PUT and GET,
# mixed 64 KiB (45% GET, 15% PUT, 30% STAT, 10% DELETE), ListObjectsV2 pages
# of 1000 keys over 10,000 objects, and over 1,000,000 objects (cairn; built
# once in bench/.data and reused), each list also at concurrency 1.
#
# Environment (all optional):
#   BENCH_SERVERS="cairn cairn4 rgw s3rver nginx"   which servers (cairn4 only if supported)
#   BENCH_WORKLOADS="put4k get4k put1m get1m put64m get64m mixed64k list10k list1m"
#   BENCH_DURATION=10 BENCH_WARMUP=2 BENCH_CONC=16   per workload (64 MiB ones: at least 20 s)
#   BENCH_THREADS=1           cairn-bench threads (event loops); connections are spread over them
#   BENCH_TMP=/var/tmp        parent of the temp dir (not tmpfs: the disk is measured)
#   BENCH_DATA=bench/.data    where the 1,000,000-object bucket lives between runs
#   LIST1M_OBJECTS=1000000    size of the big listing bucket
#   LIST1M_SERVERS="cairn"    servers that get the big bucket; add rgw for a kept Ceph cluster in
#                             BENCH_DATA/rgw-list1m (built at ~1,000 PUT/s: LIST1M_BUILD_LIMIT=1200 s per run)
#   CAIRN_BIN=...             use this cairn binary instead of building build-bench/
#   CAIRN_SRC=worktree|HEAD   build cairn from the work tree (default) or from the last commit
#   BENCH_RESULTS=bench/results
#
# Not a test: it prints numbers and exits 0 unless the setup failed. Every
# server it starts is stopped, and its temp dir removed, on exit (also Ctrl-C).
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/nginx-conf.sh"
REPO=$(cd "$HERE/.." && pwd)
SERVERS=${BENCH_SERVERS:-cairn cairn4 rgw s3rver nginx}
WORKLOADS=${BENCH_WORKLOADS:-put4k get4k put1m get1m put64m get64m mixed64k list10k list1m}
DUR=${BENCH_DURATION:-10}
WARM=${BENCH_WARMUP:-2}
BIG_DUR=$(( DUR > 20 ? DUR : 20 ))
CONC=${BENCH_CONC:-16}
THREADS=${BENCH_THREADS:-1}
DATA=${BENCH_DATA:-$HERE/.data}
L1M=${LIST1M_OBJECTS:-1000000}
L1M_SERVERS=${LIST1M_SERVERS:-cairn}
RESULTS_DIR=${BENCH_RESULTS:-$HERE/results}
AK=benchkey SK=benchsecret1234
T0=$(date +%s)

log() { printf '[%5ds] %s\n' $(( $(date +%s) - T0 )) "$*" >&2; }
die() { log "FATAL: $*"; exit 1; }
has() { [[ " $SERVERS " == *" $1 "* ]]; }

# ---------------------------------------------------------------- install
SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
missing=()
for p in curl python3 meson ninja-build gcc pkg-config libuv1-dev liblmdb-dev libssl-dev node-llhttp libisal-dev libexpat1-dev libjansson-dev; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if has nginx && ! { command -v nginx >/dev/null && nginx -V 2>&1 | grep -q -- --with-http_dav_module; }; then missing+=(nginx-light); fi
if has rgw; then for p in ceph-mon ceph-mgr ceph-osd ceph-common radosgw; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done; fi
if has s3rver; then command -v npm >/dev/null || missing+=(npm); fi
if (( ${#missing[@]} )); then
    log "installing: ${missing[*]}"
    $SUDO apt-get update -qq || die "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
        die "apt-get install failed"
fi
S3RVER="$HERE/.npm/node_modules/.bin/s3rver"
if has s3rver && [[ ! -x $S3RVER ]]; then
    log "npm install s3rver into bench/.npm"
    mkdir -p "$HERE/.npm"
    (cd "$HERE/.npm" && timeout 600 npm install --no-audit --no-fund --prefix . s3rver@3 >/dev/null 2>&1) ||
        die "npm install s3rver failed"
fi

# ---------------------------------------------------------------- build
W=$(mktemp -d "${BENCH_TMP:-/var/tmp}/cairn-compare.XXXXXX") || die "mktemp failed"
SRV_PIDS="" RGW_DIR=""
cleanup() {
    local p
    for p in $SRV_PIDS; do kill "$p" 2>/dev/null; done
    for p in $SRV_PIDS; do
        for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$p" 2>/dev/null
    done
    [[ -n $RGW_DIR ]] && "$HERE/rgw.sh" stop "$RGW_DIR"
    rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ -z ${CAIRN_BIN:-} ]]; then
    SRC=$REPO
    if [[ ${CAIRN_SRC:-worktree} == HEAD ]]; then
        SRC="$W/src"; mkdir -p "$SRC"
        git -C "$REPO" archive HEAD | tar -x -C "$SRC" || die "git archive HEAD failed"
        cp "$HERE"/*.c "$HERE"/meson.build "$SRC/bench/"   # the load generator as in the work tree
        BUILD="$W/src/build"
    else
        BUILD="$REPO/build-bench"
    fi
    [[ -d $BUILD ]] || (cd "$SRC" && meson setup "$BUILD" --buildtype=release >/dev/null) || die "meson setup failed"
    log "ninja -C $BUILD cairn bench/cairn-bench bench/ec-speed"
    ninja -C "$BUILD" cairn bench/cairn-bench bench/ec-speed >"$W/build.log" 2>&1 || { tail -20 "$W/build.log" >&2; die "build failed"; }
    CAIRN_BIN="$BUILD/cairn"
    CB="$BUILD/bench/cairn-bench"
else
    CB=${CAIRN_BENCH_BIN:-$(dirname "$CAIRN_BIN")/bench/cairn-bench}
fi
[[ -x $CAIRN_BIN && -x $CB ]] || die "no cairn ($CAIRN_BIN) or cairn-bench ($CB)"
CAIRN_REV=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null)
[[ ${CAIRN_SRC:-worktree} == HEAD ]] || { git -C "$REPO" diff --quiet HEAD -- server s3api storage common 2>/dev/null || CAIRN_REV="$CAIRN_REV+worktree"; }

free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
wait_http() { local i; for i in $(seq 150); do curl -s -o /dev/null --max-time 1 "$1" && return 0; sleep 0.1; done; return 1; }
rss_kib() { local t=0 p v; for p in ${1//,/ }; do v=$(awk -v k="$2:" '$1==k {print $2}' "/proc/$p/status" 2>/dev/null); t=$((t + ${v:-0})); done; echo $t; }

mkdir -p "$W/res"
NOTES="$W/notes.txt"; : >"$NOTES"
note() { log "NOTE: $*"; printf '%s\n' "$*" >>"$NOTES"; }

# ---------------------------------------------------------------- servers
# start_SERVER sets: EP (endpoint), PIDS (comma list for --pid), KEYS (cairn-bench credential args)
start_cairn() {   # $1: number of drives
    local n=$1 port dirs=() i
    port=$(free_port)
    for ((i = 1; i <= n; i++)); do mkdir -p "$W/cairn$n/d$i"; dirs+=("$W/cairn$n/d$i"); done
    CAIRN_ROOT_USER=$AK CAIRN_ROOT_PASSWORD=$SK "$CAIRN_BIN" server --quiet --address "127.0.0.1:$port" \
        --console-address "127.0.0.1:$(free_port)" "${dirs[@]}" \
        >"$W/cairn$n.log" 2>&1 &
    PIDS=$!; SRV_PIDS+=" $PIDS"
    EP="http://127.0.0.1:$port"; KEYS=(--access-key "$AK" --secret-key "$SK")
    wait_http "$EP/minio/health/live" || { tail -5 "$W/cairn$n.log" >&2; return 1; }
}
start_rgw() {
    local port out
    port=$(free_port); RGW_DIR="$W/rgw"
    out=$("$HERE/rgw.sh" start "$RGW_DIR" "$port" "$AK" "$SK") || return 1
    PIDS=${out#pids }
    EP="http://127.0.0.1:$port"; KEYS=(--access-key "$AK" --secret-key "$SK")
}
start_s3rver() {
    local port; port=$(free_port); mkdir -p "$W/s3rver"
    # s3rver signs its continuation tokens with DES, which Node 20's OpenSSL 3 only has in the legacy provider
    NODE_OPTIONS=--openssl-legacy-provider "$S3RVER" -d "$W/s3rver" -a 127.0.0.1 -p "$port" --silent --no-vhost-buckets \
        >"$W/s3rver.log" 2>&1 &
    PIDS=$!; SRV_PIDS+=" $PIDS"
    EP="http://127.0.0.1:$port"; KEYS=(--access-key S3RVER --secret-key S3RVER)
    wait_http "$EP/" || return 1
}
start_nginx() {
    local port; port=$(free_port)
    nginx_write_conf "$W/nginx" "$port" auto / "PUT DELETE"
    nginx -p "$W/nginx" -c "$W/nginx/nginx.conf" -e "$W/nginx/logs/error.log" >"$W/nginx/stdout" 2>&1 &
    local master=$!; SRV_PIDS+=" $master"
    EP="http://127.0.0.1:$port"; KEYS=(--access-key x --secret-key y)
    wait_http "$EP/" || return 1
    PIDS=$(echo "$master" $(pgrep -P "$master") | tr ' ' ',')
}
stop_current() {
    local p
    for p in ${PIDS//,/ }; do [[ " $SRV_PIDS " == *" $p "* ]] && kill "$p" 2>/dev/null; done
    for p in ${PIDS//,/ }; do
        [[ " $SRV_PIDS " == *" $p "* ]] || continue
        for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$p" 2>/dev/null
        SRV_PIDS=${SRV_PIDS/ $p/}
    done
    if [[ -n $RGW_DIR ]]; then "$HERE/rgw.sh" stop "$RGW_DIR"; RGW_DIR=""; fi
}

# ---------------------------------------------------------------- workloads
# bench SERVER NAME WORKLOAD ARGS...  -> $W/res/SERVER.NAME.json (+ .txt)
bench() {
    local srv=$1 name=$2 wl=$3; shift 3
    local extra=(); [[ $srv == nginx ]] && extra=(--no-create-bucket)
    timeout $((DUR + WARM + 900)) "$CB" "$wl" --endpoint "$EP" "${KEYS[@]}" --pid "$PIDS" --concurrency "$CONC" --threads "$THREADS" \
        --duration "$DUR" --warmup "$WARM" --label "$srv $name" --json "$W/res/$srv.$name.json" "${extra[@]}" "$@" \
        >"$W/res/$srv.$name.txt" 2>&1
    local rc=$?
    (( rc == 0 )) || note "$srv $name: cairn-bench exit $rc: $(tail -3 "$W/res/$srv.$name.txt" | tr '\n' ' ')"
    grep -E '^(PUT|GET|STAT|DELETE|LIST|PART|MPU) ' "$W/res/$srv.$name.txt" | sed "s/^/    $srv $name: /" >&2
}

# the persistent 1,000,000-object bucket for cairn: its own data dir, reused while the format reads back
list1m_cairn() {
    local dir="$DATA/cairn-list1m" port pid ep ok=0
    mkdir -p "$dir"
    port=$(free_port)
    CAIRN_ROOT_USER=$AK CAIRN_ROOT_PASSWORD=$SK "$CAIRN_BIN" server --quiet --address "127.0.0.1:$port" --console-address "127.0.0.1:$(free_port)" "$dir/d1" \
        >"$W/cairn-list1m.log" 2>&1 &
    pid=$!; SRV_PIDS+=" $pid"
    ep="http://127.0.0.1:$port"
    if ! wait_http "$ep/minio/health/live"; then
        note "cairn does not start on the kept list1m data ($(tail -1 "$W/cairn-list1m.log")): rebuilding it"
        kill "$pid"; wait "$pid" 2>/dev/null; SRV_PIDS=${SRV_PIDS/ $pid/}
        rm -rf "$dir"; mkdir -p "$dir"
        CAIRN_ROOT_USER=$AK CAIRN_ROOT_PASSWORD=$SK "$CAIRN_BIN" server --quiet --address "127.0.0.1:$port" --console-address "127.0.0.1:$(free_port)" "$dir/d1" \
            >"$W/cairn-list1m.log" 2>&1 &
        pid=$!; SRV_PIDS+=" $pid"
        wait_http "$ep/minio/health/live" || { note "cairn list1m server did not start"; return 1; }
    fi
    local saved_pids=$PIDS saved_ep=$EP
    PIDS=$pid EP=$ep
    if [[ $(cat "$dir/complete" 2>/dev/null) == "$L1M" ]]; then
        # reuse: check the last key is there (cheap) before trusting the marker
        # reuse: HEAD 200 random keys of the whole range before trusting the marker (exit 0: all there)
        "$CB" stat --endpoint "$ep" "${KEYS[@]}" --bucket list1m --no-prefill --no-create-bucket --count 200 --warmup 0 \
            --objects "$L1M" --quiet >/dev/null 2>&1 && ok=1
    fi
    if (( ! ok )); then
        log "building the $L1M-object bucket for cairn in $dir (once; reused by later runs)"
        rm -f "$dir/complete"
        local t0=$(date +%s)
        "$CB" put --endpoint "$ep" "${KEYS[@]}" --bucket list1m --size 0 --objects "$L1M" --count "$L1M" --warmup 0 \
            --concurrency 32 --timeout 7200 --json "$W/res/cairn.list1m-build.json" >"$W/res/cairn.list1m-build.txt" 2>&1 &&
            echo "$L1M" >"$dir/complete"
        log "built in $(( $(date +%s) - t0 )) s: $(grep -E '^PUT ' "$W/res/cairn.list1m-build.txt")"
    fi
    bench cairn list1m list --bucket list1m --objects "$L1M" --no-prefill
    CONC_SAVED=$CONC; CONC=1; bench cairn list1m-c1 list --bucket list1m --objects "$L1M" --no-prefill; CONC=$CONC_SAVED
    kill "$pid"; wait "$pid" 2>/dev/null; SRV_PIDS=${SRV_PIDS/ $pid/}
    PIDS=$saved_pids EP=$saved_ep
}

# the persistent big bucket for Ceph RGW: a whole kept cluster in $DATA/rgw-list1m
# (bench/rgw.sh stop DIR keep / start on it again). Building it runs at RGW's
# PUT rate (~1,000/s here): LIST1M_BUILD_LIMIT seconds per run at most; a
# partial bucket is continued by the next run and the table says how many
# objects it held.
list1m_rgw() {
    local dir="$DATA/rgw-list1m" port out pids ep have=0
    mkdir -p "$DATA"
    port=$(free_port)
    out=$("$HERE/rgw.sh" start "$dir" "$port" "$AK" "$SK") || { note "RGW on the kept list1m cluster did not start"; return 1; }
    pids=${out#pids }; ep="http://127.0.0.1:$port"
    local saved_pids=$PIDS saved_ep=$EP
    PIDS=$pids EP=$ep
    have=$(cat "$dir/objects" 2>/dev/null || echo 0)
    if (( have < L1M )); then
        local n=$(( L1M - have )) t0=$(date +%s)
        log "RGW: adding objects $have..$((L1M - 1)) to the kept list1m bucket (at most ${LIST1M_BUILD_LIMIT:-1200} s)"
        "$CB" put --endpoint "$ep" "${KEYS[@]}" --bucket list1m --size 0 --objects "$L1M" --count "$n" --warmup 0 \
            --concurrency 64 --duration 1 --timeout "${LIST1M_BUILD_LIMIT:-1200}" --key-offset "$have" \
            --json "$W/res/rgw.list1m-build.json" >"$W/res/rgw.list1m-build.txt" 2>&1
        local done_n
        done_n=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["ops"]["PUT"]["ops"])' "$W/res/rgw.list1m-build.json" 2>/dev/null || echo 0)
        have=$(( have + done_n ))
        echo "$have" >"$dir/objects"
        log "RGW list1m bucket: $have objects after $(( $(date +%s) - t0 )) s"
    fi
    (( have < L1M )) && note "RGW's big listing bucket holds $have of $L1M objects (built at RGW's PUT rate within LIST1M_BUILD_LIMIT; the next run continues it)"
    bench rgw list1m list --bucket list1m --objects "$have" --no-prefill --no-create-bucket
    CONC_SAVED=$CONC; CONC=1; bench rgw list1m-c1 list --bucket list1m --objects "$have" --no-prefill --no-create-bucket; CONC=$CONC_SAVED
    "$HERE/rgw.sh" stop "$dir" keep
    PIDS=$saved_pids EP=$saved_ep
}

run_server() {
    local srv=$1 wl
    for wl in $WORKLOADS; do
        case $wl in
            put4k)   bench "$srv" put4k put --size 4KiB --objects 10000 --bucket b-put4k --cleanup ;;
            get4k)   bench "$srv" get4k get --size 4KiB --objects 1000 --bucket b-get4k --cleanup ;;
            put1m)   bench "$srv" put1m put --size 1MiB --objects 1000 --bucket b-put1m --cleanup ;;
            get1m)   bench "$srv" get1m get --size 1MiB --objects 256 --bucket b-get1m --cleanup ;;
            # 64 MiB: at least 20 s, so that a window holds several rounds of 16 requests of seconds each
            put64m)  bench "$srv" put64m put --size 64MiB --objects 32 --bucket b-put64m --cleanup --timeout 300 --duration "$BIG_DUR" ;;
            get64m)  bench "$srv" get64m get --size 64MiB --objects 16 --bucket b-get64m --cleanup --timeout 300 --duration "$BIG_DUR" ;;
            mixed64k) bench "$srv" mixed64k mixed --size 64KiB --objects 2000 --bucket b-mixed --cleanup ;;
            list10k)
                [[ $srv == nginx ]] && continue
                bench "$srv" list10k list --size 0 --objects 10000 --bucket b-list10k
                CONC_SAVED=$CONC; CONC=1
                bench "$srv" list10k-c1 list --size 0 --objects 10000 --bucket b-list10k --no-prefill --no-create-bucket
                CONC=$CONC_SAVED ;;
            list1m)
                [[ " $L1M_SERVERS " == *" ${srv%4} "* && $srv != cairn4 ]] || continue
                [[ $srv == cairn ]] && list1m_cairn
                [[ $srv == rgw ]] && list1m_rgw ;;
            *) note "unknown workload $wl" ;;
        esac
        rss_after=$(rss_kib "$PIDS" VmRSS)
        echo "$srv $wl $rss_after" >>"$W/res/rss-after.txt"
    done
}

# Several drives (erasure coding) arrived after one drive; an older binary says so in --help.
CAIRN_MULTI=0
CAIRN_HELP=$("$CAIRN_BIN" --help 2>&1)   # not piped into grep -q: with pipefail its early exit could fail the test
if [[ $CAIRN_HELP == *"erasure-coded in sets"* ]]; then
    CAIRN_MULTI=1
fi

for srv in $SERVERS; do
    case $srv in
        cairn) start_cairn 1 || { note "cairn did not start: $(tail -2 "$W/cairn1.log")"; continue; } ;;
        cairn4)
            (( CAIRN_MULTI )) || { note "cairn4 skipped: this cairn takes one drive (its --help does not mention erasure-coded sets)"; continue; }
            start_cairn 4 || { note "cairn with 4 drives did not start: $(tail -2 "$W/cairn4.log")"; continue; } ;;
        rgw) start_rgw || { note "Ceph RGW did not start (see bench/rgw.sh output above)"; continue; } ;;
        s3rver) start_s3rver || { note "s3rver did not start: $(tail -2 "$W/s3rver.log")"; continue; } ;;
        nginx) start_nginx || { note "nginx did not start: $(tail -2 "$W/nginx/logs/error.log")"; continue; } ;;
        *) note "unknown server $srv"; continue ;;
    esac
    sleep 1
    echo "$srv idle $(rss_kib "$PIDS" VmRSS) $(rss_kib "$PIDS" RssAnon)" >>"$W/res/rss-idle.txt"
    log "$srv up at $EP (pids $PIDS), idle VmRSS $(( $(rss_kib "$PIDS" VmRSS) / 1024 )) MiB"
    note "$srv: load average before its workloads $(cut -d' ' -f1-3 /proc/loadavg) (the machine is shared: other processes take CPU too)"
    run_server "$srv"
    stop_current
    [[ $srv == cairn || $srv == cairn4 ]] && rm -rf "$W/cairn1" "$W/cairn4"
    [[ $srv == s3rver ]] && rm -rf "$W/s3rver"
    [[ $srv == nginx ]] && rm -rf "$W/nginx/www"
done

# ---------------------------------------------------------------- report
mkdir -p "$RESULTS_DIR"
STAMP=$(date -u +%Y-%m-%d-%H%M%S)
OUT="$RESULTS_DIR/compare-$STAMP"
python3 "$HERE/compare_report.py" "$W/res" "$NOTES" "$OUT" "$CAIRN_REV" "$CONC" "$DUR" "$WARM" || die "report failed"
log "results: $OUT.md and $OUT.json"
