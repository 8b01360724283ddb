#!/usr/bin/env bash
# bench/storage.sh - erasure coding, degraded reads, healing and multipart
# uploads of cairn, on one machine. See docs/benchmarks-storage.md.
#
#   bench/storage.sh         # build (release, build-bench/), run, report
#
# Environment (all optional):
#   BENCH_TMP=/tmp            parent of the temp dir (all drives are directories in it,
#                             so every "drive" is the same disk)
#   BENCH_OBJ_MIB=256         object size for the PUT/GET/degraded GET rows
#   BENCH_RUNS=3              sequential PUTs per row (best and all times are reported)
#   BENCH_GET_RUNS=5          sequential GETs per row (healthy and degraded; ~0.3 s each)
#   BENCH_HEAL_OBJECTS=32 BENCH_HEAL_OBJ_MIB=64   what the replaced drive must get back
#   BENCH_MP_MIB=1024 BENCH_MP_PART_MIB=16 BENCH_MP_CONC=8 BENCH_MP_RUNS=2   multipart vs single PUT
#   BENCH_DRIVES="1 4 6"      drive counts for the PUT/GET rows
#   CAIRN_BIN=...             use this binary (and bench/cairn-bench, bench/ec-speed next to it)
#   BENCH_GIT_REV=...         what CAIRN_BIN was built from (for the report)
#   BENCH_RESULTS=bench/results   where storage-<date>.json goes
#
# Not a test: it reports numbers, PASS/FAIL for the degraded-read target
# (a degraded GET costs at most 2x a healthy one), and any failed request,
# wrong byte or stuck heal under PROBLEMS. Exit status 0 unless setup failed.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
OBJ_MIB=${BENCH_OBJ_MIB:-256}
RUNS=${BENCH_RUNS:-3}
GET_RUNS=${BENCH_GET_RUNS:-5}
HEAL_OBJECTS=${BENCH_HEAL_OBJECTS:-32}
HEAL_OBJ_MIB=${BENCH_HEAL_OBJ_MIB:-64}
MP_MIB=${BENCH_MP_MIB:-1024}
MP_PART_MIB=${BENCH_MP_PART_MIB:-16}
MP_CONC=${BENCH_MP_CONC:-8}
MP_RUNS=${BENCH_MP_RUNS:-2}
DRIVE_COUNTS=${BENCH_DRIVES:-"1 4 6"}
RESULTS_DIR=${BENCH_RESULTS:-$HERE/results}
HEAL_LIMIT_S=600        # give up waiting for a heal after this
CURL_MAX=300            # seconds any single curl may take
T0=$(date +%s)

log() { printf '[%4ds] %s\n' $(( $(date +%s) - T0 )) "$*" >&2; }
die() { log "FATAL: $*"; exit 1; }

# ---------------------------------------------------------------- install + build
SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
missing=()
for p in curl python3 openssl; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [[ -z ${CAIRN_BIN:-} ]]; then
    for p in meson ninja-build gcc pkg-config libuv1-dev liblmdb-dev libssl-dev node-llhttp libisal-dev; do
        dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
    done
fi
if (( ${#missing[@]} )); then
    log "installing: ${missing[*]}"
    $SUDO apt-get update -qq || die "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null || die "apt-get install failed"
fi
if [[ -z ${CAIRN_BIN:-} ]]; then
    BUILD="$REPO/build-bench"
    if [[ ! -d $BUILD ]]; then
        log "meson setup $BUILD --buildtype=release"
        (cd "$REPO" && meson setup "$BUILD" --buildtype=release >/dev/null) || die "meson setup failed"
    fi
    log "ninja -C $BUILD"
    ninja -C "$BUILD" cairn bench/cairn-bench bench/ec-speed >/dev/null || die "build failed (ninja -C $BUILD)"
    CAIRN_BIN="$BUILD/cairn"
fi
BIN_DIR=$(dirname "$CAIRN_BIN")
CB="$BIN_DIR/bench/cairn-bench"
ECS="$BIN_DIR/bench/ec-speed"
for b in "$CAIRN_BIN" "$CB" "$ECS"; do [[ -x $b ]] || die "missing $b"; done
BUILDTYPE=$(python3 -c 'import json,sys
try:
    o=json.load(open(sys.argv[1]+"/meson-info/intro-buildoptions.json"))
    print([x["value"] for x in o if x["name"]=="buildtype"][0])
except Exception: print("unknown")' "$BIN_DIR")

# ---------------------------------------------------------------- workspace
W=$(mktemp -d "${BENCH_TMP:-/tmp}/cairn-storage.XXXXXX") || die "mktemp failed"
SRV_PID=""
cleanup() {
    if [[ -n $SRV_PID ]]; then
        kill "$SRV_PID" 2>/dev/null
        for _ in $(seq 100); do kill -0 "$SRV_PID" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$SRV_PID" 2>/dev/null
    fi
    jobs -p | xargs -r kill 2>/dev/null
    rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
FS_TYPE=$(df -T "$W" | awk 'NR==2 {print $2}')
FS_SRC=$(df "$W" | awk 'NR==2 {print $1 " mounted on " $6}')
[[ $FS_TYPE == tmpfs ]] && log "WARNING: $W is tmpfs - disk writes are not measured (set BENCH_TMP)"
CLK=$(getconf CLK_TCK)
export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=benchsecret123

RESULTS="$W/results.tsv"; : >"$RESULTS"   # key \t value \t unit \t status \t detail
record() { printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" >>"$RESULTS"; }
PROBLEMS="$W/problems.txt"; : >"$PROBLEMS"
problem() { log "PROBLEM: $*"; printf '%s\n' "$*" >>"$PROBLEMS"; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.3f", b-a}'; }
now() { date +%s.%N; }

free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

# start_server LABEL DIR... (env CAIRN_* passed through): sets SRV_PID SRV_URL SRV_T0
start_server() {
    local label=$1; shift
    local port; port=$(free_port)
    SRV_T0=$(now)
    CAIRN_ROOT_USER=bench CAIRN_ROOT_PASSWORD=benchsecret123 CAIRN_PROMETHEUS_AUTH_TYPE=public \
        "$CAIRN_BIN" server --quiet --address "127.0.0.1:$port" --console-address "127.0.0.1:$(free_port)" "$@" >"$W/server-$label.log" 2>&1 &
    SRV_PID=$!
    SRV_LABEL=$label
    SRV_URL="http://127.0.0.1:$port"
    export S3_ENDPOINT="$SRV_URL"
    local i
    for i in $(seq 100); do
        curl -s -o /dev/null --max-time 1 "$SRV_URL/minio/health/live" && break
        kill -0 "$SRV_PID" 2>/dev/null || break
        sleep 0.1
    done
    if ! curl -s -o /dev/null --max-time 1 "$SRV_URL/minio/health/live"; then
        cat "$W/server-$label.log" >&2; die "cairn ($label) did not start"
    fi
}
stop_server() {
    [[ -n $SRV_PID ]] || return 0
    kill "$SRV_PID" 2>/dev/null
    local i
    for i in $(seq 100); do kill -0 "$SRV_PID" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$SRV_PID" 2>/dev/null; then
        problem "cairn pid $SRV_PID did not stop within 10 s of SIGTERM; killed"
        kill -9 "$SRV_PID" 2>/dev/null
    fi
    wait "$SRV_PID" 2>/dev/null
    local rc=$?
    # a clean stop exits 0; anything else (139 = SIGSEGV) is a server bug
    if (( rc != 0 )); then
        local sig=""; (( rc > 128 )) && sig=" (signal $(kill -l $(( rc - 128 )) 2>/dev/null || echo $(( rc - 128 ))))"
        problem "cairn ($SRV_LABEL phase) exited with status $rc$sig after SIGTERM; last log lines: $(tail -3 "$W/server-$SRV_LABEL.log" | tr '\n' ' ')"
    fi
    SRV_PID=""
}
presign() { python3 "$HERE/presign.py" --expires 3600 "$@"; }
status_kib() { awk -v k="$1:" '$1==k {print $2}' "/proc/$SRV_PID/status" 2>/dev/null; }
mib_of_kib() { awk -v k="${1:-0}" 'BEGIN{printf "%.1f", k/1024}'; }
reset_hwm() { echo 5 >"/proc/$SRV_PID/clear_refs" 2>/dev/null; }
cpu_ticks() { awk '{print $14+$15}' "/proc/$SRV_PID/stat" 2>/dev/null; }
# per-thread CPU ticks: "loop" (the main thread: event loop, HTTP, parsing)
# and "other-threads" (libuv pool: hashing, erasure coding, file I/O; LMDB writer)
thread_ticks() {
    local t
    for t in /proc/"$SRV_PID"/task/*; do
        [[ -r $t/stat ]] || continue
        # comm is in parentheses and may contain spaces: fields after ") "
        sed -E 's/^([0-9]+) \(.*\) (.*)$/\1 \2/' "$t/stat" | awk -v pid="$SRV_PID" '{print ($1 == pid ? "loop" : "other-threads"), $13 + $14}'
    done | awk '{s[$1]+=$2} END {for (k in s) print k, s[k]}' | sort
}
metric() {   # name -> value from the cluster metrics (public: CAIRN_PROMETHEUS_AUTH_TYPE)
    curl -s --max-time 5 "$SRV_URL/minio/v2/metrics/cluster" | awk -v n="$1" '$1==n || index($1, n"{")==1 {print $2; exit}'
}
make_bucket() {
    local code
    code=$(curl -s -o "$W/mb.body" -w '%{http_code}' --max-time 10 -X PUT "$(presign PUT "/$1")")
    [[ $code == 200 ]] || die "CreateBucket /$1 answered $code: $(head -c 300 "$W/mb.body")"
}
# data-shard file of the newest object on a drive
newest_shard() { find "$1/.cairn.sys/data" -type f -printf '%T@ %s %f\n' 2>/dev/null | sort -n | tail -1; }
drive_usage() { find "$1/.cairn.sys/data" -type f -printf '%s\n' 2>/dev/null | awk '{n++; b+=$1} END {printf "%d %d\n", n, b}'; }

# ---------------------------------------------------------------- context
log "context: isa-l encode (ec-speed 2+2 3+3), openssl speed md5/sha256 (one core), dd"
"$ECS" 2+2 3+3 >"$W/ec.txt" 2>&1 || problem "ec-speed failed: $(cat "$W/ec.txt")"
EC22=$(awk '/RS 2\+2/ {print $5}' "$W/ec.txt"); EC33=$(awk '/RS 3\+3/ {print $5}' "$W/ec.txt")
CRC=$(awk '/CRC32C/ {print $3}' "$W/ec.txt")
record ec_2p2 "${EC22:-0}" "MiB/s" ok "isa-l RS 2+2 encode, data bytes, 1 MiB blocks, one core"
record ec_3p3 "${EC33:-0}" "MiB/s" ok "isa-l RS 3+3 encode, data bytes, 1 MiB blocks, one core"
record crc32c "${CRC:-0}" "MiB/s" ok "isa-l CRC32C one core"
ossl() { openssl speed -seconds 2 -bytes 1048576 -mr -evp "$1" 2>/dev/null | awk -F: -v a="$1" '$1=="+F" && $3==a {printf "%.0f", $4/1048576}'; }
MD5_RATE=$(ossl md5); SHA_RATE=$(ossl sha256)
record md5_core "${MD5_RATE:-0}" "MiB/s" ok "openssl speed -evp md5 -bytes 1048576, one core"
record sha256_core "${SHA_RATE:-0}" "MiB/s" ok "openssl speed -evp sha256 -bytes 1048576, one core"
BIG="$W/obj.bin"; head -c $(( OBJ_MIB << 20 )) /dev/urandom >"$BIG" || die "cannot create $BIG"
t0=$(now); dd if=/dev/zero of="$W/dd.out" bs=4M count=256 conv=fdatasync status=none; t1=$(now)
DD_RATE=$(awk -v t="$(secs "$t0" "$t1")" 'BEGIN{printf "%.0f", 1024/t}'); rm -f "$W/dd.out"
record disk_write "$DD_RATE" "MiB/s" ok "dd 1 GiB bs=4M conv=fdatasync into the work dir"
log "isa-l 2+2 $EC22 MiB/s, 3+3 $EC33 MiB/s; md5 $MD5_RATE MiB/s, sha256 $SHA_RATE MiB/s; dd $DD_RATE MiB/s"
cat "$BIG" >/dev/null

OBJ_BYTES=$(( OBJ_MIB << 20 ))
ok_code() { [[ $1 == 200 ]]; }
# seq_runs KEY METHOD URL: RUNS sequential curls, best MiB/s + all times
seq_runs() {
    local key=$1 m=$2 u=$3 i code t n best="" all="" status=ok runs=$RUNS
    [[ $m == GET ]] && runs=$GET_RUNS
    for ((i = 1; i <= runs; i++)); do
        if [[ $m == PUT ]]; then
            read -r code t n < <(curl -s -o "$W/resp" --max-time "$CURL_MAX" -w '%{http_code} %{time_total} %{size_upload}' --upload-file "$BIG" "$u")
        else
            read -r code t n < <(curl -s -o /dev/null --max-time "$CURL_MAX" -w '%{http_code} %{time_total} %{size_download}' "$u")
        fi
        if ! ok_code "$code" || [[ $n != "$OBJ_BYTES" ]]; then
            status=ERRORS
            problem "$key run $i: $m answered HTTP $code after ${t}s, $n of $OBJ_BYTES bytes; body: $(head -c 300 "$W/resp" 2>/dev/null | tr '\n' ' ')"
            continue
        fi
        all+="${t}s "
        best=$(awk -v a="${best:-999999}" -v b="$t" 'BEGIN{print (b<a)?b:a}')
    done
    local v=0; [[ -n $best ]] && v=$(awk -v t="$best" -v m="$OBJ_MIB" 'BEGIN{printf "%.1f", m/t}')
    record "$key" "$v" "MiB/s" "$status" "best of $runs, times ${all:-none}"
    log "$key: $v MiB/s [$status] times ${all:-none}"
    LAST_BEST=$best
}
verify_get() {   # key what
    if ! curl -s --max-time "$CURL_MAX" "$(presign GET "/bench/$1")" | cmp -s - "$BIG"; then
        problem "$2: GET /bench/$1 does not return the uploaded bytes"
        return 1
    fi
}

# ---------------------------------------------------------------- 1. PUT/GET on 1, 4, 6 drives; degraded GET
for N in $DRIVE_COUNTS; do
    D="$W/n$N"; mkdir -p "$D"
    dirs=(); for ((i = 1; i <= N; i++)); do dirs+=("$D/d$i"); done
    start_server "n$N" "${dirs[@]}"
    make_bucket bench
    log "$N drive(s): ${OBJ_MIB} MiB PUT x$RUNS, GET x$GET_RUNS (pid $SRV_PID)"
    t_put=$(cpu_ticks)
    seq_runs "put_n$N" PUT "$(presign PUT /bench/obj)"
    t_put=$(( $(cpu_ticks) - t_put ))
    verify_get obj "$N drives healthy"
    t_get=$(cpu_ticks)
    seq_runs "get_n$N" GET "$(presign GET /bench/obj)"
    t_get=$(( $(cpu_ticks) - t_get ))
    HEALTHY_BEST=$LAST_BEST
    record "cpu_put_n$N" "$(awk -v t="$t_put" -v h="$CLK" -v r="$RUNS" -v m="$OBJ_MIB" 'BEGIN{printf "%.2f", t/h/(r*m/1024)}')" "cpu s/GiB" ok "server user+sys over the PUT runs"
    record "cpu_get_n$N" "$(awk -v t="$t_get" -v h="$CLK" -v r="$GET_RUNS" -v m="$OBJ_MIB" 'BEGIN{printf "%.2f", t/h/(r*m/1024)}')" "cpu s/GiB" ok "server user+sys over the GET runs"
    CPU_GET_HEALTHY=$(awk -v t="$t_get" -v h="$CLK" -v r="$GET_RUNS" -v m="$OBJ_MIB" 'BEGIN{printf "%.2f", t/h/(r*m/1024)}')
    record "hwm_n$N" "$(mib_of_kib "$(status_kib VmHWM)")" "MiB" ok "VmHWM of the server: start, PUTs, GETs"
    shard=$(newest_shard "${dirs[0]}")
    stop_server
    if (( N >= 2 )); then
        # which drives hold the data shards of the object: volume_drive_of():
        # drive = (shard + id[1] % N) % N for one set of N drives
        k=$(( N == 4 ? 2 : N == 6 ? 3 : 0 )); m=$(( N - k ))
        (( k > 0 )) || { problem "no default parity known for $N drives; degraded GET skipped"; rm -rf "$D"; continue; }
        id=$(awk '{print $3}' <<<"$shard")
        rot=$(( 16#${id:2:2} % N ))
        gone=(); for ((j = 0; j < m; j++)); do gone+=($(( (j + rot) % N + 1 ))); done   # data shards first
        log "$N drives: object $id, data shards on drives $(for ((j = 0; j < k; j++)); do printf 'd%d ' $(( (j + rot) % N + 1 )); done); making d${gone[*]} unusable (regular files)"
        for g in "${gone[@]}"; do mv "$D/d$g" "$D/d$g.away" && : >"$D/d$g"; done
        start_server "n$N-degraded" "${dirs[@]}"
        heal0=$(metric cairn_heal_bytes_healed_total)
        verify_get obj "$N drives with ${#gone[@]} missing"
        t_get=$(cpu_ticks)
        seq_runs "get_n${N}_degraded" GET "$(presign GET /bench/obj)"
        t_get=$(( $(cpu_ticks) - t_get ))
        heal1=$(metric cairn_heal_bytes_healed_total)
        ratio=0
        [[ -n $LAST_BEST && -n $HEALTHY_BEST ]] && ratio=$(awk -v a="$LAST_BEST" -v b="$HEALTHY_BEST" 'BEGIN{printf "%.2f", a/b}')
        verdict=$(awk -v r="$ratio" 'BEGIN{print (r > 0 && r <= 2) ? "PASS" : "FAIL"}')
        record "degraded_ratio_n$N" "$ratio" "x" "$verdict" "best degraded GET time / best healthy GET time; drives made unusable: ${gone[*]} (all data shards of the object); heal bytes during the runs: ${heal0:-?} -> ${heal1:-?}"
        cpu_deg=$(awk -v t="$t_get" -v h="$CLK" -v r="$GET_RUNS" -v m="$OBJ_MIB" 'BEGIN{printf "%.2f", t/h/(r*m/1024)}')
        record "cpu_get_n${N}_degraded" "$cpu_deg" "cpu s/GiB" ok "server user+sys over the degraded GET runs (includes the deep heal check each degraded read queues)"
        record "degraded_cpu_ratio_n$N" "$(awk -v a="$cpu_deg" -v b="$CPU_GET_HEALTHY" 'BEGIN{printf "%.2f", (b > 0) ? a/b : 0}')" "x" ok "server CPU per GiB, degraded GET / healthy GET"
        record "hwm_n${N}_degraded" "$(mib_of_kib "$(status_kib VmHWM)")" "MiB" ok "VmHWM of the degraded server"
        log "$N drives degraded: ratio $ratio -> $verdict (heal bytes ${heal0:-?} -> ${heal1:-?})"
        grep -E ' (error|warn) ' "$W/server-n$N-degraded.log" | head -5 | sed 's/^/    server log: /' >&2
        stop_server
        for g in "${gone[@]}"; do rm -f "$D/d$g" && mv "$D/d$g.away" "$D/d$g"; done
    fi
    rm -rf "$D"
done

# ---------------------------------------------------------------- 2. healing a blank replacement drive
D="$W/heal"; mkdir -p "$D"
hdirs=("$D/d1" "$D/d2" "$D/d3" "$D/d4")
start_server heal-fill "${hdirs[@]}"
make_bucket bench
HOBJ="$W/heal-obj.bin"; head -c $(( HEAL_OBJ_MIB << 20 )) /dev/urandom >"$HOBJ"
log "healing: uploading $HEAL_OBJECTS x $HEAL_OBJ_MIB MiB to 4 drives (4 at a time)"
keys=(); for ((i = 0; i < HEAL_OBJECTS; i++)); do keys+=("/bench/h$i"); done
mapfile -t hurls < <(presign PUT "${keys[@]}")
t0=$(now)
for ((i = 0; i < HEAL_OBJECTS; i += 4)); do
    cpids=()
    for ((j = i; j < i + 4 && j < HEAL_OBJECTS; j++)); do
        curl -s -o "$W/hput-$j" --max-time "$CURL_MAX" -w '%{http_code}' --upload-file "$HOBJ" "${hurls[$j]}" >"$W/hcode-$j" &
        cpids+=($!)
    done
    wait "${cpids[@]}"   # not a bare wait: the server is a child too
done
t1=$(now)
nbad=0
for ((j = 0; j < HEAL_OBJECTS; j++)); do
    c=$(cat "$W/hcode-$j"); [[ $c == 200 ]] || { nbad=$((nbad + 1)); problem "heal fill PUT ${keys[$j]}: HTTP $c $(head -c 300 "$W/hput-$j" | tr '\n' ' ')"; }
done
FILL_RATE=$(awk -v t="$(secs "$t0" "$t1")" -v m=$(( HEAL_OBJECTS * HEAL_OBJ_MIB )) 'BEGIN{printf "%.1f", m/t}')
record put_fill_n4_x4 "$FILL_RATE" "MiB/s" "$([[ $nbad == 0 ]] && echo ok || echo ERRORS)" "$HEAL_OBJECTS x $HEAL_OBJ_MIB MiB, 4 concurrent curls, 4 drives"
stop_server
read -r REF_FILES REF_BYTES < <(drive_usage "$D/d2")
log "filled at $FILL_RATE MiB/s; drive d2 holds $REF_FILES shard files, $REF_BYTES bytes; replacing d1 with an empty directory"
mv "$D/d1" "$D/d1.old" && mkdir "$D/d1"
start_server heal "${hdirs[@]}"
HEAL_T0=$SRV_T0
healed=no
for _ in $(seq $(( HEAL_LIMIT_S * 5 ))); do
    read -r f b < <(drive_usage "$D/d1")
    if [[ $f == "$REF_FILES" && $b == "$REF_BYTES" ]]; then healed=yes; break; fi
    kill -0 "$SRV_PID" 2>/dev/null || { problem "cairn died while healing (see its log)"; break; }
    sleep 0.2
done
HEAL_T1=$(now)
HEAL_S=$(secs "$HEAL_T0" "$HEAL_T1")
read -r f b < <(drive_usage "$D/d1")
hb=$(metric cairn_heal_bytes_healed_total); ho=$(metric minio_heal_objects_heal_total); hf=$(metric minio_heal_objects_error_total)
HEAL_HWM=$(mib_of_kib "$(status_kib VmHWM)")
if [[ $healed == yes ]]; then
    HEAL_RATE=$(awk -v b="$b" -v t="$HEAL_S" 'BEGIN{printf "%.1f", b/1048576/t}')
    LOGICAL=$(awk -v m=$(( HEAL_OBJECTS * HEAL_OBJ_MIB )) -v t="$HEAL_S" 'BEGIN{printf "%.1f", m/t}')
    record heal_rate "$HEAL_RATE" "MiB/s" ok "$b bytes ($f shard files) written to the blank drive in ${HEAL_S}s from server start; = $LOGICAL MiB/s of object data made whole again; metrics: healed objects ${ho:-?}, bytes ${hb:-?}, failed ${hf:-?}"
    log "heal: $f files / $b bytes in ${HEAL_S}s = $HEAL_RATE MiB/s rebuilt ($LOGICAL MiB/s of objects)"
else
    record heal_rate 0 "MiB/s" FAILED "after ${HEAL_S}s the new drive holds $f of $REF_FILES files, $b of $REF_BYTES bytes; metrics: healed ${ho:-?}, bytes ${hb:-?}, failed ${hf:-?}"
    problem "heal did not complete: after ${HEAL_S}s d1 holds $f of $REF_FILES shard files, $b of $REF_BYTES bytes"
fi
record hwm_heal "$HEAL_HWM" "MiB" ok "VmHWM of the healing server (start to heal complete)"
stop_server
# the healed drive really holds the right shards: read everything with two
# other drives unusable (d1 and one of d2..d4 remain: any object needs d1)
mv "$D/d3" "$D/d3.away" && : >"$D/d3"; mv "$D/d4" "$D/d4.away" && : >"$D/d4"
start_server heal-verify "${hdirs[@]}"
mapfile -t gurls < <(presign GET "${keys[@]}")
nbad=0
for ((j = 0; j < HEAL_OBJECTS; j++)); do
    if ! curl -s --max-time "$CURL_MAX" "${gurls[$j]}" | cmp -s - "$HOBJ"; then
        nbad=$((nbad + 1))
        code=$(curl -s -o "$W/hv.body" -w '%{http_code}' --max-time 60 "${gurls[$j]}")
        (( nbad <= 3 )) && problem "after heal, with d3 and d4 unusable, GET ${keys[$j]} is not byte-exact: HTTP $code, $(stat -c %s "$W/hv.body") bytes, body starts: $(head -c 200 "$W/hv.body" | tr -c '[:print:]' '.')"
    fi
done
record heal_verify "$(( HEAL_OBJECTS - nbad ))" "objects" "$([[ $nbad == 0 ]] && echo ok || echo ERRORS)" "objects byte-exact when read from the healed d1 + d2 only (d3, d4 unusable)"
log "heal verify: $(( HEAL_OBJECTS - nbad ))/$HEAL_OBJECTS objects byte-exact from d1 (healed) + d2"
stop_server
rm -rf "$D" "$HOBJ"

# ---------------------------------------------------------------- 3. multipart vs single PUT, 1 drive
D="$W/mp"; mkdir -p "$D"
start_server mp "$D/d1"
make_bucket bench
log "multipart: ${MP_MIB} MiB as $MP_CONC concurrent ${MP_PART_MIB} MiB parts vs one ${MP_MIB} MiB PUT, 1 drive, x$MP_RUNS each (cairn-bench, UNSIGNED-PAYLOAD)"
# cb_run KEY ARGS...: one cairn-bench run; records MiB/s, cpu s/GiB, per-thread split, VmHWM
cb_run() {
    local key=$1; shift
    reset_hwm
    local c0 c1 tt0 tt1 rc
    c0=$(cpu_ticks); tt0=$(thread_ticks)
    timeout 600 "$CB" "$@" --endpoint "$SRV_URL" --bucket bench --no-create-bucket --warmup 0 --count 1 --objects 1 \
        --cleanup --quiet --json "$W/$key.json" >"$W/$key.out" 2>&1
    rc=$?
    c1=$(cpu_ticks); tt1=$(thread_ticks)
    local hwm; hwm=$(status_kib VmHWM)
    python3 - "$W/$key.json" "$key" "$rc" "$((c1 - c0))" "$CLK" "$MP_MIB" "$(mib_of_kib "$hwm")" "$tt0" "$tt1" >>"$RESULTS" <<'PY' || problem "$key: cairn-bench exit $rc: $(tail -5 "$W/$key.out" | tr '\n' ' ')"
import json, sys
path, key, rc, ticks, clk, mib, hwm, tt0, tt1 = sys.argv[1:10]
j = json.load(open(path))
op = j["ops"].get("MPU") or j["ops"].get("PUT")
status = "ok" if rc == "0" and op["errors"] == 0 else "ERRORS"
cpu = int(ticks) / int(clk)
gib = int(mib) / 1024
a = dict(l.split() for l in tt0.splitlines() if l.strip())
b = dict(l.split() for l in tt1.splitlines() if l.strip())
split = {k: (int(b[k]) - int(a.get(k, 0))) / int(clk) for k in b if int(b[k]) - int(a.get(k, 0)) > 0}
splits = ", ".join(f"{k} {v:.2f}s" for k, v in sorted(split.items(), key=lambda kv: -kv[1]))
wall = op["lat_ms"]["max"] / 1000
print(f"{key}\t{op['mib_per_s']:.1f}\tMiB/s\t{status}\twall {wall:.2f}s, errors {op['errors']}")
print(f"{key}_cpu\t{cpu / gib:.2f}\tcpu s/GiB\t{status}\tserver user+sys {cpu:.2f}s for {mib} MiB (all threads; {splits}); server CPU {cpu / wall * 100:.0f}% of one core over the upload")
print(f"{key}_hwm\t{hwm}\tMiB\tok\tVmHWM during the upload (reset before)")
PY
    [[ $rc == 0 ]] || problem "$key: cairn-bench exit $rc: $(grep -i -m3 'error\|fail' "$W/$key.out" | tr '\n' ' ')"
    log "$key: $(awk -F'\t' -v k="$key" '$1==k {print $2 " MiB/s [" $4 "] " $5}' "$RESULTS"); $(awk -F'\t' -v k="${key}_cpu" '$1==k {print $2 " cpu s/GiB, " $5}' "$RESULTS")"
}
for ((r = 1; r <= MP_RUNS; r++)); do
    cb_run "mp_$r" multipart --size "${MP_MIB}MiB" --part-size "${MP_PART_MIB}MiB" --concurrency "$MP_CONC"
    cb_run "single_$r" put --size "${MP_MIB}MiB" --concurrency 1
done
left=$(drive_usage "$D/d1")
stop_server
log "multipart phase: data files left after cleanup: $left"
rm -rf "$D"

# ---------------------------------------------------------------- report
DATE=$(date -u +%Y-%m-%dT%H:%M:%SZ)
mkdir -p "$RESULTS_DIR"
JSON="$RESULTS_DIR/storage-$(date -u +%Y-%m-%d-%H%M).json"
CMDLINE="bench/storage.sh"
for v in BENCH_TMP BENCH_GIT_REV BENCH_OBJ_MIB BENCH_RUNS BENCH_GET_RUNS BENCH_HEAL_OBJECTS BENCH_HEAL_OBJ_MIB BENCH_MP_MIB BENCH_MP_PART_MIB BENCH_MP_CONC BENCH_MP_RUNS BENCH_DRIVES CAIRN_BIN; do
    [[ -n ${!v:-} ]] && CMDLINE="$v=${!v} $CMDLINE"
done
if [[ -n ${BENCH_GIT_REV:-} ]]; then      # the binary was built elsewhere (CAIRN_BIN): say from what
    GIT_REV=$BENCH_GIT_REV GIT_DIRTY=""
else
    GIT_REV=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)
    GIT_DIRTY=$(git -C "$REPO" status --porcelain -- server s3api storage cluster common meson.build 2>/dev/null | grep -q . && echo "+uncommitted changes" || true)
fi
export REPORT_DATE="$DATE" REPORT_CMD="$CMDLINE" REPORT_CAIRN="$CAIRN_BIN ($BUILDTYPE), git $GIT_REV$GIT_DIRTY" \
    REPORT_FS="$FS_TYPE, $FS_SRC" REPORT_LOAD="start $LOAD_START, end $(cut -d' ' -f1-3 /proc/loadavg)" REPORT_OBJ=$OBJ_MIB REPORT_RUNS=$RUNS REPORT_GET_RUNS=$GET_RUNS REPORT_HEAL="$HEAL_OBJECTS x $HEAL_OBJ_MIB MiB" \
    REPORT_MP="$MP_MIB MiB: $MP_CONC concurrent $MP_PART_MIB MiB parts vs one PUT, x$MP_RUNS" REPORT_DRIVES="$DRIVE_COUNTS"
python3 - "$RESULTS" "$PROBLEMS" "$JSON" <<'PY'
import json, os, platform, sys
res_path, prob_path, json_path = sys.argv[1:4]
rows = {}
for line in open(res_path):
    k, v, unit, status, detail = line.rstrip("\n").split("\t")
    rows[k] = {"value": float(v), "unit": unit, "status": status, "detail": detail}
problems = [l.rstrip("\n") for l in open(prob_path) if l.strip()]
E = os.environ
cpu = next((l.split(": ", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
mem = int(next(l.split()[1] for l in open("/proc/meminfo") if l.startswith("MemTotal"))) / 1048576
osname = next((l.split("=", 1)[1].strip().strip('"') for l in open("/etc/os-release") if l.startswith("PRETTY_NAME")), "?")
machine = {"nproc": os.cpu_count(), "cpu": cpu, "mem_total_gib": round(mem, 1), "kernel": platform.release(),
           "os": osname, "filesystem": E["REPORT_FS"], "loadavg": E["REPORT_LOAD"],
           "drives": "every drive is a directory on this one filesystem (same disk)"}
setup = {"command": E["REPORT_CMD"], "date": E["REPORT_DATE"], "cairn": E["REPORT_CAIRN"],
         "object_mib": int(E["REPORT_OBJ"]), "put_runs": int(E["REPORT_RUNS"]), "get_runs": int(E["REPORT_GET_RUNS"]), "heal": E["REPORT_HEAL"],
         "multipart": E["REPORT_MP"],
         "clients": "curl with presigned URLs (UNSIGNED-PAYLOAD) for PUT/GET/heal; cairn-bench (UNSIGNED-PAYLOAD) for multipart/single 1 GiB"}
out = {"setup": setup, "machine": machine, "results": rows, "problems": problems}
with open(json_path, "w") as f:
    json.dump(out, f, indent=2); f.write("\n")

def g(k, fmt="{:,.1f}"):
    r = rows.get(k)
    if r is None: return "-"
    s = fmt.format(r["value"])
    return s if r["status"] in ("ok", "PASS") else f"{s} {r['status']}"
obj = E["REPORT_OBJ"]
print()
print(f"cairn storage benchmark - {setup['date']}")
print(f"machine: {machine['nproc']} cores ({cpu}), {machine['mem_total_gib']} GiB, kernel {machine['kernel']}, {osname}")
print(f"disk:    {machine['filesystem']}; {machine['drives']}")
print(f"load:    {machine['loadavg']} (1/5/15-min load average; other work on the machine shares its 2 cores and disk)")
print(f"cairn:   {setup['cairn']}")
print()
print("context (one core):  isa-l RS 2+2 encode %s MiB/s, 3+3 %s MiB/s, CRC32C %s MiB/s; MD5 %s MiB/s, SHA-256 %s MiB/s; disk dd 1 GiB+fdatasync %s MiB/s" % (
    g("ec_2p2", "{:,.0f}"), g("ec_3p3", "{:,.0f}"), g("crc32c", "{:,.0f}"), g("md5_core", "{:,.0f}"), g("sha256_core", "{:,.0f}"), g("disk_write", "{:,.0f}")))
print()
hdr = f"{'drives':<10} | {'PUT MiB/s':>10} | {'GET MiB/s':>10} | {'GET, m missing':>15} | {'deg/healthy time':>16} | {'deg/healthy CPU':>15} | {'CPU s/GiB PUT/GET/deg':>22} | {'VmHWM MiB':>10}"
print(f"{obj} MiB objects, best of {E['REPORT_RUNS']} sequential curl PUTs / {E['REPORT_GET_RUNS']} GETs:")
print(hdr); print("-" * len(hdr))
for n in E["REPORT_DRIVES"].split():
    geo = {"1": "1 (plain)", "4": "4 (2+2)", "6": "6 (3+3)"}.get(n, n)
    deg = g(f"get_n{n}_degraded") if f"get_n{n}_degraded" in rows else "-"
    ratio = (g(f"degraded_ratio_n{n}", "{:.2f}x")) if f"degraded_ratio_n{n}" in rows else "-"
    cratio = (g(f"degraded_cpu_ratio_n{n}", "{:.2f}x")) if f"degraded_cpu_ratio_n{n}" in rows else "-"
    cpus = "/".join(g(k, "{:.2f}") for k in (f"cpu_put_n{n}", f"cpu_get_n{n}", f"cpu_get_n{n}_degraded") if k in rows)
    hw = g(f"hwm_n{n}")
    if f"hwm_n{n}_degraded" in rows: hw += "/" + g(f"hwm_n{n}_degraded")
    print(f"{geo:<10} | {g(f'put_n{n}'):>10} | {g(f'get_n{n}'):>10} | {deg:>15} | {ratio:>16} | {cratio:>15} | {cpus:>22} | {hw:>10}")
print("(degraded: m drives replaced by regular files, chosen to hold every data shard of the object, so every block is rebuilt from parity; target <= 2.00x)")
print()
print(f"healing ({E['REPORT_HEAL']} on 4 drives, one replaced by an empty dir): {g('heal_rate')} MiB/s rebuilt; VmHWM {g('hwm_heal')} MiB")
if "heal_rate" in rows: print(f"  {rows['heal_rate']['detail']}")
if "put_fill_n4_x4" in rows: print(f"  fill: {g('put_fill_n4_x4')} MiB/s; verify: {rows.get('heal_verify', {}).get('detail', '-')}: {g('heal_verify', '{:.0f}')}")
print()
print(f"multipart vs single PUT on 1 drive ({E['REPORT_MP']}; cairn-bench, UNSIGNED-PAYLOAD so the server hashes MD5 only):")
print(f"{'run':<12} | {'MiB/s':>8} | {'CPU s/GiB':>10} | {'VmHWM MiB':>10} | detail")
for k in sorted(k for k in rows if (k.startswith("mp_") or k.startswith("single_")) and k.count("_") == 1):
    print(f"{k:<12} | {g(k):>8} | {g(k + '_cpu', '{:.2f}'):>10} | {g(k + '_hwm'):>10} | {rows[k + '_cpu']['detail'] if k + '_cpu' in rows else ''}")
md5 = rows.get("md5_core", {}).get("value", 0)
if md5: print(f"  MD5 alone costs {1024 / md5:.2f} CPU s/GiB on this machine (one core at {md5:,.0f} MiB/s)")
if problems:
    print(); print(f"PROBLEMS ({len(problems)}):")
    for p in problems: print("  - " + p)
print(); print(f"json: {json_path}")
PY
log "done in $(( $(date +%s) - T0 ))s; cleaning up"
