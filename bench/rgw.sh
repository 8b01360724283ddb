#!/usr/bin/env bash
# bench/rgw.sh - a throwaway single-node Ceph cluster with one RADOS Gateway,
# on 127.0.0.1, for bench/compare.sh. Debian packages ceph + radosgw (16.2).
#
#   bench/rgw.sh start DIR S3_PORT ACCESS SECRET   # prints "pids MON,MGR,OSD,RGW" once S3 answers
#   bench/rgw.sh stop DIR [keep]                   # stops the daemons it started; removes DIR unless "keep"
#
# start on a DIR that holds a cluster stopped with "keep" restarts that
# cluster (same data, the gateway on the new S3_PORT): compare.sh keeps its
# 1,000,000-object bucket that way.
#
# One monitor, one manager, one bluestore OSD on a sparse file, pools of
# size 1, one radosgw with the beast frontend. cephx is off. Everything
# lives in DIR (config, logs, sockets, the OSD's block file); the daemons run
# in the foreground of background subshells and their pids are in DIR/pids.
#
# Facts that cost time (from the issue, confirmed here):
# - with cephx off the gateway needs `ms mon client mode = crc` or it
#   retries authentication forever;
# - beast needs tcp_nodelay=1 or small GETs stall ~40 ms each (Nagle + the
#   client's delayed ACK);
# - the bluestore block file must not be inside the OSD data directory
#   (mkfs treats the directory's contents as an existing OSD).
set -uo pipefail

cmd=${1:-}; W=${2:-}
[[ -n $cmd && -n $W ]] || { echo "usage: $0 start DIR S3_PORT ACCESS SECRET | stop DIR" >&2; exit 2; }

free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
log() { echo "rgw.sh: $*" >&2; }

stop() {
    local keep=${1:-}
    [[ -n ${RGW_KEEP:-} ]] && keep=keep
    [[ -f $W/pids ]] || { [[ $keep == keep ]] || rm -rf "$W"; return 0; }
    local p
    # gateway first, then OSD, manager, monitor (reverse start order)
    for p in $(tac "$W/pids"); do kill "$p" 2>/dev/null; done
    for p in $(cat "$W/pids"); do
        for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$p" 2>/dev/null
    done
    rm -f "$W/pids"
    [[ $keep == keep ]] || rm -rf "$W"
}

# restart a kept cluster: same config and data, new gateway port
resume() {
    local S3_PORT=$3 c="$W/ceph.conf" i id
    sed -i "s|^rgw frontends = .*|rgw frontends = beast endpoint=127.0.0.1:$S3_PORT tcp_nodelay=1|" "$c"
    : >"$W/pids"
    ceph-mon -c "$c" -i a -f >>"$W/log/mon.out" 2>&1 &
    echo $! >>"$W/pids"
    for i in $(seq 60); do timeout 5 ceph -c "$c" status >/dev/null 2>&1 && break; sleep 0.5; done
    ceph-mgr -c "$c" -i x -f >>"$W/log/mgr.out" 2>&1 &
    echo $! >>"$W/pids"
    id=$(basename "$(ls -d "$W"/osd/ceph-* | head -1)"); id=${id#ceph-}
    ceph-osd -c "$c" -i "$id" -f >>"$W/log/osd.out" 2>&1 &
    echo $! >>"$W/pids"
    for i in $(seq 120); do
        timeout 5 ceph -c "$c" osd stat 2>/dev/null | grep -q "1 up" && break
        sleep 0.5
    done
    radosgw -c "$c" -n client.rgw.a -f >>"$W/log/rgw.out" 2>&1 &
    local rgw_pid=$!
    echo $rgw_pid >>"$W/pids"
    for i in $(seq 240); do
        curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$S3_PORT/" && break
        kill -0 $rgw_pid 2>/dev/null || break
        sleep 0.5
    done
    curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$S3_PORT/" || { log "radosgw does not answer"; return 1; }
    echo "pids $(paste -sd, "$W/pids")"
}

start() {
    local S3_PORT=$3 AK=$4 SK=$5
    mkdir -p "$W"/{mon,mgr,osd,run,log,block}
    : >"$W/pids"
    local fsid mon_port c
    fsid=$(cat /proc/sys/kernel/random/uuid)
    mon_port=$(free_port)
    # daemons' own ports (mgr, osd): a private range so that nothing else's 6800+ clashes
    local base=$(( 20000 + RANDOM % 20000 ))
    c="$W/ceph.conf"
    cat >"$c" <<EOF
[global]
fsid = $fsid
mon host = v2:127.0.0.1:$mon_port
mon initial members = a
public addr = 127.0.0.1
ms bind ipv4 = true
ms bind ipv6 = false
ms bind msgr1 = false
ms bind port min = $base
ms bind port max = $(( base + 99 ))
auth cluster required = none
auth service required = none
auth client required = none
auth allow insecure global id reclaim = true
ms mon client mode = crc
run dir = $W/run
admin socket = $W/run/\$name.asok
log file = $W/log/\$name.log
pid file = $W/run/\$name.pid
keyring = $W/keyring
mon data = $W/mon/\$cluster-\$id
mgr data = $W/mgr/\$cluster-\$id
osd data = $W/osd/\$cluster-\$id
osd objectstore = bluestore
bluestore block path = $W/block/\$name.block
bluestore block create = true
bluestore block size = 21474836480
bluestore fsck on mount = false
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd crush chooseleaf type = 0
mon allow pool size one = true
mon warn on pool no redundancy = false
mon max pg per osd = 1000
osd memory target = 2147483648
debug ms = 0
debug osd = 0
debug rgw = 0
[client]
ms mon client mode = crc
[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:$S3_PORT tcp_nodelay=1
rgw data = $W/rgw
rgw dns name = 127.0.0.1
rgw enable usage log = false
rgw enable ops log = false
EOF
    ceph-authtool --create-keyring "$W/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null || return 1
    monmaptool --create --addv a "[v2:127.0.0.1:$mon_port]" --fsid "$fsid" "$W/monmap" >/dev/null || return 1
    ceph-mon -c "$c" --mkfs -i a --monmap "$W/monmap" --keyring "$W/keyring" || { log "mon mkfs failed"; return 1; }
    ceph-mon -c "$c" -i a -f >"$W/log/mon.out" 2>&1 &
    echo $! >>"$W/pids"
    local i
    for i in $(seq 60); do timeout 5 ceph -c "$c" status >/dev/null 2>&1 && break; sleep 0.5; done
    timeout 10 ceph -c "$c" status >/dev/null 2>&1 || { log "monitor does not answer"; tail -20 "$W/log/mon.a.log" >&2; return 1; }
    mkdir -p "$W/mgr/ceph-x"
    ceph-mgr -c "$c" -i x -f >"$W/log/mgr.out" 2>&1 &
    echo $! >>"$W/pids"
    local id
    id=$(timeout 20 ceph -c "$c" osd create) || { log "osd create failed"; return 1; }
    mkdir -p "$W/osd/ceph-$id"
    ceph-osd -c "$c" -i "$id" --mkfs >"$W/log/osd-mkfs.out" 2>&1 || { log "osd mkfs failed"; tail -20 "$W/log/osd-mkfs.out" >&2; return 1; }
    ceph-osd -c "$c" -i "$id" -f >"$W/log/osd.out" 2>&1 &
    echo $! >>"$W/pids"
    for i in $(seq 120); do
        timeout 5 ceph -c "$c" osd stat 2>/dev/null | grep -q "1 up" && break
        sleep 0.5
    done
    timeout 5 ceph -c "$c" osd stat 2>/dev/null | grep -q "1 up" || { log "OSD did not come up"; tail -20 "$W/log/osd.$id.log" >&2; return 1; }
    mkdir -p "$W/rgw"
    radosgw -c "$c" -n client.rgw.a -f >"$W/log/rgw.out" 2>&1 &
    local rgw_pid=$!
    echo $rgw_pid >>"$W/pids"
    for i in $(seq 240); do
        curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$S3_PORT/" && break
        kill -0 $rgw_pid 2>/dev/null || break
        sleep 0.5
    done
    curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$S3_PORT/" || { log "radosgw does not answer"; tail -30 "$W/log/client.rgw.a.log" "$W/log/rgw.out" >&2; return 1; }
    timeout 60 radosgw-admin -c "$c" -n client.rgw.a user create --uid bench --display-name bench \
        --access-key "$AK" --secret "$SK" >"$W/log/user.out" 2>&1 || { log "user create failed"; cat "$W/log/user.out" >&2; return 1; }
    echo "pids $(paste -sd, "$W/pids")"
}

case $cmd in
    start)
        if [[ -f $W/ceph.conf && -d $W/osd ]]; then resume "$@" || { stop keep; exit 1; }
        else start "$@" || { stop; exit 1; }; fi ;;
    stop) stop "${3:-}" ;;
    *) echo "usage: $0 start DIR S3_PORT ACCESS SECRET | stop DIR" >&2; exit 2 ;;
esac
