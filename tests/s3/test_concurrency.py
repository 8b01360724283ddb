"""Concurrent writers to one key, parallel mixed traffic, and graceful stop
with an upload in flight."""

import concurrent.futures
import random
import threading
import time

import pytest

from s3util import make_client, md5hex, obj_path, sign, build_request, connect, read_response


@pytest.mark.parametrize("size", [1000, 256 * 1024], ids=["inline", "file"])
def test_same_key_concurrent_puts(server, s3, bucket, size):
    bodies = [bytes([i]) * size + random.Random(i).randbytes(64) for i in range(8)]
    barrier = threading.Barrier(8, timeout=10)

    def put(i):
        c = make_client(server.endpoint)
        barrier.wait()
        return c.put_object(Bucket=bucket, Key="contended", Body=bodies[i])["ETag"]

    with concurrent.futures.ThreadPoolExecutor(8) as ex:
        etags = list(ex.map(put, range(8), timeout=60))
    assert etags == ['"%s"' % md5hex(b) for b in bodies]
    g = s3.get_object(Bucket=bucket, Key="contended")
    got = g["Body"].read()
    assert got in bodies, "GET returned a mix of concurrent bodies"
    assert g["ETag"] == '"%s"' % md5hex(got)
    assert g["ContentLength"] == len(got)
    listed = s3.list_objects_v2(Bucket=bucket)["Contents"]
    assert len(listed) == 1 and listed[0]["ETag"] == g["ETag"]


def test_parallel_mixed_traffic(server, s3, bucket):
    rng = random.Random(5)
    datas = {"k%02d" % i: rng.randbytes(rng.choice([10, 5000, 200 * 1024])) for i in range(40)}

    def work(item):
        k, d = item
        c = make_client(server.endpoint, read_timeout=10)
        c.put_object(Bucket=bucket, Key=k, Body=d)
        assert c.get_object(Bucket=bucket, Key=k)["Body"].read() == d
        c.list_objects_v2(Bucket=bucket, Prefix="k", MaxKeys=5)
        return k

    with concurrent.futures.ThreadPoolExecutor(8) as ex:
        done = list(ex.map(work, datas.items(), timeout=120))
    assert sorted(done) == sorted(datas)
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    assert keys == sorted(datas)


def test_sigterm_with_upload_in_flight(make_server):
    srv = make_server()
    c = make_client(srv.endpoint)
    c.create_bucket(Bucket="graceful")
    c.put_object(Bucket="graceful", Key="slow", Body=b"previous")
    total = 10 * 1024 * 1024
    path = obj_path("graceful", "slow")
    hdrs, _, _ = sign("PUT", srv.hostport, path, "", {"Content-Length": str(total)},
                      "UNSIGNED-PAYLOAD")
    s = connect(srv.hostport, timeout=5)
    s.sendall(build_request("PUT", path, "", hdrs, b"a" * (1024 * 1024)))
    stop = threading.Event()

    def trickle():
        deadline = time.monotonic() + 20
        while not stop.is_set() and time.monotonic() < deadline:
            try:
                s.sendall(b"a" * 1024)
            except OSError:
                return
            time.sleep(0.1)

    t = threading.Thread(target=trickle, daemon=True)
    t.start()
    time.sleep(0.5)
    ok, secs = srv.stop(12)
    stop.set()
    t.join(5)
    s.close()
    assert ok, "server did not exit within 12 s of SIGTERM with an upload in flight"
    # the unfinished upload did not replace the object
    srv2 = make_server(datadir=srv.datadir)
    assert make_client(srv2.endpoint).get_object(
        Bucket="graceful", Key="slow")["Body"].read() == b"previous"


def test_many_connections(server, bucket):
    """200 idle connections at once, then every one gets an answer."""
    socks = []
    try:
        for _ in range(200):
            socks.append(connect(server.hostport, timeout=10))
        for s in socks:
            s.sendall(b"GET /minio/health/live HTTP/1.1\r\nHost: x\r\n\r\n")
        for s in socks:
            r = read_response(s.makefile("rb"), "GET")
            assert r is not None and r.status == 200
    finally:
        for s in socks:
            s.close()


def test_concurrent_small_puts_answered_promptly(server, bucket):
    """Many small PUTs on parallel connections: every response arrives
    within a few seconds (a lost wake-up would park one until a timer)."""
    def work(t):
        c = make_client(server.endpoint, read_timeout=5)
        worst = 0.0
        for i in range(15):
            t0 = time.monotonic()
            # non-empty bodies: the empty-body case has its own test in test_objects
            c.put_object(Bucket=bucket, Key="p/%d/%d" % (t, i), Body=b"x" * (i * 7 + 1))
            worst = max(worst, time.monotonic() - t0)
        return worst

    with concurrent.futures.ThreadPoolExecutor(10) as ex:
        worst = max(ex.map(work, range(10), timeout=120))
    assert worst < 5
    c = make_client(server.endpoint)
    n = sum(len(p.get("Contents", [])) for p in
            c.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix="p/"))
    assert n == 150
