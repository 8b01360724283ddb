"""Distributed mode (several cairn processes, one deployment) with a real
client: every node answers every S3 request with the same data and the
same listings, shards reach every node's drives, concurrent writers
through different nodes leave one whole winner, the loss of nodes costs
what the erasure layout says (2 x 2 drives, EC:2: one node down -> reads
only; 4 x 2 drives, EC:4: one node down -> reads and writes; two down ->
reads only; writes refused with 503 SlowDownWrite), a node with a
different topology or without root credentials is refused, the internal
RPC refuses requests without a valid signature, nodes start in any order
and a restarted node rejoins while the others keep serving.

Besides what each test checks, every per-test deployment is checked at
its end (and the shared one after every test): no node has another
node's drive files open (each reaches the others' drives through their
node), no sanitizer report in any log, every node stops on SIGTERM.

Harness: clusterutil.py. All nodes on 127.0.0.1 with free ports; every
process is stopped at the end of its test (or module), also on failure.
"""

import concurrent.futures
import hashlib
import json
import os
import random
import re
import threading
import time
import uuid

import pytest
from botocore.exceptions import ClientError, ConnectionError as BotoConnectionError
from botocore.exceptions import HTTPClientError, ReadTimeoutError

import s3util
from clusterutil import (Cluster, RPC_PREFIX, bogus_signature, http_status, md5_etag,
                         rpc_key, rpc_request, rpc_signed_headers, sha256)
from s3util import client_error, make_client

KIB = 1024
MIB = 1024 * 1024
SECRET = "cluster-secret-for-tests-0123456789"


# ---- fixtures --------------------------------------------------------------

def _sanitizer_reports(cluster):
    out = []
    for n in cluster.nodes:
        log = n.full_log()
        for pat in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"):
            i = log.find(pat)
            if i >= 0:
                out.append("%s: %s" % (n.name, log[max(0, i - 200):i + 1500]))
    return out


def _finish(cluster, expect_alive=(), check_drives=True):
    """Stop every node; fail on nodes that died unexpectedly, had other
    nodes' drives open, did not stop on SIGTERM, or printed sanitizer
    reports."""
    dead = [n.name for n in cluster.nodes if n.idx in expect_alive and not n.alive()]
    logs = cluster.logs() if dead else ""
    problems = []
    try:
        if check_drives:
            cluster.assert_nodes_use_own_drives()
    except AssertionError as e:
        problems.append(str(e))
    slow = cluster.stop_all(15)
    if dead:
        problems.append("nodes died during the test: %s\n%s" % (dead, logs))
    if slow:
        problems.append("nodes did not exit within 15 s of SIGTERM: %s" % slow)
    problems += _sanitizer_reports(cluster)
    return problems


@pytest.fixture(scope="module")
def cluster4(tmp_path_factory):
    """One 4-node x 2-drive deployment (EC:4) for the tests that kill nothing."""
    c = Cluster(str(tmp_path_factory.mktemp("c4")), nodes=4, drives=2, secret=SECRET)
    try:
        c.start(timeout=60)
    except RuntimeError as e:
        c.stop_all()
        pytest.fail(str(e), pytrace=False)
    yield c
    problems = _finish(c, expect_alive=range(4), check_drives=False)   # c4 checks after every test
    assert not problems, "\n".join(problems)


@pytest.fixture
def c4(cluster4):
    """cluster4, checked after the test: every node still alive."""
    yield cluster4
    dead = [n.name for n in cluster4.nodes if not n.alive()]
    assert not dead, "nodes died during this test: %s\n%s" % (dead, cluster4.logs())
    cluster4.assert_nodes_use_own_drives()


@pytest.fixture
def make_cluster(tmp_path):
    """Per-test deployments; every node of every one stopped at the end."""
    made = []

    def _make(start=True, **kw):
        c = Cluster(str(tmp_path / ("c%d" % len(made))), **kw)
        made.append(c)
        if start:
            try:
                c.start(timeout=60)
            except RuntimeError as e:
                pytest.fail(str(e), pytrace=False)
        return c
    yield _make
    problems = []
    for c in made:
        problems += _finish(c)
    assert not problems, "\n".join(problems)


# ---- helpers ---------------------------------------------------------------

def uniq(hint):
    return "cl-%s-%s" % (hint, uuid.uuid4().hex[:8])


def listing(client, bucket, **kw):
    """Every page of ListObjectsV2: ([(key, etag, size, last_modified)], [prefixes])."""
    keys, prefixes = [], []
    token = None
    for _ in range(1000):
        args = dict(Bucket=bucket, **kw)
        if token:
            args["ContinuationToken"] = token
        r = client.list_objects_v2(**args)
        keys += [(o["Key"], o["ETag"], o["Size"], o["LastModified"]) for o in r.get("Contents", [])]
        prefixes += [p["Prefix"] for p in r.get("CommonPrefixes", [])]
        if not r.get("IsTruncated"):
            return keys, prefixes
        token = r["NextContinuationToken"]
    raise AssertionError("ListObjectsV2 did not finish in 1000 pages")


def bucket_list(client):
    return [(b["Name"], b["CreationDate"]) for b in client.list_buckets()["Buckets"]]


def assert_same_through_all(clients, bucket, objects, names):
    """GET and HEAD of every object through every client: same bytes, ETag, size."""
    for cl, name in zip(clients, names):
        for key, body in objects.items():
            g = cl.get_object(Bucket=bucket, Key=key)
            got = g["Body"].read()
            assert got == body, "%s: GET %s differs (%d bytes, want %d)" % (name, key, len(got), len(body))
            assert g["ETag"] == md5_etag(body), (name, key, g["ETag"])
            h = cl.head_object(Bucket=bucket, Key=key)
            assert h["ContentLength"] == len(body), (name, key)
            assert h["ETag"] == md5_etag(body), (name, key)


def assert_listings_equal(clients, names, bucket, **kw):
    first = listing(clients[0], bucket, **kw)
    for cl, name in zip(clients[1:], names[1:]):
        got = listing(cl, bucket, **kw)
        assert got == first, "listing %r through %s differs from %s:\n%r\n%r" % (
            kw, name, names[0], got, first)
    return first


def assert_shards_everywhere(cluster):
    empty = []
    for n in cluster.nodes:
        for d, files in n.shard_files().items():
            if not files:
                empty.append(d)
    assert not empty, "drives without any file under .cairn.sys/data: %s" % empty


def expect_error(fn, status, codes):
    if isinstance(codes, str):
        codes = (codes,)
    with pytest.raises(ClientError) as ei:
        fn()
    st, code = client_error(ei.value)
    assert st == status and code in codes, "want %s %s, got %s %s" % (status, codes, st, code)


def eventually(fn, timeout=5.0, step=0.1):
    """fn() until it returns without raising (bounded in time and count)."""
    deadline = time.monotonic() + timeout
    last = None
    for _ in range(10000):
        try:
            return fn()
        except (AssertionError, ClientError) as e:
            last = e
        if time.monotonic() >= deadline:
            break
        time.sleep(step)
    raise AssertionError("not so within %.0f s: %r" % (timeout, last))


def admin_ok(node, *args):
    r = node.admin(*args)
    assert r.returncode == 0, "cairn admin %s via %s: exit %s\n%s%s" % (
        " ".join(args), node.name, r.returncode, r.stdout, r.stderr)
    return r


def is_connection_error(e):
    return isinstance(e, (BotoConnectionError, HTTPClientError)) and not isinstance(e, ReadTimeoutError)


# ---- 1. two nodes ------------------------------------------------------------

def test_two_nodes_serve_the_same_data(make_cluster):
    # no CAIRN_CLUSTER_SECRET (optional), drives spelled out instead of {1...2}
    c = make_cluster(nodes=2, drives=2, spelled_out=True)
    a, b = c.client(0), c.client(1)
    names = ["n1", "n2"]
    bk = uniq("two")
    a.create_bucket(Bucket=bk)
    b.head_bucket(Bucket=bk)
    assert bucket_list(a) == bucket_list(b)
    assert bk in [n for n, _ in bucket_list(b)]

    rng = random.Random(1)
    sizes = {"zero": 0, "small/1k": KIB, "small/64k": 64 * KIB, "mid/300k": 300 * KIB + 7,
             "big/1m": MIB, "big/3m": 3 * MIB + 5, "dir/sub/x": 200 * KIB + 3, "dir/y": 10}
    objects = {}
    for i, (key, size) in enumerate(sizes.items()):
        body = rng.randbytes(size)
        r = (a, b)[i % 2].put_object(Bucket=bk, Key=key, Body=body)
        assert r["ETag"] == md5_etag(body), key
        objects[key] = body

    assert_same_through_all([a, b], bk, objects, names)
    keys, _ = assert_listings_equal([a, b], names, bk)
    assert [k for k, *_ in keys] == sorted(objects)
    assert {k: e for k, e, *_ in keys} == {k: md5_etag(v) for k, v in objects.items()}
    _, prefixes = assert_listings_equal([a, b], names, bk, Delimiter="/")
    assert prefixes == ["big/", "dir/", "mid/", "small/"]
    keys, prefixes = assert_listings_equal([a, b], names, bk, Prefix="dir/", Delimiter="/")
    assert [k for k, *_ in keys] == ["dir/y"] and prefixes == ["dir/sub/"]
    keys, _ = assert_listings_equal([a, b], names, bk, Prefix="big/")
    assert [k for k, *_ in keys] == ["big/1m", "big/3m"]
    assert_listings_equal([a, b], names, bk, MaxKeys=3)   # paged: continuation tokens work on both

    assert_shards_everywhere(c)

    # delete through the node that did not write it
    for i, key in enumerate(objects):
        (b, a)[i % 2].delete_object(Bucket=bk, Key=key)
    for cl, name in ((a, "n1"), (b, "n2")):
        for key in objects:
            expect_error(lambda: cl.head_object(Bucket=bk, Key=key), 404, ("404", "NoSuchKey", "Not Found"))
            expect_error(lambda: cl.get_object(Bucket=bk, Key=key), 404, "NoSuchKey")
        assert listing(cl, bk) == ([], []), name
    b.delete_bucket(Bucket=bk)
    assert bucket_list(a) == bucket_list(b)
    assert bk not in [n for n, _ in bucket_list(a)]
    expect_error(lambda: a.head_bucket(Bucket=bk), 404, ("404", "NoSuchBucket", "Not Found"))


def test_two_nodes_one_down_reads_work_writes_refused(make_cluster):
    # 2 x 2 drives, EC:2: read quorum 2, write quorum 3
    c = make_cluster(nodes=2, drives=2)
    a, b = c.client(0), c.client(1)
    bk = uniq("half")
    a.create_bucket(Bucket=bk)
    rng = random.Random(11)
    objects = {}
    for i, size in enumerate([KIB, 200 * KIB, 3 * MIB + 1]):
        objects["k%d" % i] = rng.randbytes(size)
        (a, b)[i % 2].put_object(Bucket=bk, Key="k%d" % i, Body=objects["k%d" % i])
    c[1].kill9()
    for key, body in objects.items():
        t0 = time.monotonic()
        assert a.get_object(Bucket=bk, Key=key)["Body"].read() == body, key
        assert time.monotonic() - t0 < 15, "GET %s with n2 down took %.1f s" % (key, time.monotonic() - t0)
    assert [k for k, *_ in listing(a, bk)[0]] == sorted(objects)
    t0 = time.monotonic()
    expect_error(lambda: a.put_object(Bucket=bk, Key="new", Body=b"n" * 70000), 503, ("SlowDownWrite", "SlowDown"))
    expect_error(lambda: a.delete_object(Bucket=bk, Key="k0"), 503, ("SlowDownWrite", "SlowDown"))
    assert time.monotonic() - t0 < 30, "refusals with n2 down took %.1f s" % (time.monotonic() - t0)
    assert a.get_object(Bucket=bk, Key="k0")["Body"].read() == objects["k0"]
    assert c[0].alive()
    # n2 back: writes work again through both
    c[1].launch()
    try:
        c[1].wait_live()
        c.wait_ready(timeout=60)
    except RuntimeError as e:
        pytest.fail(str(e), pytrace=False)
    a.put_object(Bucket=bk, Key="new", Body=b"n" * 70000)
    assert b.get_object(Bucket=bk, Key="new")["Body"].read() == b"n" * 70000
    for key, body in objects.items():
        assert b.get_object(Bucket=bk, Key=key)["Body"].read() == body, key


# ---- 2. four nodes -----------------------------------------------------------

def test_four_nodes_every_node_serves(c4):
    cls = c4.clients()
    names = [n.name for n in c4.nodes]
    bk = uniq("four")
    cls[1].create_bucket(Bucket=bk)
    for cl in cls:
        cl.head_bucket(Bucket=bk)
    bl = bucket_list(cls[0])
    assert all(bucket_list(cl) == bl for cl in cls[1:])

    rng = random.Random(2)
    objects = {}
    for i, cl in enumerate(cls):
        for size in (KIB, 100 * KIB + 1, 2 * MIB + 7):
            key = "via-n%d/%d" % (i + 1, size)
            body = rng.randbytes(size)
            assert cl.put_object(Bucket=bk, Key=key, Body=body)["ETag"] == md5_etag(body)
            objects[key] = body
    assert_same_through_all(cls, bk, objects, names)
    keys, _ = assert_listings_equal(cls, names, bk)
    assert [k for k, *_ in keys] == sorted(objects)
    _, prefixes = assert_listings_equal(cls, names, bk, Delimiter="/")
    assert prefixes == ["via-n1/", "via-n2/", "via-n3/", "via-n4/"]
    keys, _ = assert_listings_equal(cls, names, bk, Prefix="via-n3/", MaxKeys=2)
    assert len(keys) == 3
    assert_shards_everywhere(c4)

    # overwrite through one node, read the new version through all
    key = "via-n1/%d" % KIB
    objects[key] = rng.randbytes(50 * KIB)
    cls[2].put_object(Bucket=bk, Key=key, Body=objects[key])
    assert_same_through_all(cls, bk, {key: objects[key]}, names)

    for i, key in enumerate(sorted(objects)):
        cls[(i + 1) % 4].delete_object(Bucket=bk, Key=key)
    for cl, name in zip(cls, names):
        assert listing(cl, bk) == ([], []), name
        expect_error(lambda: cl.get_object(Bucket=bk, Key=key), 404, "NoSuchKey")
    cls[3].delete_bucket(Bucket=bk)
    for cl in cls:
        expect_error(lambda: cl.head_bucket(Bucket=bk), 404, ("404", "NoSuchBucket", "Not Found"))


def test_multipart_parts_through_different_nodes(c4):
    cls = c4.clients()
    names = [n.name for n in c4.nodes]
    bk = uniq("mpu")
    cls[0].create_bucket(Bucket=bk)
    rng = random.Random(3)
    bodies = [rng.randbytes(5 * MIB), rng.randbytes(5 * MIB), rng.randbytes(700 * KIB + 3)]
    up = cls[0].create_multipart_upload(Bucket=bk, Key="big/mp")["UploadId"]
    other = cls[3].create_multipart_upload(Bucket=bk, Key="other")["UploadId"]
    etags = []
    for pn, body in enumerate(bodies, 1):
        r = cls[pn - 1].upload_part(Bucket=bk, Key="big/mp", UploadId=up, PartNumber=pn, Body=body)
        assert r["ETag"] == md5_etag(body)
        etags.append(r["ETag"])

    want_parts = [(i + 1, etags[i], len(bodies[i])) for i in range(3)]
    want_uploads = sorted([("big/mp", up), ("other", other)])
    for cl, name in zip(cls, names):
        lp = cl.list_parts(Bucket=bk, Key="big/mp", UploadId=up)
        assert [(p["PartNumber"], p["ETag"], p["Size"]) for p in lp.get("Parts", [])] == want_parts, name
        lm = cl.list_multipart_uploads(Bucket=bk)
        assert sorted((u["Key"], u["UploadId"]) for u in lm.get("Uploads", [])) == want_uploads, name
        lm = cl.list_multipart_uploads(Bucket=bk, Prefix="big/")
        assert [(u["Key"], u["UploadId"]) for u in lm.get("Uploads", [])] == [("big/mp", up)], name

    r = cls[3].complete_multipart_upload(
        Bucket=bk, Key="big/mp", UploadId=up,
        MultipartUpload={"Parts": [{"PartNumber": pn, "ETag": e} for pn, e, _ in want_parts]})
    md5s = b"".join(hashlib.md5(b).digest() for b in bodies)
    want_etag = '"%s-3"' % hashlib.md5(md5s).hexdigest()
    assert r["ETag"] == want_etag
    whole = b"".join(bodies)
    for cl, name in zip(cls, names):
        g = cl.get_object(Bucket=bk, Key="big/mp")
        assert g["ETag"] == want_etag, name
        assert sha256(g["Body"].read()) == sha256(whole), name
        rg = cl.get_object(Bucket=bk, Key="big/mp", Range="bytes=%d-%d" % (5 * MIB - 5, 5 * MIB + 4))
        assert rg["Body"].read() == whole[5 * MIB - 5:5 * MIB + 5], name
        lm = cl.list_multipart_uploads(Bucket=bk)
        assert [(u["Key"], u["UploadId"]) for u in lm.get("Uploads", [])] == [("other", other)], name
        expect_error(lambda: cl.list_parts(Bucket=bk, Key="big/mp", UploadId=up), 404, "NoSuchUpload")
    assert_listings_equal(cls, names, bk)

    cls[1].abort_multipart_upload(Bucket=bk, Key="other", UploadId=other)
    for cl, name in zip(cls, names):
        assert cl.list_multipart_uploads(Bucket=bk).get("Uploads", []) == [], name
    cls[2].delete_object(Bucket=bk, Key="big/mp")
    cls[0].delete_bucket(Bucket=bk)


def test_iam_users_work_through_every_node(c4):
    bk = uniq("iam")
    c4.client(0).create_bucket(Bucket=bk)
    ak, sk = "cluser%s" % uuid.uuid4().hex[:8], "secret-%s" % uuid.uuid4().hex
    admin_ok(c4[0], "user", "add", ak, sk)
    admin_ok(c4[1], "policy", "set", "readwrite", "--user", ak)
    users = [make_client(n.endpoint, ak=ak, sk=sk) for n in c4.nodes]
    for i, u in enumerate(users):
        body = ("written by the user through n%d" % (i + 1)).encode() * 100
        eventually(lambda: u.put_object(Bucket=bk, Key="u%d" % i, Body=body))
        assert users[(i + 1) % 4].get_object(Bucket=bk, Key="u%d" % i)["Body"].read() == body

    # disabled through n3: refused through every node (bounded wait for it to spread)
    admin_ok(c4[2], "user", "disable", ak)

    def refused(u):
        with pytest.raises(ClientError) as ei:
            u.get_object(Bucket=bk, Key="u0")
        assert client_error(ei.value)[0] == 403, client_error(ei.value)
    for i, u in enumerate(users):
        eventually(lambda: refused(u))
    admin_ok(c4[3], "user", "remove", ak)
    for i, u in enumerate(users):
        eventually(lambda: refused(u))
    for i in range(4):
        c4.client(i).delete_object(Bucket=bk, Key="u%d" % i)
    c4.client(1).delete_bucket(Bucket=bk)


# ---- 3. concurrent writers -------------------------------------------------

def test_concurrent_writers_through_different_nodes(c4):
    writers, rounds, size = 8, 10, 256 * KIB
    cls = c4.clients(read_timeout=60)
    bk = uniq("race")
    cls[0].create_bucket(Bucket=bk)
    barrier = threading.Barrier(writers, timeout=30)

    def put(i, body):
        barrier.wait()
        t0 = time.monotonic()
        try:
            r = cls[i % 4].put_object(Bucket=bk, Key="hot", Body=body)
            return i, r["ETag"], None, time.monotonic() - t0
        except Exception as e:
            return i, None, e, time.monotonic() - t0

    rng = random.Random(4)
    with concurrent.futures.ThreadPoolExecutor(writers) as ex:
        for rnd in range(rounds):
            bodies = [rng.randbytes(size) for _ in range(writers)]
            results = list(ex.map(put, range(writers), bodies, timeout=120))
            acked = {sha256(bodies[i]) for i, etag, err, _ in results if err is None}
            written = {sha256(b) for b in bodies}
            for i, etag, err, secs in results:
                if err is None:
                    assert etag == md5_etag(bodies[i]), (rnd, i)
                else:
                    # contention may answer a retryable 503; nothing else
                    assert isinstance(err, ClientError) and client_error(err)[0] == 503, \
                        "round %d writer %d via n%d: %r\n%s" % (rnd, i, i % 4 + 1, err, c4.logs())
            assert acked, "round %d: no PUT succeeded" % rnd
            seen = []
            for n, cl in enumerate(cls):
                g = cl.get_object(Bucket=bk, Key="hot")
                body = g["Body"].read()
                assert len(body) == size, "round %d: n%d returned %d bytes" % (rnd, n + 1, len(body))
                h = sha256(body)
                assert h in written, "round %d: n%d returned a body nobody wrote whole" % (rnd, n + 1)
                assert h in acked, "round %d: n%d returned a body whose PUT failed" % (rnd, n + 1)
                assert g["ETag"] == md5_etag(body), (rnd, n)
                seen.append(h)
            assert len(set(seen)) == 1, "round %d: nodes disagree on the winner: %s" % (
                rnd, [s[:12] for s in seen])
            for cl in cls:
                keys, _ = listing(cl, bk)
                assert [(k, e) for k, e, *_ in keys] == [("hot", g["ETag"])]
    cls[1].delete_object(Bucket=bk, Key="hot")
    cls[2].delete_bucket(Bucket=bk)


# ---- 4. nodes killed under traffic --------------------------------------------

def test_kill_nodes_during_traffic(make_cluster):
    c = make_cluster(nodes=4, drives=2, secret=SECRET)
    victim, second = 2, 1                       # n3 dies under traffic, then n2
    survivors = [0, 3]
    cls = [c.client(i, connect_timeout=3, read_timeout=30, max_pool_connections=32)
           for i in range(4)]
    bk = uniq("kill")
    cls[0].create_bucket(Bucket=bk)

    lock = threading.Lock()
    acked = {}          # key -> sha256 of a body whose PUT answered 200
    failed = {}         # key -> sha256 of a body whose PUT did not
    ops = []            # (node, op, key, t0, t1, error)
    kill_at = [None]
    sizes = [64 * KIB, 200 * KIB + 1, 512 * KIB, MIB]
    for i in range(12):                         # some objects before the stream
        body = random.Random(i).randbytes(sizes[i % 4])
        cls[i % 4].put_object(Bucket=bk, Key="pre/%02d" % i, Body=body)
        acked["pre/%02d" % i] = sha256(body)

    stream_secs, kill_after = 10.0, 3.5
    t_start = time.monotonic()
    stop_at = t_start + stream_secs

    def worker(w):
        rng = random.Random(100 + w)
        seq = 0
        for _ in range(10000):
            if time.monotonic() >= stop_at:
                return
            node = rng.randrange(4)
            t0 = time.monotonic()
            err = None
            if rng.random() < 0.6:
                key = "s/%d-%04d" % (w, seq)
                seq += 1
                body = rng.randbytes(rng.choice(sizes))
                op = "put"
                try:
                    cls[node].put_object(Bucket=bk, Key=key, Body=body)
                    with lock:
                        acked[key] = sha256(body)
                except Exception as e:
                    err = e
                    with lock:
                        failed[key] = sha256(body)
            else:
                op = "get"
                with lock:
                    key, want = rng.choice(sorted(acked.items()))
                try:
                    got = cls[node].get_object(Bucket=bk, Key=key)["Body"].read()
                    if sha256(got) != want:
                        err = AssertionError("GET %s returned %d bytes that differ" % (key, len(got)))
                except Exception as e:
                    err = e
            with lock:
                ops.append((node, op, key, t0, time.monotonic(), err))

    with concurrent.futures.ThreadPoolExecutor(6) as ex:
        futs = [ex.submit(worker, w) for w in range(6)]
        time.sleep(kill_after)
        kill_at[0] = time.monotonic()
        c[victim].kill9()
        for f in futs:
            f.result(timeout=120)

    bad, slow = [], []
    for node, op, key, t0, t1, err in ops:
        if t1 - t0 > 15:
            slow.append((c[node].name, op, key, round(t1 - t0, 1)))
        if err is None:
            continue
        if node == victim and t1 >= kill_at[0] and is_connection_error(err):
            continue                            # the dead node: connection errors are expected
        bad.append((c[node].name, op, key, round(t0 - t_start, 2), round(t1 - t_start, 2), repr(err)[:300]))
    after = [o for o in ops if o[0] != victim and o[3] > kill_at[0] + 0.5 and o[5] is None]
    if bad:
        k = kill_at[0] - t_start
        n_before = sum(1 for b in bad if b[4] < k)
        by_node = {}
        for b in bad:
            by_node[b[0]] = by_node.get(b[0], 0) + 1
        raise AssertionError(
            "%d of %d requests to live nodes failed: %d before the kill of %s at %.2f s, %d after; "
            "by node %r; first ones (node, op, key, start s, end s, error):\n%s\nlast ones:\n%s\n%s" % (
                len(bad), len(ops), n_before, c[victim].name, k, len(bad) - n_before, by_node,
                "\n".join(map(str, bad[:8])), "\n".join(map(str, bad[-5:])), c.logs()))
    assert not slow, "requests took over 15 s: %s" % slow[:10]
    assert len(after) >= 10, "only %d requests succeeded on the survivors after the kill" % len(after)
    assert any(o[1] == "put" for o in after), "no PUT succeeded after the kill"

    # everything acknowledged reads back intact through the survivors
    alive = [i for i in range(4) if i != victim]

    def check_all(nodes):
        problems = []
        for n, (key, want) in enumerate(sorted(acked.items())):
            i = nodes[n % len(nodes)]
            t0 = time.monotonic()
            try:
                got = cls[i].get_object(Bucket=bk, Key=key)["Body"].read()
                if sha256(got) != want:
                    problems.append("%s via %s: body differs" % (key, c[i].name))
            except Exception as e:
                problems.append("%s via %s: %r" % (key, c[i].name, e))
            if time.monotonic() - t0 > 15:
                problems.append("%s via %s took %.1f s" % (key, c[i].name, time.monotonic() - t0))
        for i in nodes:
            keys, _ = listing(cls[i], bk)
            listed = {k: e for k, e, *_ in keys}
            missing = sorted(set(acked) - set(listed))
            if missing:
                problems.append("list via %s misses %d acknowledged keys: %s" % (c[i].name, len(missing), missing[:5]))
            strange = sorted(set(listed) - set(acked) - set(failed))
            if strange:
                problems.append("list via %s has keys nobody wrote: %s" % (c[i].name, strange[:5]))
            # a PUT that failed may or may not have landed, but never torn
            for key in sorted(set(listed) & set(failed))[:20]:
                got = cls[i].get_object(Bucket=bk, Key=key)["Body"].read()
                if sha256(got) != failed[key]:
                    problems.append("%s (PUT failed) via %s: torn body" % (key, c[i].name))
        return problems

    problems = check_all(alive)
    assert not problems, "after one node died:\n%s\n%s" % ("\n".join(problems[:20]), c.logs())

    # a second node dies: 4 of 8 drives left = read quorum, below write quorum
    c[second].kill9()
    problems = check_all(survivors)
    assert not problems, "after two nodes died:\n%s\n%s" % ("\n".join(problems[:20]), c.logs())
    for i in survivors:
        t0 = time.monotonic()
        expect_error(lambda: cls[i].put_object(Bucket=bk, Key="nope-%d" % i, Body=b"x" * 70000),
                     503, ("SlowDownWrite", "SlowDown"))
        assert time.monotonic() - t0 < 15, "PUT via %s took %.1f s" % (c[i].name, time.monotonic() - t0)
        h = cls[i].head_object(Bucket=bk, Key="pre/00")
        assert h["ETag"] and h["ContentLength"] == sizes[0]
    for i in survivors:
        assert c[i].alive(), "%s died:\n%s" % (c[i].name, c[i].log_tail())


def test_node_without_root_credentials_exits(make_cluster):
    c = make_cluster(start=False, nodes=2, drives=1, secret=SECRET)
    n1 = c[0]
    n1.launch(creds=None)
    rc = n1.wait_exit(15)
    if rc is None:
        n1.kill9()
    assert rc == 1, "a node without CAIRN_ROOT_USER/PASSWORD: exit %s, want 1:\n%s" % (rc, n1.log_tail())
    for d in n1.drives:
        assert not os.path.exists(os.path.join(d, ".cairn.sys", "credentials")), \
            "a distributed node generated its own credentials in %s" % d


def test_node_stopped_before_joining_exits_cleanly(make_cluster):
    # its peer never comes: SIGTERM while it waits must end it with 0, as on one node
    c = make_cluster(start=False, nodes=2, drives=1, secret=SECRET)
    n1 = c[0]
    n1.launch()
    n1.wait_live()
    assert http_status(n1.hostport, "/minio/health/ready")[0] == 503
    ok, secs = n1.stop(15)
    assert ok, "a joining node did not stop within 15 s of SIGTERM:\n%s" % n1.log_tail()
    assert n1.proc.returncode == 0, "exit %s:\n%s" % (n1.proc.returncode, n1.log_tail())


# ---- 5. wrong topology ---------------------------------------------------------

def test_wrong_topology_is_refused(make_cluster):
    c = make_cluster(nodes=4, drives=2, secret=SECRET)
    cls = c.clients()
    bk = uniq("topo")
    cls[0].create_bucket(Bucket=bk)
    cls[1].put_object(Bucket=bk, Key="before", Body=b"b" * 70000)
    n4 = c[3]
    ok, _ = n4.stop(15)
    assert ok, "n4 did not stop on SIGTERM"
    peers = [0, 1, 2]

    def n1_path_changed(i, j):
        base = os.path.join(c.root, "n%d%s" % (i + 1, "-moved" if i == 0 else ""))
        return os.path.join(base, "d" if j is None else "d%d" % (j + 1))

    variants = {
        "one path changed": c.endpoint_args(path_of=n1_path_changed),
        "3 drives a node": c.endpoint_args(drives=3),
        "a fifth node": c.endpoint_args(ports=[n.port for n in c.nodes] + [s3util.free_port()]),
        "n1's drives in another order": (lambda e: [e[1], e[0]] + e[2:])(c.endpoint_args(spelled_out=True)),
    }
    for name, eps in variants.items():
        n4.launch(endpoints=eps)
        rc = n4.wait_exit(30)
        out = n4.output()
        if rc is None:
            n4.kill9()
        assert rc is not None, "%s: n4 still running after 30 s:\n%s" % (name, out[-3000:])
        assert rc != 0, "%s: n4 exited 0:\n%s" % (name, out[-3000:])
        assert "topology" in out.lower(), "%s: no 'topology' in n4's log:\n%s" % (name, out[-3000:])
        for i in peers:
            assert c[i].alive(), "%s: %s died:\n%s" % (name, c[i].name, c[i].log_tail())
            assert c[i].ready_status() == 200, "%s: %s not ready" % (name, c[i].name)
            key = "after-%s-%d" % (name.replace(" ", "-"), i)
            cls[i].put_object(Bucket=bk, Key=key, Body=key.encode() * 1000)
            assert cls[(i + 1) % 3].get_object(Bucket=bk, Key=key)["Body"].read() == key.encode() * 1000
            assert cls[i].get_object(Bucket=bk, Key="before")["Body"].read() == b"b" * 70000


# ---- 6. internal RPC authentication -----------------------------------------------

def _snapshot(cluster, bk):
    cl = cluster.client(0)
    files = set()
    for n in cluster.nodes:
        for d, fs in n.shard_files().items():
            files |= set(fs)
    return (bucket_list(cl), listing(cl, bk),
            sorted((u["Key"], u["UploadId"]) for u in
                   cl.list_multipart_uploads(Bucket=bk).get("Uploads", [])),
            files)


def test_internal_rpc_refuses_unsigned_requests(c4):
    cls = c4.clients()
    bk = uniq("rpc")
    cls[0].create_bucket(Bucket=bk)
    cls[1].put_object(Bucket=bk, Key="keep", Body=b"k" * 200000)
    up = cls[2].create_multipart_upload(Bucket=bk, Key="mp")["UploadId"]
    time.sleep(0.5)
    before = _snapshot(c4, bk)
    time.sleep(0.5)
    stable = _snapshot(c4, bk)
    files_stable = before[3] == stable[3]

    key = rpc_key(SECRET)                         # this deployment's key
    root_key = rpc_key(None, c4.creds)            # what it would be without CAIRN_CLUSTER_SECRET
    wrong = []

    # positive control: a call signed right in every respect passes the
    # signature check (an op that does not exist: harmless, not 403)
    for n in c4.nodes:
        h = rpc_signed_headers(key, n.hostport, "no-such-call", "")
        st, _, data = rpc_request(n.hostport, "POST", RPC_PREFIX + "no-such-call", h, b"")
        assert st is not None and st != 403, (
            "%s refused a correctly signed call (%s %r): the signing scheme in clusterutil.py "
            "(copied from cluster/rpc.h) no longer matches the server's" % (n.name, st, data))

    # calls that would change or reveal something, each signed wrong in one way
    zid = "0" * 32
    calls = [("format-write", "drive=0", b'{"deployment":"evil","drives":8,"set_size":8,"parity":4,"index":0}'),
             ("format-read", "drive=0", b""),
             ("dwrite", "drive=0&id=%s&off=0" % zid, b"x" * 1000),
             ("dremove", "drive=0&id=%s" % zid, b""),
             ("dread", "drive=0&id=%s&off=0&n=100" % zid, b""),
             ("meta", "drive=0&op=delete&bucket=%s&key=keep" % bk, b"{}"),
             ("lock", "owner=%s&ttl=60000" % ("a" * 32), ("%s/keep" % bk).encode()),
             ("hello", "from=9&sig=x", b"")]
    now = int(time.time())
    for n in c4.nodes:
        other = c4.nodes[(n.idx + 1) % 4].hostport
        for op, q, body in calls:
            path = RPC_PREFIX + op + ("?" + q if q else "")
            variants = {
                "no signature": ({}, body),
                "date only": ({"X-Cairn-Date": str(now)}, body),
                "signature only": ({"X-Cairn-Signature": rpc_signed_headers(key, n.hostport, op, q, None, body)
                                    ["X-Cairn-Signature"]}, body),
                "random hex": ({"X-Cairn-Date": str(int(time.time())),
                                "X-Cairn-Signature": os.urandom(32).hex()}, body),
                "empty signature": ({"X-Cairn-Date": str(int(time.time())), "X-Cairn-Signature": ""}, body),
                "garbage date": ({"X-Cairn-Date": "yesterday", "X-Cairn-Signature": os.urandom(32).hex()}, body),
                "stale date": (rpc_signed_headers(key, n.hostport, op, q, int(time.time()) - 300, body), body),
                "future date": (rpc_signed_headers(key, n.hostport, op, q, int(time.time()) + 300, body), body),
                "signed for another node": (rpc_signed_headers(key, other, op, q, None, body), body),
                "root-derived key": (rpc_signed_headers(root_key, n.hostport, op, q, None, body), body),
                "other body": (rpc_signed_headers(key, n.hostport, op, q, None, body), body + b"!"),
                "other op": (rpc_signed_headers(key, n.hostport, "hello" if op != "hello" else "lock",
                                                q, None, body), body),
                "other query": (rpc_signed_headers(key, n.hostport, op, q + "&x=1", None, body), body),
                "bogus hmac": ({"X-Cairn-Date": str(int(time.time())),
                                "X-Cairn-Signature": bogus_signature(SECRET, int(time.time()), "POST", path, body)},
                               body),
            }
            for vname, (hdrs, sent) in variants.items():
                st, _, data = rpc_request(n.hostport, "POST", path, hdrs, sent)
                if st != 403:
                    wrong.append("%s POST %s [%s] -> %s %r" % (n.name, path, vname, st, (data or b"")[:200]))
        # other methods and paths without any signature (the RPC is POST
        # only: 405 for other methods refuses as well)
        for path in [RPC_PREFIX, RPC_PREFIX + "ping", RPC_PREFIX + "../../" + bk]:
            for method, body in (("GET", None), ("PUT", b"x" * 1000), ("DELETE", None), ("HEAD", None),
                                 ("POST", b"")):
                st, _, data = rpc_request(n.hostport, method, path, {}, body)
                if st != 403 and not (method != "POST" and st == 405):
                    wrong.append("%s %s %s [no signature] -> %s %r" % (n.name, method, path, st, (data or b"")[:200]))
        # SigV4 with the root key is an S3 credential, not the cluster's
        r = s3util.raw_request(n.hostport, "POST", RPC_PREFIX + "format-read", "drive=0", {}, b"",
                               ak=c4.creds[0], sk=c4.creds[1])
        if r.status != 403:
            wrong.append("%s SigV4-signed POST %sformat-read -> %s %r" % (n.name, RPC_PREFIX, r.status, r.body[:200]))
    assert not wrong, "%d RPC requests without a valid signature not refused with 403:\n%s" % (
        len(wrong), "\n".join(wrong[:25]))

    time.sleep(0.5)
    after = _snapshot(c4, bk)
    assert after[:3] == before[:3], "the cluster changed:\n%r\n%r" % (before[:3], after[:3])
    if files_stable:
        assert after[3] == before[3], "files changed on the drives: +%s -%s" % (
            sorted(after[3] - before[3])[:5], sorted(before[3] - after[3])[:5])
    for cl in cls:
        assert cl.get_object(Bucket=bk, Key="keep")["Body"].read() == b"k" * 200000
    # no lock was taken: the key can be written at once through every node
    for i, cl in enumerate(cls):
        t0 = time.monotonic()
        cl.put_object(Bucket=bk, Key="keep", Body=bytes([i]) * 1000)
        assert time.monotonic() - t0 < 5, "PUT via n%d took %.1f s" % (i + 1, time.monotonic() - t0)
    cls[3].abort_multipart_upload(Bucket=bk, Key="mp", UploadId=up)
    cls[3].delete_object(Bucket=bk, Key="keep")
    cls[0].delete_bucket(Bucket=bk)


# ---- 7. start order ----------------------------------------------------------------

def test_nodes_start_in_reverse_order_with_delays(make_cluster):
    c = make_cluster(start=False, nodes=4, drives=2, secret=SECRET)
    n4 = c[3]
    n4.launch()
    n4.wait_live()
    # alone: no quorum. Live, not ready, S3 answers 503 ServerNotInitialized
    time.sleep(0.5)
    assert n4.ready_status() == 503
    cl4 = c.client(3)
    for fn in (lambda: cl4.list_buckets(),
               lambda: cl4.create_bucket(Bucket="too-early"),
               lambda: cl4.put_object(Bucket="too-early", Key="k", Body=b"x")):
        expect_error(fn, 503, "ServerNotInitialized")
    r = s3util.raw_request(n4.hostport, "GET", "/", ak=c.creds[0], sk=c.creds[1])
    s3util.assert_error(r, 503, "ServerNotInitialized")
    st, _, _ = http_status(n4.hostport, "/minio/health/live")
    assert st == 200
    assert n4.alive()
    assert re.search(r"wait", n4.output(), re.I), "n4's log does not say it waits:\n" + n4.log_tail()

    for i, delay in ((2, 1.0), (1, 1.0), (0, 2.0)):
        time.sleep(delay)
        c[i].launch()
        c[i].wait_live()
        for n in c.nodes:
            if n.proc is not None:
                assert n.alive(), "%s died while the others started:\n%s" % (n.name, n.log_tail())
        if i == 1:
            # 3 of 4 nodes: whatever the state, a node answers (200 or 503), never hangs
            assert c[i].ready_status(timeout=10) in (200, 503)
    c.wait_ready(timeout=60)

    cls = c.clients()
    cls[3].create_bucket(Bucket="late")
    for i, cl in enumerate(cls):
        cl.put_object(Bucket="late", Key="k%d" % i, Body=bytes([i]) * 100000)
    for cl in cls:
        for i in range(4):
            assert cl.get_object(Bucket="late", Key="k%d" % i)["Body"].read() == bytes([i]) * 100000
        assert [k for k, *_ in listing(cl, "late")[0]] == ["k0", "k1", "k2", "k3"]


# ---- 8. restart and rejoin -------------------------------------------------------------

def test_restarted_node_rejoins(make_cluster):
    c = make_cluster(nodes=4, drives=2, secret=SECRET)
    cls = c.clients()
    bk = uniq("rejoin")
    cls[0].create_bucket(Bucket=bk)
    rng = random.Random(8)
    objects = {}
    for i in range(8):
        body = rng.randbytes(rng.choice([KIB, 150 * KIB, 1 * MIB + 3]))
        cls[i % 4].put_object(Bucket=bk, Key="a/%d" % i, Body=body)
        objects["a/%d" % i] = body

    u1 = ("clbefore%s" % uuid.uuid4().hex[:6], "secret-before-%s" % uuid.uuid4().hex)
    admin_ok(c[0], "user", "add", *u1)
    admin_ok(c[0], "policy", "set", "readwrite", "--user", u1[0])

    n2 = c[1]
    up = [0, 2, 3]
    # traffic on the other nodes all along: while n2 stops, is down, and rejoins
    bg_stop = threading.Event()
    bg_acked, bg_errors = {}, []

    def background():
        brng = random.Random(88)
        deadline = time.monotonic() + 120
        for seq in range(100000):
            if bg_stop.is_set() or time.monotonic() > deadline:
                return
            i, j = up[seq % 3], up[(seq + 1) % 3]
            key = "t/%05d" % seq
            body = brng.randbytes(brng.choice([4 * KIB, 100 * KIB]))
            t0 = time.monotonic()
            try:
                cls[i].put_object(Bucket=bk, Key=key, Body=body)
                bg_acked[key] = body
                if cls[j].get_object(Bucket=bk, Key=key)["Body"].read() != body:
                    bg_errors.append((round(t0 - t_bg, 2), c[j].name, key, "GET returned another body"))
            except Exception as e:
                bg_errors.append((round(t0 - t_bg, 2), "%s/%s" % (c[i].name, c[j].name), key, repr(e)[:200]))
            if time.monotonic() - t0 > 15:
                bg_errors.append((round(t0 - t_bg, 2), c[i].name, key, "took %.1f s" % (time.monotonic() - t0)))
            time.sleep(0.02)

    t_bg = time.monotonic()
    bg = threading.Thread(target=background, daemon=True)
    bg.start()
    time.sleep(0.5)
    t_stop = time.monotonic() - t_bg
    ok, _ = n2.stop(15)
    assert ok, "n2 did not stop within 15 s of SIGTERM"
    # while n2 is down: new objects, an overwrite and a delete
    for i in range(10):
        body = rng.randbytes(rng.choice([KIB, 150 * KIB, 2 * MIB + 1]))
        cls[up[i % 3]].put_object(Bucket=bk, Key="b/%d" % i, Body=body)
        objects["b/%d" % i] = body
    objects["a/1"] = rng.randbytes(300 * KIB)
    cls[2].put_object(Bucket=bk, Key="a/1", Body=objects["a/1"])
    cls[3].delete_object(Bucket=bk, Key="a/2")
    del objects["a/2"]
    u2 = ("clduring%s" % uuid.uuid4().hex[:6], "secret-during-%s" % uuid.uuid4().hex)
    admin_ok(c[2], "user", "add", *u2)
    admin_ok(c[3], "policy", "set", "readwrite", "--user", u2[0])
    bk2 = uniq("made-while-down")
    cls[0].create_bucket(Bucket=bk2)
    cls[0].put_object(Bucket=bk2, Key="x", Body=b"x" * 5000)

    t_launch = time.monotonic() - t_bg
    n2.launch()
    try:
        n2.wait_live()
        c.wait_ready([1], timeout=60)
        t_ready = time.monotonic() - t_bg
        # ready means serving: a read through n2 at once
        first = cls[1].get_object(Bucket=bk, Key="b/0")["Body"].read()
        assert first == objects["b/0"], "n2's first GET after ready returned another body"
        time.sleep(1.0)
    except RuntimeError as e:
        pytest.fail(str(e), pytrace=False)
    finally:
        bg_stop.set()
        bg.join(60)
    assert not bg.is_alive(), "background traffic did not finish"
    assert not bg_errors, ("requests to n1/n3/n4 failed while n2 stopped (%.2f s), was down, restarted "
                           "(%.2f s) and rejoined (ready %.2f s): %d of %d, e.g.\n%s\n%s" % (
                               t_stop, t_launch, t_ready, len(bg_errors), len(bg_acked) + len(bg_errors),
                               "\n".join(map(str, bg_errors[:10])), c.logs()))
    assert len(bg_acked) >= 10, "only %d background PUTs" % len(bg_acked)
    objects.update(bg_acked)
    cl2 = cls[1]
    names = ["n1", "n2", "n3", "n4"]
    assert_same_through_all([cl2], bk, objects, ["n2"])
    expect_error(lambda: cl2.get_object(Bucket=bk, Key="a/2"), 404, "NoSuchKey")
    keys, _ = assert_listings_equal(cls, names, bk)
    assert [k for k, *_ in keys] == sorted(objects)
    assert bucket_list(cl2) == bucket_list(cls[0])
    assert cl2.get_object(Bucket=bk2, Key="x")["Body"].read() == b"x" * 5000
    # IAM users made before and while it was down work through it
    for ak, sk in (u1, u2):
        u = make_client(n2.endpoint, ak=ak, sk=sk)
        eventually(lambda: u.get_object(Bucket=bk, Key="a/0"))
        assert u.get_object(Bucket=bk, Key="a/0")["Body"].read() == objects["a/0"]
    # and it takes writes again
    cl2.put_object(Bucket=bk, Key="c/after", Body=b"c" * 100000)
    for cl in cls:
        assert cl.get_object(Bucket=bk, Key="c/after")["Body"].read() == b"c" * 100000
    objects["c/after"] = b"c" * 100000
    # it healed the shards it missed: once its heal pass is done, with two
    # *other* nodes down, n1 and n2 (4 of 8 drives, the read quorum) read
    # everything, which needs n2's shards of what was written while it was away
    def healed():
        h = json.loads(admin_ok(n2, "--json", "heal", "status").stdout)
        assert not h["running"] and h["passes"] >= 1 and h["queued"] == 0 and h["objectsFailed"] == 0, h
    eventually(healed, timeout=60, step=0.5)
    c[2].kill9()
    c[3].kill9()
    for i, (key, body) in enumerate(sorted(objects.items())):
        try:
            got = cls[i % 2].get_object(Bucket=bk, Key=key)["Body"].read()
        except ClientError as e:
            raise AssertionError("%s via %s after n3 and n4 died: %r\n%s" % (key, names[i % 2], e, c.logs()))
        assert got == body, "%s via %s after n3 and n4 died: %d bytes differ" % (key, names[i % 2], len(got))
