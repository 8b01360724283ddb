"""Network partitions of a 4-node deployment, made with network namespaces.

Each node runs in its own network namespace with its own address on a
private bridge (10.213.N.1-4, the test client on .254 in the root
namespace, so the client reaches every node while the nodes may not reach
each other).  A partition is "unreachable" routes inside the namespaces
(calls fail at once, as behind a firewall that rejects); healing deletes
them.  Needs root (CI runs as root) and iproute2.

What users rely on (issue 5): the minority side of a partition refuses
writes (and reads, below the read quorum) with the quorum errors, the
majority keeps serving, and once the partition heals no object has two
versions of the truth: the minority's nodes learn they missed writes and
rejoin with the majority's metadata.
"""

import os
import random
import shutil
import subprocess
import tempfile
import time
import urllib.request

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from s3util import AK, SK, cairn_bin, clean_env, make_client


PORT = 9000
KIB = 1024


def sh(*args, check=True):
    r = subprocess.run(list(args), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=20)
    if check and r.returncode != 0:
        raise RuntimeError("%s failed: %s" % (" ".join(args), r.stdout.decode(errors="replace")))
    return r


class NetnsCluster:
    """4 nodes x 2 drives, one network namespace per node."""

    def __init__(self, root, nodes=4, drives=2):
        self.root = root
        self.n = nodes
        self.drives = drives
        tag = "%04x" % random.randrange(0x10000)
        self.subnet = "10.213.%d" % random.randrange(1, 250)
        self.bridge = "cbr" + tag
        self.ns = ["cairn-%s-n%d" % (tag, i + 1) for i in range(nodes)]
        self.veth = ["cv%s%d" % (tag, i + 1) for i in range(nodes)]
        self.procs = [None] * nodes
        self.logs = [os.path.join(root, "n%d.log" % (i + 1)) for i in range(nodes)]
        self.blocked = []            # (namespace, address) routes in place
        self.made = []               # what to undo, in reverse

    def ip(self, i):
        return "%s.%d" % (self.subnet, i + 1)

    def endpoint(self, i):
        return "http://%s:%d" % (self.ip(i), PORT)

    def setup_network(self):
        sh("ip", "link", "add", self.bridge, "type", "bridge")
        self.made.append(("link", self.bridge))
        sh("ip", "addr", "add", self.subnet + ".254/24", "dev", self.bridge)
        sh("ip", "link", "set", self.bridge, "up")
        for i in range(self.n):
            sh("ip", "netns", "add", self.ns[i])
            self.made.append(("netns", self.ns[i]))
            sh("ip", "link", "add", self.veth[i], "type", "veth", "peer", "name", "eth0", "netns", self.ns[i])
            self.made.append(("link", self.veth[i]))
            sh("ip", "link", "set", self.veth[i], "master", self.bridge, "up")
            sh("ip", "netns", "exec", self.ns[i], "ip", "addr", "add", self.ip(i) + "/24", "dev", "eth0")
            sh("ip", "netns", "exec", self.ns[i], "ip", "link", "set", "eth0", "up")
            sh("ip", "netns", "exec", self.ns[i], "ip", "link", "set", "lo", "up")

    def endpoints(self):
        return ["http://%s:%d%s/n%d/d{1...%d}" % (self.ip(i), PORT, self.root, i + 1, self.drives)
                for i in range(self.n)]

    def launch(self, i):
        env = clean_env({"CAIRN_ROOT_USER": AK, "CAIRN_ROOT_PASSWORD": SK})
        cmd = ["ip", "netns", "exec", self.ns[i], os.path.abspath(cairn_bin()), "server",
               "--address", "%s:%d" % (self.ip(i), PORT), "--console-address", "%s:%d" % (self.ip(i), PORT + 1),
               "--log-file", os.path.join(self.root, "n%d.access.log" % (i + 1))] + self.endpoints()
        log = open(self.logs[i], "ab")
        self.procs[i] = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT)
        log.close()

    def ready(self, i, timeout=2.0):
        try:
            with urllib.request.urlopen(self.endpoint(i) + "/minio/health/ready", timeout=timeout) as r:
                return r.status == 200
        except Exception:
            return False

    def wait_ready(self, nodes, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(self.ready(i) for i in nodes):
                return
            for i in nodes:
                assert self.procs[i].poll() is None, "n%d exited:\n%s" % (i + 1, self.log(i))
            time.sleep(0.2)
        raise AssertionError("nodes %s not ready within %ds:\n%s" % (
            [i + 1 for i in nodes], timeout, "\n".join(self.log(i) for i in nodes)))

    def log(self, i, n=3000):
        try:
            with open(self.logs[i], "rb") as f:
                return "---- n%d\n%s" % (i + 1, f.read().decode(errors="replace")[-n:])
        except OSError:
            return ""

    def partition(self, *sides):
        """Nodes on different sides can no longer reach each other."""
        for a in sides:
            for b in sides:
                if a is b:
                    continue
                for i in a:
                    for j in b:
                        sh("ip", "netns", "exec", self.ns[i], "ip", "route", "add", "unreachable",
                           self.ip(j) + "/32")
                        self.blocked.append((self.ns[i], self.ip(j)))

    def heal(self):
        for ns, addr in self.blocked:
            sh("ip", "netns", "exec", ns, "ip", "route", "del", "unreachable", addr + "/32", check=False)
        self.blocked = []

    def client(self, i):
        return make_client(self.endpoint(i), connect_timeout=3, read_timeout=30)

    def teardown(self):
        for p in self.procs:
            if p and p.poll() is None:
                p.terminate()
        for p in self.procs:
            if p:
                try:
                    p.wait(15)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait(5)
        for kind, name in reversed(self.made):
            if kind == "netns":
                sh("ip", "netns", "del", name, check=False)
            else:
                sh("ip", "link", "del", name, check=False)


@pytest.fixture
def netns_cluster():
    # the suite's rule: a missing tool is a failure, not a skip
    assert os.geteuid() == 0, "partitions are made with network namespaces: run as root (CI does)"
    assert shutil.which("ip"), "iproute2's ip is missing (scripts/install-deps.sh installs it)"
    root = tempfile.mkdtemp(prefix="cairn-part-")
    c = NetnsCluster(root)
    try:
        c.setup_network()
        for i in range(c.n):
            c.launch(i)
        c.wait_ready(range(c.n), 60)
        yield c
    finally:
        c.teardown()
        shutil.rmtree(root, ignore_errors=True)


def code_of(fn):
    """The S3 error code fn raised (or 'OK')."""
    try:
        fn()
        return "OK"
    except ClientError as e:
        return e.response["Error"]["Code"]
    except EndpointConnectionError:
        return "connection"


def wait_for(pred, timeout, what):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = pred()
        if last is True:
            return
        time.sleep(0.25)
    raise AssertionError("%s: not within %ss (last: %r)" % (what, timeout, last))


def read_eventually(cl, bucket, key, want, old, timeout, who):
    """GET answers want, after retryable errors at most; the old body is a
    stale read and fails at once."""
    def current():
        try:
            got = cl.get_object(Bucket=bucket, Key=key)["Body"].read()
        except (ClientError, EndpointConnectionError) as e:
            return repr(e)[:200]
        assert got != old, "%s served the old %s after the partition healed" % (who, key)
        return got == want or "%d other bytes" % len(got)
    wait_for(current, timeout, "%s serves the new %s" % (who, key))


def listing(cl, bucket):
    out = {}
    for page in cl.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for o in page.get("Contents", []):
            out[o["Key"]] = o["ETag"]
    return out


def test_minority_refuses_majority_serves_and_heals(netns_cluster):
    c = netns_cluster
    cls = [c.client(i) for i in range(c.n)]
    bk = "part-%06x" % random.randrange(1 << 24)
    cls[0].create_bucket(Bucket=bk)
    rng = random.Random(5)
    bodies = {}
    for i in range(8):
        body = rng.randbytes(rng.choice([KIB, 200 * KIB]))
        cls[i % 4].put_object(Bucket=bk, Key="before/%d" % i, Body=body)
        bodies["before/%d" % i] = body

    c.partition([0, 1, 2], [3])
    # the minority (n4): writes refused at once, reads once its peers' drives are gone
    t0 = time.monotonic()
    assert code_of(lambda: cls[3].put_object(Bucket=bk, Key="minority", Body=b"m" * 5000)) == "SlowDownWrite"
    assert time.monotonic() - t0 < 15, "the minority took %.1f s to refuse a write" % (time.monotonic() - t0)
    def minority_refuses_reads():
        code = code_of(lambda: cls[3].get_object(Bucket=bk, Key="before/0")["Body"].read())
        return code == "SlowDownRead" or code
    wait_for(minority_refuses_reads, 20, "the minority stops serving reads below the read quorum")
    # the majority serves: new objects, an overwrite, a delete
    for i in range(6):
        body = rng.randbytes(rng.choice([KIB, 300 * KIB]))
        cls[i % 3].put_object(Bucket=bk, Key="during/%d" % i, Body=body)
        bodies["during/%d" % i] = body
    old_before_1 = bodies["before/1"]
    bodies["before/1"] = b"new truth " * 1000
    cls[1].put_object(Bucket=bk, Key="before/1", Body=bodies["before/1"])
    cls[2].delete_object(Bucket=bk, Key="before/2")
    del bodies["before/2"]
    for i in range(3):
        assert cls[i].get_object(Bucket=bk, Key="during/0")["Body"].read() == bodies["during/0"]
    assert code_of(lambda: cls[3].put_object(Bucket=bk, Key="minority", Body=b"m")) == "SlowDownWrite"

    c.heal()
    # n4 learns it missed writes, restarts and rejoins with the majority's metadata
    # and never answers from its old metadata meanwhile: retryable errors only
    def n4_current():
        try:
            return cls[3].get_object(Bucket=bk, Key="during/5")["Body"].read() == bodies["during/5"]
        except ClientError as e:
            assert e.response["Error"]["Code"] != "NoSuchKey", "n4 answered from its old metadata after the heal"
            return repr(e)[:200]
        except EndpointConnectionError as e:
            return repr(e)[:200]
    wait_for(n4_current, 60, "n4 serves what the majority wrote")
    read_eventually(cls[3], bk, "before/1", bodies["before/1"], old_before_1, 5, "n4")
    log4 = c.log(3, 20000)
    assert "restarting to rejoin" in log4 and log4.rindex("copied") > log4.index("restarting to rejoin"), log4
    want = {k: None for k in bodies}
    for i in range(c.n):
        got = listing(cls[i], bk)
        assert sorted(got) == sorted(want), "n%d lists %s" % (i + 1, sorted(got))
        for k, body in bodies.items():
            assert cls[i].get_object(Bucket=bk, Key=k)["Body"].read() == body, "%s via n%d" % (k, i + 1)
        assert code_of(lambda: cls[i].head_object(Bucket=bk, Key="before/2")) in ("404", "NoSuchKey")
        assert code_of(lambda: cls[i].head_object(Bucket=bk, Key="minority")) in ("404", "NoSuchKey")
    # and the whole deployment takes writes again, through n4 too
    cls[3].put_object(Bucket=bk, Key="after", Body=b"a" * 70000)
    for i in range(c.n):
        assert cls[i].get_object(Bucket=bk, Key="after")["Body"].read() == b"a" * 70000


def test_even_split_refuses_writes_on_both_sides(netns_cluster):
    c = netns_cluster
    cls = [c.client(i) for i in range(c.n)]
    bk = "split-%06x" % random.randrange(1 << 24)
    cls[0].create_bucket(Bucket=bk)
    cls[0].put_object(Bucket=bk, Key="k", Body=b"v1" * 3000)

    c.partition([0, 1], [2, 3])
    # 2 of 4 nodes is no majority: nobody may write (no two truths), both
    # sides still hold 4 of 8 drives, the read quorum, and read the same
    for i in range(c.n):
        t0 = time.monotonic()
        assert code_of(lambda: cls[i].put_object(Bucket=bk, Key="k", Body=b"v2-%d" % i)) == "SlowDownWrite"
        assert time.monotonic() - t0 < 15
    for i in range(c.n):
        assert cls[i].get_object(Bucket=bk, Key="k")["Body"].read() == b"v1" * 3000

    c.heal()
    def writes_again():
        return code_of(lambda: cls[2].put_object(Bucket=bk, Key="k", Body=b"v3" * 3000))
    wait_for(lambda: writes_again() == "OK", 30, "writes resume after the split heals")
    # a node the first writes after the heal left out (its peers' view of
    # it was still the split's) answers 503 while it rejoins, never v1
    for i in range(c.n):
        read_eventually(cls[i], bk, "k", b"v3" * 3000, b"v1" * 3000, 60, "n%d" % (i + 1))
