#!/usr/bin/env bash
# bench/ceilings.sh - what this machine can physically do, so that every
# figure of bench/compare.sh can be read as a fraction of it.
#
#   bench/ceilings.sh [EC_SPEED_BIN]     # prints a markdown table; ~1 minute; needs ~8 GiB in BENCH_TMP
#
# - disk: fio sequential write of 1 MiB blocks to a new file with fdatasync
#   at the end (what a large durable PUT needs), the same by 16 writers at
#   once (16 concurrent 64 MiB PUTs), sequential read with
#   O_DIRECT (no page cache), and 4 KiB writes each followed by fsync
#   (iodepth 1; the durable small-PUT bound without group commit)
# - loopback TCP: iperf3, one stream and two streams, 5 s each
# - hashing, one core: openssl speed -evp md5 / sha256 on 1 MiB buffers (also sha1/crc-free)
# - erasure coding: bench/ec-speed (isa-l ec_encode_data, 4+2 and 8+4, and CRC32C)
# Environment: BENCH_TMP (default /var/tmp; must be the disk the servers use).
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
EC=${1:-$HERE/../build-bench/bench/ec-speed}
SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
missing=()
for p in fio iperf3 openssl; do command -v "$p" >/dev/null || missing+=("$p"); done
if (( ${#missing[@]} )); then
    $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
W=$(mktemp -d "${BENCH_TMP:-/var/tmp}/cairn-ceil.XXXXXX") || exit 1
IPERF_PID=""
trap '[[ -n $IPERF_PID ]] && kill $IPERF_PID 2>/dev/null; rm -rf "$W"' EXIT

fio_json() { fio --output-format=json --output="$W/fio.json" "$@" >/dev/null 2>&1; }
fio_get() { python3 -c 'import json,sys
j=json.load(open(sys.argv[1]))["jobs"][0][sys.argv[2]]
print("%.0f %.0f" % (j["bw_bytes"]/1048576, j["iops"]))' "$W/fio.json" "$1"; }

echo "| ceiling | value | how |"
echo "|---|---:|---|"
fio_json --name=seqw --filename="$W/f" --rw=write --bs=1M --size=2G --ioengine=psync --end_fsync=1 --create_on_open=1
read -r bw _ <<<"$(fio_get write)"
echo "| disk sequential write + fdatasync at end | $bw MiB/s | fio --rw=write --bs=1M --size=2G --end_fsync=1 (new file) |"
fio_json --name=seqwf --filename="$W/g" --rw=write --bs=1M --size=1G --ioengine=psync --fdatasync=16
read -r bw _ <<<"$(fio_get write)"
echo "| disk sequential write, fdatasync every 16 MiB | $bw MiB/s | fio --rw=write --bs=1M --size=1G --fdatasync=16 |"
# 16 writers each making 64 MiB durable, like 16 concurrent 64 MiB PUTs
fio_json --name=seqw16 --directory="$W" --rw=write --bs=1M --size=512M --ioengine=psync --fdatasync=64 \
    --numjobs=16 --group_reporting
read -r bw _ <<<"$(fio_get write)"
echo "| disk sequential write, 16 writers, fdatasync every 64 MiB | $bw MiB/s | fio --rw=write --bs=1M --size=512M --fdatasync=64 --numjobs=16 |"
rm -f "$W"/seqw16*
sync; echo 3 >/proc/sys/vm/drop_caches 2>/dev/null
fio_json --name=seqr --filename="$W/f" --rw=read --bs=1M --size=2G --ioengine=psync --direct=1
read -r bw _ <<<"$(fio_get read)"
echo "| disk sequential read, O_DIRECT | $bw MiB/s | fio --rw=read --bs=1M --direct=1 |"
fio_json --name=fsync4k --filename="$W/h" --rw=write --bs=4k --size=64M --ioengine=psync --fsync=1 --runtime=10 --time_based
read -r bw iops <<<"$(fio_get write)"
echo "| 4 KiB write + fsync, iodepth 1 | $iops IOPS | fio --rw=write --bs=4k --fsync=1 --runtime=10 |"
rm -f "$W"/f "$W"/g "$W"/h

port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
iperf3 -s -B 127.0.0.1 -p "$port" -1 >/dev/null 2>&1 & IPERF_PID=$!
sleep 0.5
g1=$(iperf3 -c 127.0.0.1 -p "$port" -t 5 -J 2>/dev/null | python3 -c 'import json,sys; print("%.0f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/8/1048576))')
wait $IPERF_PID 2>/dev/null
iperf3 -s -B 127.0.0.1 -p "$port" -1 >/dev/null 2>&1 & IPERF_PID=$!
sleep 0.5
g2=$(iperf3 -c 127.0.0.1 -p "$port" -t 5 -P 2 -J 2>/dev/null | python3 -c 'import json,sys; print("%.0f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/8/1048576))')
wait $IPERF_PID 2>/dev/null; IPERF_PID=""
echo "| loopback TCP, 1 stream | $g1 MiB/s | iperf3 -t 5 (client and server share the 2 cores) |"
echo "| loopback TCP, 2 streams | $g2 MiB/s | iperf3 -t 5 -P 2 |"

for alg in md5 sha256 sha1; do
    v=$(openssl speed -seconds 3 -bytes 1048576 -evp "$alg" 2>/dev/null | awk -v a="$alg" 'tolower($1)==a {print $NF}')
    v=${v%k}
    mib=$(awk -v k="$v" 'BEGIN{printf "%.0f", k*1000/1048576}')
    echo "| $alg, one core | $mib MiB/s | openssl speed -evp $alg -bytes 1048576 |"
done
if [[ -x $EC ]]; then
    "$EC" | while read -r line; do
        case $line in
            *"RS 4+2"*) echo "| isa-l RS 4+2 encode, one core | $(awk '{print $5}' <<<"$line") MiB/s of data | bench/ec-speed (ec_encode_data, 1 MiB blocks) |" ;;
            *"RS 8+4"*) echo "| isa-l RS 8+4 encode, one core | $(awk '{print $5}' <<<"$line") MiB/s of data | bench/ec-speed |" ;;
            *CRC32C*) echo "| isa-l CRC32C, one core | $(awk '{print $3}' <<<"$line") MiB/s | bench/ec-speed (crc32_iscsi) |" ;;
        esac
    done
fi
