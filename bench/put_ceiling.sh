#!/usr/bin/env bash
# bench/put_ceiling.sh - large PUTs beside the two ceilings that bound them.
#
#   bench/put_ceiling.sh           # ~4 minutes; prints a markdown table
#
# A durable 64 MiB PUT is bounded by the disk (every byte is fdatasynced
# before the 200) and by hashing (MD5 for the ETag, plus SHA-256 when the
# payload is signed).  This runs 64 MiB PUTs, 1 and 16 at a time, unsigned
# and signed, against one cairn with its drive on the disk (BENCH_TMP) and
# one with its drive on tmpfs (no disk: what remains is CPU), and prints
# each figure as a fraction of the ceiling measured in the same run: fio
# writers making 64 MiB durable (1 and 16 at once), and openssl's MD5 and
# SHA-256 on one core.
#
# Environment (all optional):
#   CAIRN_BIN=build-bench/cairn   CAIRN_BENCH_BIN=<dir of CAIRN_BIN>/bench/cairn-bench
#   BENCH_TMP=/var/tmp            the disk (as in compare.sh)
#   BENCH_SHM=/dev/shm            the tmpfs
#   BENCH_DURATION=10             seconds per measurement (after 2 s of warm-up)
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
DUR=${BENCH_DURATION:-10}
SHM=${BENCH_SHM:-/dev/shm}
SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
log() { printf '%s\n' "$*" >&2; }
die() { log "FATAL: $*"; exit 1; }

missing=()
for p in fio openssl curl python3; do command -v "$p" >/dev/null || missing+=("$p"); done
if (( ${#missing[@]} )); then
    $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null ||
        die "apt-get install failed"
fi
if [[ -z ${CAIRN_BIN:-} ]]; then
    [[ -d $REPO/build-bench ]] || (cd "$REPO" && meson setup build-bench --buildtype=release >/dev/null) || die "meson setup failed"
    ninja -C "$REPO/build-bench" cairn bench/cairn-bench >/dev/null || die "build failed"
    CAIRN_BIN=$REPO/build-bench/cairn
fi
CB=${CAIRN_BENCH_BIN:-$(dirname "$CAIRN_BIN")/bench/cairn-bench}
[[ -x $CAIRN_BIN && -x $CB ]] || die "no cairn ($CAIRN_BIN) or cairn-bench ($CB)"

W=$(mktemp -d "${BENCH_TMP:-/var/tmp}/cairn-putceil.XXXXXX") || die "mktemp failed"
WS=$(mktemp -d "$SHM/cairn-putceil.XXXXXX") || die "mktemp in $SHM failed"
SRV=""
cleanup() {
    if [[ -n $SRV ]]; then kill "$SRV" 2>/dev/null; wait "$SRV" 2>/dev/null; fi
    rm -rf "$W" "$WS"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
AK=putceilingak SK=putceilingsecret1

# ---- ceilings
fio_mib() {   # fio args...: aggregate write MiB/s
    fio --output-format=json --output="$W/fio.json" --group_reporting "$@" >/dev/null 2>&1 || { echo 0; return; }
    python3 -c 'import json,sys; print("%.0f" % (json.load(open(sys.argv[1]))["jobs"][0]["write"]["bw_bytes"]/1048576))' "$W/fio.json"
    rm -f "$W"/fio-*
}
ssl_mib() {   # openssl speed for one algorithm on 1 MiB buffers, one core
    openssl speed -seconds 3 -bytes 1048576 -evp "$1" 2>/dev/null |
        awk -v a="$1" 'tolower($1)==a {v=$NF; sub(/k$/,"",v); printf "%.0f\n", v*1000/1048576}'
}
log "ceilings: fio (disk), openssl (hashing)"
DISK1=$(fio_mib --name=fio --directory="$W" --rw=write --bs=1M --size=1G --ioengine=psync --fdatasync=64 --numjobs=1)
DISK16=$(fio_mib --name=fio --directory="$W" --rw=write --bs=1M --size=512M --ioengine=psync --fdatasync=64 --numjobs=16)
MD5=$(ssl_mib md5)
SHA=$(ssl_mib sha256)
BOTH=$(python3 -c "print(round(1/(1/$MD5 + 1/$SHA)))")

# ---- cairn
start() {   # $1: drive directory
    local port cport i
    port=$(free_port); cport=$(free_port)
    CAIRN_ROOT_USER=$AK CAIRN_ROOT_PASSWORD=$SK "$CAIRN_BIN" server --quiet --address "127.0.0.1:$port" \
        --console-address "127.0.0.1:$cport" "$1" >"$W/cairn.log" 2>&1 &
    SRV=$!
    EP="http://127.0.0.1:$port"
    for i in $(seq 100); do curl -s -o /dev/null --max-time 1 "$EP/minio/health/live" && return 0; sleep 0.1; done
    die "cairn did not start: $(tail -3 "$W/cairn.log")"
}
stop() { kill "$SRV" 2>/dev/null; wait "$SRV" 2>/dev/null; SRV=""; }
put() {   # $1 concurrency, $2 extra flag: MiB/s and server CPU %
    "$CB" put --endpoint "$EP" --access-key "$AK" --secret-key "$SK" --size 64MiB --objects 16 \
        --concurrency "$1" --duration "$DUR" --warmup 2 --pid "$SRV" --quiet --json "$W/r.json" $2 >/dev/null ||
        { echo "failed -"; return; }
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("%.0f %.0f" % (d["ops"]["PUT"]["mib_per_s"], d["server"]["cpu_pct"]))' "$W/r.json"
}
pct() { python3 -c "print('%.0f%%' % (100.0 * $1 / $2) if '$1' != 'failed' and $2 > 0 else '-')"; }

echo "64 MiB PUT, cairn \`$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null)\`, $(nproc) cores, ${DUR} s per figure; ceilings measured in the same run:"
echo "disk $DISK1 MiB/s (1 writer) / $DISK16 MiB/s (16 writers), fio 1 MiB writes with fdatasync every 64 MiB;"
echo "one core: MD5 $MD5 MiB/s, SHA-256 $SHA MiB/s, both in turn $BOTH MiB/s (openssl speed -evp, 1 MiB)."
echo
echo "| drive | payload | streams | MiB/s | server CPU | of the disk | of the hashing (one core) |"
echo "|---|---|---:|---:|---:|---:|---:|"
for where in disk tmpfs; do
    dir="$W/drive"; [[ $where == tmpfs ]] && dir="$WS/drive"
    mkdir -p "$dir"
    start "$dir"
    for payload in unsigned signed; do
        flag=""; hash=$MD5
        [[ $payload == signed ]] && { flag="--sign-payload"; hash=$BOTH; }
        for c in 1 16; do
            read -r mib cpu <<<"$(put "$c" "$flag")"
            disk=$DISK1; [[ $c == 16 ]] && disk=$DISK16
            d="-"; [[ $where == disk ]] && d=$(pct "$mib" "$disk")
            echo "| $where | $payload | $c | $mib | $cpu% | $d | $(pct "$mib" "$hash") |"
        done
    done
    stop
    rm -rf "$dir"
done
