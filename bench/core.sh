#!/usr/bin/env bash
# bench/core.sh - speed and memory of cairn on one node, beside nginx (WebDAV
# PUT/GET) on the same machine in the same run. See docs/benchmarks.md.
#
#   bench/core.sh            # everything: install, build, run, report
#
# Environment (all optional):
#   BENCH_TMP=/tmp           where the temp dir goes (cairn data + nginx root; same fs)
#   BENCH_DURATION=10        seconds per wrk run
#   BENCH_CONNS=32 BENCH_THREADS=2   wrk connections / threads
#   BENCH_BIG_MIB=256        size of the large object
#   BENCH_MEM_UPLOADS=16     concurrent large uploads for the memory peak
#   NGINX_WORKERS=auto       nginx worker_processes
#   CAIRN_BIN=...            use this binary instead of building build-bench/
#   BENCH_RESULTS=bench/results   where the JSON goes
#
# Not a test: it reports numbers (and PASS/FAIL for the memory bound) and
# exits 0 unless the setup itself failed.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/nginx-conf.sh"
REPO=$(cd "$HERE/.." && pwd)
DUR=${BENCH_DURATION:-10}
CONNS=${BENCH_CONNS:-32}
THREADS=${BENCH_THREADS:-2}
BIG_MIB=${BENCH_BIG_MIB:-256}
MEM_UPLOADS=${BENCH_MEM_UPLOADS:-16}
NGINX_WORKERS=${NGINX_WORKERS:-auto}
RESULTS_DIR=${BENCH_RESULTS:-$HERE/results}
MEM_LIMIT_MIB=128
CURL_MAX=180            # seconds any single curl may take
T0=$(date +%s)

log() { printf '[%4ds] %s\n' $(( $(date +%s) - T0 )) "$*" >&2; }
die() { log "FATAL: $*"; exit 1; }

# ---------------------------------------------------------------- 1. install
SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
nginx_has_dav() { command -v nginx >/dev/null && nginx -V 2>&1 | grep -q -- --with-http_dav_module; }
missing=()
for p in wrk curl python3; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if ! nginx_has_dav; then
    dpkg -s nginx-light >/dev/null 2>&1 || missing+=(nginx-light)
fi
if [[ -z ${CAIRN_BIN:-} ]]; then
    for p in meson ninja-build gcc pkg-config libuv1-dev liblmdb-dev libssl-dev node-llhttp; do
        dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
    done
fi
if (( ${#missing[@]} )); then
    log "installing: ${missing[*]}"
    $SUDO apt-get update -qq || die "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null || die "apt-get install failed"
fi
nginx_has_dav || die "nginx has no http_dav_module (nginx -V)"
NGINX=$(command -v nginx)

# ---------------------------------------------------------------- 2. build
if [[ -z ${CAIRN_BIN:-} ]]; then
    BUILD="$REPO/build-bench"      # /build-*/ is git-ignored; release, separate from build/
    if [[ ! -d $BUILD ]]; then
        log "meson setup $BUILD --buildtype=release"
        (cd "$REPO" && meson setup "$BUILD" --buildtype=release >/dev/null) || die "meson setup failed"
    fi
    log "ninja -C $BUILD cairn"
    ninja -C "$BUILD" cairn >/dev/null || die "build failed (ninja -C $BUILD cairn)"
    CAIRN_BIN="$BUILD/cairn"
fi
[[ -x $CAIRN_BIN ]] || die "no cairn binary at $CAIRN_BIN"
BUILDTYPE=$(python3 -c 'import json,sys
try:
    o=json.load(open(sys.argv[1]+"/meson-info/intro-buildoptions.json"))
    print([x["value"] for x in o if x["name"]=="buildtype"][0])
except Exception: print("unknown")' "$(dirname "$CAIRN_BIN")")

# ---------------------------------------------------------------- workspace
W=$(mktemp -d "${BENCH_TMP:-/tmp}/cairn-bench.XXXXXX") || die "mktemp failed"
CAIRN_PID="" NGINX_PID="" SAMPLER_PID=""
cleanup() {
    local p
    for p in $SAMPLER_PID $CAIRN_PID $NGINX_PID; do
        [[ -n $p ]] && kill "$p" 2>/dev/null
    done
    for p in $CAIRN_PID $NGINX_PID; do
        [[ -n $p ]] || continue
        for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$p" 2>/dev/null
    done
    # curl children still running (only after an abort)
    jobs -p | xargs -r kill 2>/dev/null
    rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

FS_TYPE=$(df -T "$W" | awk 'NR==2 {print $2}')
FS_SRC=$(df "$W" | awk 'NR==2 {print $1 " mounted on " $6}')
FS_OPTS=$(findmnt -n -o OPTIONS -T "$W" 2>/dev/null || true)
[[ $FS_TYPE == tmpfs ]] && log "WARNING: $W is tmpfs - disk writes are not measured (set BENCH_TMP)"

free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
wait_http() {   # url: bounded wait for any HTTP answer
    local i
    for i in $(seq 100); do
        curl -s -o /dev/null --max-time 1 "$1" && return 0
        sleep 0.1
    done
    return 1
}

# ---------------------------------------------------------------- servers
CAIRN_PORT=$(free_port)
mkdir -p "$W/cairn-data"
export CAIRN_ROOT_USER=bench CAIRN_ROOT_PASSWORD=benchsecret123
CAIRN_ROOT_USER=bench CAIRN_ROOT_PASSWORD=benchsecret123 \
    "$CAIRN_BIN" server --quiet --address "127.0.0.1:$CAIRN_PORT" --console-address "127.0.0.1:$(free_port)" "$W/cairn-data" \
    >"$W/cairn.log" 2>&1 &
CAIRN_PID=$!
CAIRN="http://127.0.0.1:$CAIRN_PORT"
wait_http "$CAIRN/minio/health/live" || { cat "$W/cairn.log" >&2; die "cairn did not start"; }
code=$(curl -s -o /dev/null -w '%{http_code}' "$CAIRN/minio/health/live")
[[ $code == 200 ]] || die "cairn /minio/health/live answered $code"

NGINX_PORT=$(free_port)
nginx_write_conf "$W/nginx" "$NGINX_PORT" "$NGINX_WORKERS" /dav/ PUT
mkdir -p "$W/nginx/www/dav"
"$NGINX" -p "$W/nginx" -c "$W/nginx/nginx.conf" -e "$W/nginx/logs/error.log" >"$W/nginx/stdout" 2>&1 &
NGINX_PID=$!
NGINX_URL="http://127.0.0.1:$NGINX_PORT"
wait_http "$NGINX_URL/" || { cat "$W/nginx/stdout" "$W/nginx/logs/error.log" >&2; die "nginx did not start"; }
NGINX_VERSION=$("$NGINX" -v 2>&1 | sed 's/.*nginx\///')
log "cairn pid $CAIRN_PID on $CAIRN ($CAIRN_BIN, $BUILDTYPE); nginx $NGINX_VERSION pid $NGINX_PID on $NGINX_URL; workdir $W ($FS_TYPE)"

# ---------------------------------------------------------------- helpers
export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=benchsecret123 S3_ENDPOINT="$CAIRN"
presign() { python3 "$HERE/presign.py" --expires 3600 "$@"; }   # METHOD PATH...

rss_kib() { awk -v k="$2:" '$1==k {print $2}' "/proc/$1/status" 2>/dev/null; }
mib() { awk -v k="$1" 'BEGIN{printf "%.1f", k/1024}'; }
# CPU ticks (user+sys) of a process and its children threads; nginx: master + workers
cpu_ticks() {
    local t=0 p
    for p in "$@"; do
        [[ -r /proc/$p/stat ]] || continue
        t=$(( t + $(awk '{print $14+$15}' "/proc/$p/stat") ))
    done
    echo "$t"
}
nginx_pids() { echo "$NGINX_PID" $(pgrep -P "$NGINX_PID"); }
CLK=$(getconf CLK_TCK)

RESULTS="$W/results.tsv"   # key \t server \t value \t unit \t status \t detail \t server-cpu-%
: >"$RESULTS"
record() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "$6" "${7:-}" >>"$RESULTS"; }
PROBLEMS="$W/problems.txt"; : >"$PROBLEMS"
problem() { log "PROBLEM: $*"; printf '%s\n' "$*" >>"$PROBLEMS"; }

# show one failing request: method url [bodyfile]
show_failure() {
    local m=$1 u=$2 f=${3:-} out="$W/fail.body" code
    if [[ -n $f ]]; then
        code=$(curl -s -o "$out" -w '%{http_code}' --max-time 30 -X "$m" --data-binary "@$f" "$u")
    else
        code=$(curl -s -o "$out" -w '%{http_code}' --max-time 30 -X "$m" "$u")
    fi
    echo "a single $m now answers HTTP $code; body: $(head -c 300 "$out" | tr '\n' ' ')"
}

# ---------------------------------------------------------------- 3. bucket + verify presign
python3 "$HERE/presign.py" --selftest >/dev/null || die "presign.py self-test (AWS example) failed"
code=$(curl -s -o "$W/mb.body" -w '%{http_code}' --max-time 10 -X PUT "$(presign PUT /bench)")
[[ $code == 200 ]] || die "CreateBucket with a presigned PUT /bench answered $code: $(head -c 300 "$W/mb.body")"
head -c 4096 /dev/urandom >"$W/obj4k"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 --upload-file "$W/obj4k" "$(presign PUT /bench/obj4k)")
[[ $code == 200 ]] || die "presigned PUT /bench/obj4k answered $code"
code=$(curl -s -o "$W/obj4k.got" -w '%{http_code}' --max-time 10 "$(presign GET /bench/obj4k)")
[[ $code == 200 ]] && cmp -s "$W/obj4k" "$W/obj4k.got" || die "presigned GET /bench/obj4k answered $code or returned other bytes"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$CAIRN/bench/obj4k")
[[ $code == 403 ]] || problem "unsigned GET /bench/obj4k answered $code, expected 403"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 --upload-file "$W/obj4k" "$NGINX_URL/dav/obj4k")
[[ $code == 201 || $code == 204 ]] || die "nginx PUT /dav/obj4k answered $code"
log "presigned URLs verified (PUT bucket, PUT/GET object, unsigned GET refused)"

sleep 1
RSS_IDLE_START=$(rss_kib "$CAIRN_PID" VmRSS)

# ---------------------------------------------------------------- 4a. small objects (wrk)
cat >"$W/put.lua" <<EOF
wrk.method = "PUT"
local f = assert(io.open("$W/obj4k", "rb"))
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/octet-stream"
EOF
: >"$W/get.lua"

# run_wrk key server method url luafile [procs...]
run_wrk() {
    local key=$1 srv=$2 m=$3 url=$4 lua=$5; shift 5
    local out="$W/wrk-$key-$srv.txt" c0 c1 rps non2xx sock cpu status detail
    c0=$(cpu_ticks "$@")
    timeout $((DUR + 30)) wrk -t"$THREADS" -c"$CONNS" -d"${DUR}s" --timeout 5s --latency -s "$lua" "$url" >"$out" 2>&1
    c1=$(cpu_ticks "$@")
    rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
    non2xx=$(awk -F': *' '/Non-2xx or 3xx responses/ {print $2}' "$out")
    sock=$(awk '/Socket errors/ {s=0; for(i=1;i<=NF;i++) if ($i ~ /^[0-9]+,?$/) s+=$i; print s}' "$out")
    non2xx=${non2xx:-0}; sock=${sock:-0}
    cpu=$(awk -v d="$((c1 - c0))" -v hz="$CLK" -v t="$DUR" 'BEGIN{printf "%.0f", 100*d/hz/t}')
    local p50 p99
    p50=$(awk '$1=="50%" {print $2}' "$out"); p99=$(awk '$1=="99%" {print $2}' "$out")
    detail="requests $(awk '/requests in/ {print $1}' "$out"), p50 ${p50:-?}, p99 ${p99:-?}, server CPU ${cpu}%, non-2xx $non2xx, socket errors $sock"
    if [[ -z $rps ]]; then
        status="FAILED"; detail="wrk produced no result: $(tail -3 "$out" | tr '\n' ' ')"
        problem "$srv $key: $detail"
    elif (( non2xx > 0 || sock > 0 )); then
        status="ERRORS"
        local lf=""; [[ $m == PUT ]] && lf="$W/obj4k"
        problem "$srv $key: $non2xx non-2xx responses and $sock socket errors in $(awk '/requests in/ {print $1}' "$out") requests; $(show_failure "$m" "$url" "$lf")"
    else
        status="ok"
    fi
    record "$key" "$srv" "${rps:-0}" "ops/s" "$status" "$detail" "$cpu"
    log "$srv $key: ${rps:-?} ops/s [$status] $detail"
}

log "4 KiB PUT: wrk -t$THREADS -c$CONNS -d${DUR}s, one key overwritten"
run_wrk put4k cairn PUT "$(presign PUT /bench/obj4k)" "$W/put.lua" "$CAIRN_PID"
run_wrk put4k nginx PUT "$NGINX_URL/dav/obj4k" "$W/put.lua" $(nginx_pids)
# the stored object must still be the 4 KiB body
code=$(curl -s -o "$W/obj4k.got" -w '%{http_code}' --max-time 10 "$(presign GET /bench/obj4k)")
{ [[ $code == 200 ]] && cmp -s "$W/obj4k" "$W/obj4k.got"; } || problem "after the PUT run, GET /bench/obj4k answered $code or other bytes"

log "4 KiB GET: wrk -t$THREADS -c$CONNS -d${DUR}s"
run_wrk get4k cairn GET "$(presign GET /bench/obj4k)" "$W/get.lua" "$CAIRN_PID"
run_wrk get4k nginx GET "$NGINX_URL/dav/obj4k" "$W/get.lua" $(nginx_pids)

sleep 1
RSS_IDLE_AFTER_SMALL=$(rss_kib "$CAIRN_PID" VmRSS)

# ---------------------------------------------------------------- 4b. large objects (curl)
BIG="$W/big.bin"
BIG_BYTES=$(( BIG_MIB * 1024 * 1024 ))
log "creating ${BIG_MIB} MiB from /dev/urandom"
head -c "$BIG_BYTES" /dev/urandom >"$BIG" || die "cannot create $BIG"
cat "$BIG" >/dev/null   # page cache: the client reads from memory in every run

# context for the large PUT numbers (not a server): what one core hashes and
# what the disk takes durably, on this machine now
secs() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.3f", b-a}'; }
t0=$(date +%s.%N); openssl md5 "$BIG" >/dev/null 2>&1; t1=$(date +%s.%N)
CTX_MD5=$(awk -v t="$(secs "$t0" "$t1")" -v m="$BIG_MIB" 'BEGIN{printf "%.0f", m/t}')
t0=$(date +%s.%N); dd if="$BIG" of="$W/dd.out" bs=4M conv=fdatasync status=none; t1=$(date +%s.%N)
CTX_DD=$(awk -v t="$(secs "$t0" "$t1")" -v m="$BIG_MIB" 'BEGIN{printf "%.0f", m/t}')
rm -f "$W/dd.out"
log "context: openssl md5 one core $CTX_MD5 MiB/s; dd ${BIG_MIB} MiB conv=fdatasync $CTX_DD MiB/s"

# curl_one srv method url  -> prints "code seconds bytes" (bytes = uploaded or downloaded)
curl_one() {
    local m=$1 u=$2 tag=$3
    if [[ $m == PUT ]]; then
        curl -s -o "$W/resp-$tag" --max-time "$CURL_MAX" -w '%{http_code} %{time_total} %{size_upload}' \
             --upload-file "$BIG" "$u"
    else
        curl -s -o /dev/null --max-time "$CURL_MAX" -w '%{http_code} %{time_total} %{size_download}' "$u"
    fi
}
ok_code() { [[ $1 == 200 || $1 == 201 || $1 == 204 ]]; }

# big_seq key srv method url   (best of 3, sequential)
big_seq() {
    local key=$1 srv=$2 m=$3 u=$4 best="" all="" i r code t n status="ok" detail
    for i in 1 2 3; do
        r=$(curl_one "$m" "$u" "$key-$srv-$i"); read -r code t n <<<"$r"
        if ! ok_code "$code" || [[ $n != "$BIG_BYTES" ]]; then
            status="ERRORS"
            problem "$srv $key run $i: HTTP $code after ${t}s, $n of $BIG_BYTES bytes; body: $(head -c 300 "$W/resp-$key-$srv-$i" 2>/dev/null | tr '\n' ' ')"
            continue
        fi
        all+="${t}s "
        best=$(awk -v a="${best:-999999}" -v b="$t" 'BEGIN{print (b<a)?b:a}')
    done
    local mibs=0
    [[ -n $best ]] && mibs=$(awk -v t="$best" -v m="$BIG_MIB" 'BEGIN{printf "%.1f", m/t}')
    detail="times ${all:-none}"
    record "$key" "$srv" "$mibs" "MiB/s" "$status" "$detail"
    log "$srv $key: $mibs MiB/s [$status] $detail"
}

# big_par key srv method n url...   (n concurrent, aggregate MiB/s = n*size/wall)
big_par() {
    local key=$1 srv=$2 m=$3 n=$4; shift 4
    local urls=("$@") i t0 t1 wall status="ok" pids=() detail
    t0=$(date +%s.%N)
    for ((i = 0; i < n; i++)); do
        curl_one "$m" "${urls[$i]}" "$key-$srv-$i" >"$W/par-$key-$srv-$i" &
        pids+=($!)
    done
    for i in "${pids[@]}"; do wait "$i"; done
    t1=$(date +%s.%N)
    wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", b-a}')
    local nok=0 code t bytes
    for ((i = 0; i < n; i++)); do
        read -r code t bytes <"$W/par-$key-$srv-$i"
        if ok_code "$code" && [[ $bytes == "$BIG_BYTES" ]]; then
            nok=$((nok + 1))
        else
            status="ERRORS"
            problem "$srv $key request $i: HTTP $code after ${t}s, $bytes of $BIG_BYTES bytes; body: $(head -c 300 "$W/resp-$key-$srv-$i" 2>/dev/null | tr '\n' ' ')"
        fi
    done
    local mibs
    mibs=$(awk -v n="$nok" -v m="$BIG_MIB" -v w="$wall" 'BEGIN{printf "%.1f", n*m/w}')
    detail="$nok/$n ok, wall ${wall}s"
    record "$key" "$srv" "$mibs" "MiB/s" "$status" "$detail"
    log "$srv $key: $mibs MiB/s aggregate [$status] $detail"
}

log "${BIG_MIB} MiB PUT, best of 3 (same key overwritten)"
big_seq putbig cairn PUT "$(presign PUT /bench/big-seq)"
big_seq putbig nginx PUT "$NGINX_URL/dav/big-seq"
log "${BIG_MIB} MiB PUT, 4 concurrent (different keys)"
big_par putbig4 cairn PUT 4 $(presign PUT /bench/big-c0 /bench/big-c1 /bench/big-c2 /bench/big-c3)
big_par putbig4 nginx PUT 4 "$NGINX_URL"/dav/big-c{0,1,2,3}

# integrity: the large object comes back byte for byte (not timed)
if curl -s --max-time "$CURL_MAX" "$(presign GET /bench/big-seq)" | cmp -s - "$BIG"; then
    log "cairn GET /bench/big-seq returns the uploaded ${BIG_MIB} MiB byte for byte"
else
    problem "cairn GET /bench/big-seq does not return the uploaded bytes"
fi

log "${BIG_MIB} MiB GET, best of 3"
big_seq getbig cairn GET "$(presign GET /bench/big-seq)"
big_seq getbig nginx GET "$NGINX_URL/dav/big-seq"
log "${BIG_MIB} MiB GET, 4 concurrent"
big_par getbig4 cairn GET 4 $(presign GET /bench/big-c0 /bench/big-c1 /bench/big-c2 /bench/big-c3)
big_par getbig4 nginx GET 4 "$NGINX_URL"/dav/big-c{0,1,2,3}

# ---------------------------------------------------------------- 4c. memory peak, 16 concurrent uploads
# nginx's big objects are no longer needed: free the disk
rm -f "$W"/nginx/www/dav/big-*
RSS_BEFORE_MEM=$(rss_kib "$CAIRN_PID" VmRSS)
HWM_LIFETIME_BEFORE=$(rss_kib "$CAIRN_PID" VmHWM)
HWM_RESET=no
if echo 5 >"/proc/$CAIRN_PID/clear_refs" 2>/dev/null; then HWM_RESET=yes; fi
# independent sampler of VmRSS every 50 ms (bounded: at most 6000 samples)
( m=0; for _ in $(seq 6000); do
      [[ -e $W/sampler.stop ]] && break
      r=$(awk '$1=="VmRSS:" {print $2}' "/proc/$CAIRN_PID/status" 2>/dev/null) || break
      [[ -n $r ]] || break
      (( r > m )) && m=$r && echo "$m" >"$W/sampler.max"
      sleep 0.05
  done ) &
SAMPLER_PID=$!
log "memory: $MEM_UPLOADS concurrent ${BIG_MIB} MiB uploads (VmHWM reset: $HWM_RESET)"
mem_keys=(); for ((i = 0; i < MEM_UPLOADS; i++)); do mem_keys+=("/bench/mem-$i"); done
big_par putbig16 cairn PUT "$MEM_UPLOADS" $(presign PUT "${mem_keys[@]}")
HWM_UPLOAD=$(rss_kib "$CAIRN_PID" VmHWM)
touch "$W/sampler.stop"; wait "$SAMPLER_PID" 2>/dev/null; SAMPLER_PID=""
SAMPLED_UPLOAD=$(cat "$W/sampler.max" 2>/dev/null || echo 0)

# informational: the same for 16 concurrent GETs of those objects
rm -f "$W/sampler.stop" "$W/sampler.max"
[[ $HWM_RESET == yes ]] && echo 5 >"/proc/$CAIRN_PID/clear_refs" 2>/dev/null
log "memory: $MEM_UPLOADS concurrent ${BIG_MIB} MiB downloads (informational)"
big_par getbig16 cairn GET "$MEM_UPLOADS" $(presign GET "${mem_keys[@]}")
HWM_DOWNLOAD=$(rss_kib "$CAIRN_PID" VmHWM)
sleep 1
RSS_IDLE_END=$(rss_kib "$CAIRN_PID" VmRSS)
THREADS_CAIRN=$(awk '$1=="Threads:" {print $2}' "/proc/$CAIRN_PID/status")
kill -0 "$CAIRN_PID" 2>/dev/null || problem "cairn is no longer running"
NGINX_ERRORS=$(grep -c '\[\(error\|crit\|alert\|emerg\)\]' "$W/nginx/logs/error.log" 2>/dev/null || true)

# ---------------------------------------------------------------- 5. report
DATE=$(date -u +%Y-%m-%dT%H:%M:%SZ)
mkdir -p "$RESULTS_DIR"
JSON="$RESULTS_DIR/core-$(date -u +%Y-%m-%d-%H%M).json"
CMDLINE="bench/core.sh"
for v in BENCH_TMP BENCH_DURATION BENCH_CONNS BENCH_THREADS BENCH_BIG_MIB BENCH_MEM_UPLOADS NGINX_WORKERS CAIRN_BIN; do
    [[ -n ${!v:-} ]] && CMDLINE="$v=${!v} $CMDLINE"
done
GIT_REV=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)
GIT_DIRTY=$(git -C "$REPO" status --porcelain -- server s3api storage common meson.build 2>/dev/null | grep -q . && echo "+uncommitted changes" || true)

python3 - "$RESULTS" "$PROBLEMS" "$JSON" <<PY
import json, sys
res_path, prob_path, json_path = sys.argv[1:4]
rows = {}
for line in open(res_path):
    key, srv, val, unit, status, detail, cpu = line.rstrip("\n").split("\t")
    rows.setdefault(key, {})[srv] = {"value": float(val), "unit": unit, "status": status, "detail": detail}
    if cpu:
        rows[key][srv]["server_cpu_percent"] = int(cpu)
problems = [l.rstrip("\n") for l in open(prob_path) if l.strip()]
big = $BIG_MIB
names = [
    ("put4k", "4 KiB PUT (ops/s)"),
    ("get4k", "4 KiB GET (ops/s)"),
    ("putbig", f"{big} MiB PUT (MiB/s, best of 3)"),
    ("getbig", f"{big} MiB GET (MiB/s, best of 3)"),
    ("putbig4", f"{big} MiB PUT x4 concurrent (MiB/s)"),
    ("getbig4", f"{big} MiB GET x4 concurrent (MiB/s)"),
    ("putbig16", f"{big} MiB PUT x$MEM_UPLOADS concurrent (MiB/s)"),
    ("getbig16", f"{big} MiB GET x$MEM_UPLOADS concurrent (MiB/s)"),
]
def cell(r):
    if r is None: return "-"
    if r["status"] != "ok": return f"{r['status']} ({r['value']:,.0f})"
    return f"{r['value']:,.0f}" if r["unit"] == "ops/s" else f"{r['value']:,.1f}"
table = []
for key, label in names:
    c, n = rows.get(key, {}).get("cairn"), rows.get(key, {}).get("nginx")
    ratio = "-"
    if c and n and c["status"] == "ok" and n["status"] == "ok" and n["value"] > 0:
        ratio = f"{c['value'] / n['value']:.2f}"
    table.append((label, cell(c), cell(n), ratio))
kib = lambda v: round(int(v or 0) / 1024, 1)
limit = $MEM_LIMIT_MIB
peak_up = max(kib("$HWM_UPLOAD"), kib("$SAMPLED_UPLOAD"))
mem = {
    "rss_idle_start_mib": kib("$RSS_IDLE_START"),
    "rss_idle_after_small_mib": kib("$RSS_IDLE_AFTER_SMALL"),
    "rss_idle_end_mib": kib("$RSS_IDLE_END"),
    "hwm_lifetime_before_upload_test_mib": kib("$HWM_LIFETIME_BEFORE"),
    "hwm_reset_before_upload_test": "$HWM_RESET" == "yes",
    "peak_during_uploads_mib": peak_up,
    "peak_during_uploads_vmhwm_mib": kib("$HWM_UPLOAD"),
    "peak_during_uploads_sampled_mib": kib("$SAMPLED_UPLOAD"),
    "peak_during_downloads_vmhwm_mib": kib("$HWM_DOWNLOAD"),
    "concurrent_uploads": $MEM_UPLOADS,
    "object_mib": big,
    "limit_mib": limit,
    "verdict": "PASS" if 0 < peak_up < limit and rows.get("putbig16", {}).get("cairn", {}).get("status") == "ok" else "FAIL",
    "threads": int("${THREADS_CAIRN:-0}" or 0),
}
machine = {
    "nproc": int("$(nproc)"),
    "cpu": "$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)",
    "mem_total_gib": round(int("$(awk '/MemTotal/ {print $2}' /proc/meminfo)") / 1048576, 1),
    "kernel": "$(uname -r)",
    "os": "$(. /etc/os-release && echo "$PRETTY_NAME")",
    "filesystem": "$FS_TYPE, $FS_SRC ($FS_OPTS)",
}
setup = {
    "command": "$CMDLINE",
    "date": "$DATE",
    "cairn": "$CAIRN_BIN ($BUILDTYPE), git $GIT_REV$GIT_DIRTY",
    "nginx": "$NGINX_VERSION, worker_processes $NGINX_WORKERS, WebDAV PUT, sendfile on",
    "wrk": "wrk -t$THREADS -c$CONNS -d${DUR}s, presigned URL for cairn; 4 KiB PUT overwrites one key",
    "large": "curl --upload-file / -o /dev/null, presigned URL for cairn; sequential runs overwrite one key",
    "nginx_error_log_lines": int("$NGINX_ERRORS" or 0),
}
context = {"md5_one_core_mib_s": int("${CTX_MD5:-0}" or 0),
           "disk_write_fdatasync_mib_s": int("${CTX_DD:-0}" or 0),
           "note": "openssl md5 of the large file (one core); dd of the large file with conv=fdatasync into the work dir"}
out = {"setup": setup, "machine": machine, "context": context,
       "results": {k: rows.get(k, {}) for k, _ in names}, "memory": mem, "problems": problems}
with open(json_path, "w") as f:
    json.dump(out, f, indent=2)
    f.write("\n")

w0 = max(len(r[0]) for r in table + [("workload",)])
w = [w0, 16, 16, 11]
line = lambda a: " | ".join(str(x).ljust(w[i]) if i == 0 else str(x).rjust(w[i]) for i, x in enumerate(a))
print()
print(f"cairn core benchmark - {setup['date']}")
print(f"machine: {machine['nproc']} cores ({machine['cpu']}), {machine['mem_total_gib']} GiB, kernel {machine['kernel']}, {machine['os']}, fs {machine['filesystem']}")
print(f"cairn:   {setup['cairn']}")
print(f"nginx:   {setup['nginx']}")
print(f"load:    {setup['wrk']}")
print()
print(line(("workload", "cairn", "nginx", "cairn/nginx")))
print("-+-".join("-" * x for x in w))
for r in table: print(line(r))
cpu = lambda k, s: rows.get(k, {}).get(s, {}).get("server_cpu_percent", "?")
print(f"server CPU during the wrk runs (100% = one core of {machine['nproc']}): "
      f"4 KiB PUT cairn {cpu('put4k','cairn')}% nginx {cpu('put4k','nginx')}%, "
      f"4 KiB GET cairn {cpu('get4k','cairn')}% nginx {cpu('get4k','nginx')}%")
print(f"context for large PUTs: one core hashes MD5 at {context['md5_one_core_mib_s']} MiB/s; "
      f"the disk takes {big} MiB + fdatasync at {context['disk_write_fdatasync_mib_s']} MiB/s (dd); nginx does not fsync")
print()
print(f"memory (cairn VmRSS): idle after start {mem['rss_idle_start_mib']} MiB, "
      f"idle after 4 KiB runs {mem['rss_idle_after_small_mib']} MiB, idle at end {mem['rss_idle_end_mib']} MiB")
print(f"memory peak during {mem['concurrent_uploads']} concurrent {big} MiB uploads: {peak_up} MiB "
      f"(VmHWM {mem['peak_during_uploads_vmhwm_mib']}, sampled VmRSS {mem['peak_during_uploads_sampled_mib']}; "
      f"VmHWM reset before: {'yes' if mem['hwm_reset_before_upload_test'] else 'no - lifetime peak'}) "
      f"-> {mem['verdict']} (limit {limit} MiB)")
print(f"memory peak during {mem['concurrent_uploads']} concurrent {big} MiB downloads: {mem['peak_during_downloads_vmhwm_mib']} MiB (informational)")
if problems:
    print()
    print(f"PROBLEMS ({len(problems)}):")
    for p in problems: print("  - " + p)
print()
print(f"json: {json_path}")
PY
log "done in $(( $(date +%s) - T0 ))s; cleaning up"
