"""Crash safety: kill -9 during a stream of PUTs/overwrites, restart on the
same data directory, and check every object is either absent or exactly one
version that was sent for it (never torn), and that every acknowledged
write survived."""

import hashlib
import os
import random
import threading
import time

from botocore.exceptions import ClientError

import s3util
from s3util import make_client

NKEYS = 20
ROUNDS = 3
NWRITERS = 3


def _writer(endpoint, bucket, rng, sent, acked, stop, lock, mine):
    """Writes only the keys in `mine`, one PUT at a time, so the order of the
    versions of a key is the order they were sent."""
    c = make_client(endpoint, connect_timeout=2, read_timeout=10)
    deadline = time.monotonic() + 15
    while not stop.is_set() and time.monotonic() < deadline:
        k = "key-%02d" % rng.choice(mine)
        n = rng.choice([1, rng.randrange(1, 4096), rng.randrange(1, 300 * 1024)])
        body = rng.randbytes(n)
        md5 = hashlib.md5(body).hexdigest()
        with lock:
            sent.setdefault(k, []).append(md5)
            idx = len(sent[k]) - 1
        try:
            c.put_object(Bucket=bucket, Key=k, Body=body)
        except Exception:
            return  # the server died under us
        with lock:
            acked[k] = max(acked.get(k, -1), idx)


def _check(srv, bucket, sent, acked):
    c = make_client(srv.endpoint)
    listed = []
    for page in c.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        listed += [o["Key"] for o in page.get("Contents", [])]
    assert set(listed) <= set(sent), "unknown keys listed: %r" % (set(listed) - set(sent))
    for k in sorted(sent):
        try:
            body = c.get_object(Bucket=bucket, Key=k)["Body"].read()
        except ClientError as e:
            assert s3util.client_error(e)[0] == 404, e
            assert k not in listed, "%s listed but GET says 404" % k
            assert k not in acked, "acknowledged write of %s lost after kill -9" % k
            continue
        md5 = hashlib.md5(body).hexdigest()
        assert md5 in sent[k], "%s: torn or foreign body (%d bytes)" % (k, len(body))
        assert k in listed, "%s readable but not listed" % k
        if k in acked:
            # the content is the last acknowledged version or a later one
            assert md5 in sent[k][acked[k]:], \
                "%s: went back to a version older than the last acknowledged one" % k


def test_kill9_during_writes(make_server, tmp_path):
    datadir = str(tmp_path / "crashdata")
    rng = random.Random(int(os.environ.get("CAIRN_CRASH_SEED", "0")) or None)
    sent, acked, lock = {}, {}, threading.Lock()
    in_flight_at_kill = 0
    bucket = "crash-bucket"
    srv = make_server(datadir=datadir)
    make_client(srv.endpoint).create_bucket(Bucket=bucket)
    for rnd in range(ROUNDS):
        stop = threading.Event()
        threads = [threading.Thread(target=_writer, daemon=True,
                                    args=(srv.endpoint, bucket, random.Random(rng.random()),
                                          sent, acked, stop, lock,
                                          list(range(NKEYS))[i::NWRITERS]))
                   for i in range(NWRITERS)]
        for t in threads:
            t.start()
        # on a loaded machine the writers take a while to get going: kill
        # only once writes are flowing (bounded wait), at a random moment
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            with lock:
                if sum(len(v) for v in sent.values()) >= NWRITERS:
                    break
            time.sleep(0.02)
        time.sleep(rng.uniform(0.3, 2.5))
        with lock:
            unacked_before = sum(len(v) for v in sent.values()) - sum(
                i + 1 for i in acked.values())
        srv.kill9()
        stop.set()
        for t in threads:
            t.join(20)
            assert not t.is_alive(), "writer thread hung"
        assert sum(len(v) for v in sent.values()) > 0, "no writes happened"
        in_flight_at_kill += unacked_before > 0
        srv = make_server(datadir=datadir, port=srv.port)  # restart, same datadir
        # nothing written yet by this instance: unfinished writes must be swept
        leftovers = _tmp_files(datadir)
        assert not leftovers, "tmp files not swept at start: %r" % leftovers[:10]
        _check(srv, bucket, sent, acked)
        # the server still takes writes after recovery
        c = make_client(srv.endpoint)
        c.put_object(Bucket=bucket, Key="after-round-%d" % rnd, Body=b"ok")
        c.delete_object(Bucket=bucket, Key="after-round-%d" % rnd)
    assert sum(1 for k in acked) > 0, "no write was ever acknowledged"
    # the kills really landed on writes in progress (not on an idle server)
    assert in_flight_at_kill > 0
    ok, _ = srv.stop(10)
    assert ok


def _tmp_files(datadir):
    """Regular files under any directory named tmp/.tmp in the data dir."""
    return [os.path.join(d, f) for d, _, fs in os.walk(datadir) for f in fs
            if any(p.lower() in ("tmp", ".tmp") for p in
                   os.path.relpath(d, datadir).split(os.sep))]
