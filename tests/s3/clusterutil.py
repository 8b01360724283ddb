"""Helpers for the distributed-mode tests (test_cluster.py): start several
cairn processes on 127.0.0.1 that form one deployment, wait for them to be
ready, talk to each node, kill and restart nodes.

Every node is `cairn server --address 127.0.0.1:P --console-address
127.0.0.1:C ENDPOINTS...` with the SAME endpoint list on every node
(`http://127.0.0.1:P1/ROOT/n1/d{1...D} http://127.0.0.1:P2/ROOT/n2/d{1...D}
...`, or each drive spelled out); a node knows itself by its --address
port. Root credentials (and optionally CAIRN_CLUSTER_SECRET) are the same
on every node.

Everything talks only to 127.0.0.1; every wait is bounded in time; every
process started here is remembered and killed (by its PID) at interpreter
exit if a test did not stop it.
"""

import atexit
import hashlib
import hmac
import http.client
import os
import signal
import subprocess
import time

from s3util import AK, SK, ServerProcess, clean_env, cairn_bin, free_port, make_client

# every process this module started, so none outlives the test run
_STARTED = []


def _kill_leftovers():
    for p in _STARTED:
        if p.poll() is None:
            try:
                p.send_signal(signal.SIGKILL)
                p.wait(5)
            except Exception:
                pass


atexit.register(_kill_leftovers)


def free_ports(n, avoid=()):
    """n distinct free ports (free_port() may hand out the same one twice)."""
    out = []
    seen = set(avoid)
    for _ in range(n * 20):
        p = free_port()
        if p not in seen:
            seen.add(p)
            out.append(p)
            if len(out) == n:
                return out
    raise RuntimeError("could not find %d distinct free ports" % n)


def http_status(hostport, path, method="GET", headers=None, body=None, timeout=3.0):
    """(status, headers dict lowercased, body) of one plain HTTP request on a
    fresh connection, or (None, None, exception) when no answer came."""
    host, port = hostport.rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        data = r.read()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, data
    except Exception as e:  # refused, reset, timed out
        return None, None, e
    finally:
        conn.close()


class Node(ServerProcess):
    """One cairn process of a deployment."""

    stop_timeout = 15.0

    def __init__(self, cluster, idx, port, console_port):
        self.cluster = cluster
        self.idx = idx                      # 0-based; logs and dirs say idx+1
        self.port = port
        self.console_port = console_port
        self.name = "n%d" % (idx + 1)
        self.dir = os.path.join(cluster.root, self.name)
        self.drives = [os.path.join(self.dir, "d%d" % (j + 1)) for j in range(cluster.drives)]
        self.log_path = os.path.join(cluster.root, self.name + ".log")
        self.access_log_path = os.path.join(cluster.root, self.name + ".access.log")
        self.proc = None
        self._log = None
        self._log_start = 0
        self.last_cmd = None
        self.starts = 0

    def __repr__(self):
        return "<Node %s :%d %s>" % (self.name, self.port, "up" if self.alive() else "down")

    @property
    def hostport(self):
        return "127.0.0.1:%d" % self.port

    @property
    def endpoint(self):
        return "http://" + self.hostport

    def launch(self, endpoints=None, env_extra=None, creds="cluster"):
        """Start the process (does not wait). endpoints: the argument list
        (default: the cluster's). creds: "cluster" (the cluster's root
        credentials), None (no CAIRN_ROOT_* at all) or (ak, sk)."""
        if self.alive():
            raise RuntimeError("%s is already running" % self.name)
        binp = os.path.abspath(cairn_bin())
        if not os.path.exists(binp):
            raise RuntimeError("cairn binary not found at %s (set CAIRN_BIN)" % binp)
        for d in self.drives:
            os.makedirs(d, exist_ok=True)
        extra = dict(self.cluster.env)
        if creds == "cluster":
            creds = self.cluster.creds
        if creds:
            extra["CAIRN_ROOT_USER"], extra["CAIRN_ROOT_PASSWORD"] = creds
        if self.cluster.secret:
            extra["CAIRN_CLUSTER_SECRET"] = self.cluster.secret
        extra.update(env_extra or {})
        eps = list(endpoints if endpoints is not None else self.cluster.endpoints())
        # the access log (one JSON line a request) goes to its own file, so
        # the process output is the error log only
        cmd = [binp, "server", "--address", self.hostport,
               "--console-address", "127.0.0.1:%d" % self.console_port,
               "--log-file", self.access_log_path] + eps
        self._close_log()
        self._log = open(self.log_path, "ab")
        self._log.write(("\n==== start %d: %s\n" % (self.starts + 1, " ".join(cmd))).encode())
        self._log.flush()
        self._log_start = self._log.tell()
        self.last_cmd = cmd
        self.proc = subprocess.Popen(cmd, env=clean_env(extra), stdin=subprocess.DEVNULL,
                                     stdout=self._log, stderr=subprocess.STDOUT,
                                     cwd=self.cluster.root)
        _STARTED.append(self.proc)
        self.starts += 1
        return self

    def wait_live(self, timeout=15.0):
        """Wait until /minio/health/live answers 200 (the listener is up)."""
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeError("%s exited with %s during start:\n%s"
                                   % (self.name, self.proc.returncode, self.log_tail()))
            st, _, last = http_status(self.hostport, "/minio/health/live", timeout=1)
            if st == 200:
                return self
            time.sleep(0.05)
        raise RuntimeError("%s: /minio/health/live not 200 within %.0f s (%r):\n%s"
                           % (self.name, timeout, last, self.log_tail()))

    def ready_status(self, timeout=2.0):
        st, _, _ = http_status(self.hostport, "/minio/health/ready", timeout=timeout)
        return st

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def wait_exit(self, timeout):
        """The exit code, or None if still running after timeout seconds."""
        if self.proc is None:
            return None
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def output(self):
        """What this node printed since its last start."""
        try:
            with open(self.log_path, "rb") as f:
                f.seek(self._log_start)
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def full_log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def log_tail(self, n=3000):
        return self.output()[-n:]

    def error_lines(self, n=40):
        """The last n lines of the error log (since the last start)."""
        return "\n".join(self.output().splitlines()[-n:])

    def client(self, **cfg):
        cfg.setdefault("max_pool_connections", 16)
        return make_client(self.endpoint, ak=self.cluster.creds[0], sk=self.cluster.creds[1], **cfg)

    def foreign_open_files(self):
        """Files of the deployment's directory tree that this process holds
        open or mapped but that are not under its own node directory (a
        node reaches other nodes' drives only through them)."""
        if not self.alive():
            return []
        root = self.cluster.root + os.sep
        mine = self.dir + os.sep
        out = set()
        fd_dir = "/proc/%d/fd" % self.proc.pid
        try:
            for fd in os.listdir(fd_dir):
                try:
                    out.add(os.readlink(os.path.join(fd_dir, fd)))
                except OSError:
                    pass
            with open("/proc/%d/maps" % self.proc.pid) as f:
                for line in f:
                    parts = line.split(None, 5)
                    if len(parts) == 6:
                        out.add(parts[5].strip())
        except OSError:
            return []
        logs = {self.log_path, self.access_log_path}
        return sorted(p for p in out if p.startswith(root) and not p.startswith(mine)
                      and p.split(" (deleted)")[0] not in logs)

    def admin(self, *args, timeout=30):
        """`cairn admin --endpoint <this node> ARGS` as root; CompletedProcess (text)."""
        env = clean_env({"CAIRN_ROOT_USER": self.cluster.creds[0],
                         "CAIRN_ROOT_PASSWORD": self.cluster.creds[1]})
        cmd = [os.path.abspath(cairn_bin()), "admin", "--endpoint", self.endpoint] + list(args)
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env,
                              stdin=subprocess.DEVNULL)

    def shard_files(self):
        """{drive dir: [files under DRIVE/.cairn.sys/data]}"""
        out = {}
        for d in self.drives:
            files = []
            for dirpath, _, names in os.walk(os.path.join(d, ".cairn.sys", "data")):
                files += [os.path.join(dirpath, f) for f in names]
            out[d] = files
        return out


class Cluster:
    """N nodes x D drives under root, ports chosen up front."""

    def __init__(self, root, nodes=4, drives=2, creds=(AK, SK), secret=None,
                 spelled_out=False, env=None):
        self.root = os.path.abspath(root)
        os.makedirs(self.root, exist_ok=True)
        self.n = nodes
        self.drives = drives
        self.creds = creds
        self.secret = secret
        self.spelled_out = spelled_out
        self.env = dict(env or {})
        ports = free_ports(2 * nodes)
        self.nodes = [Node(self, i, ports[2 * i], ports[2 * i + 1]) for i in range(nodes)]
        self._clients = {}

    def __repr__(self):
        return "<Cluster %dx%d %r>" % (self.n, self.drives, self.nodes)

    def __getitem__(self, i):
        return self.nodes[i]

    def endpoint_args(self, ports=None, drives=None, path_of=None, spelled_out=None):
        """The endpoint list. ports: one per node (default the nodes' ports);
        drives: drives per node; path_of(node_idx, drive_idx) -> local path
        (drive_idx None: the ellipsis pattern's prefix, i.e. ROOT/nK/d)."""
        ports = ports or [n.port for n in self.nodes]
        drives = drives or self.drives
        spelled = self.spelled_out if spelled_out is None else spelled_out
        path_of = path_of or (lambda i, j: os.path.join(self.root, "n%d" % (i + 1),
                                                         "d" if j is None else "d%d" % (j + 1)))
        args = []
        for i, p in enumerate(ports):
            if spelled:
                args += ["http://127.0.0.1:%d%s" % (p, path_of(i, j)) for j in range(drives)]
            else:
                args.append("http://127.0.0.1:%d%s{1...%d}" % (p, path_of(i, None), drives))
        return args

    def endpoints(self):
        return self.endpoint_args()

    # ---- lifecycle ---------------------------------------------------------

    def start(self, order=None, delays=None, wait=True, timeout=60.0):
        """Launch the nodes (in order, sleeping delays[k] before the k-th),
        each up to its live probe, then (wait=True) until every node is
        ready."""
        order = list(range(self.n)) if order is None else list(order)
        for k, i in enumerate(order):
            if delays and delays[k]:
                time.sleep(delays[k])
            self.nodes[i].launch()
            self.nodes[i].wait_live()
        if wait:
            self.wait_ready(order, timeout)
        return self

    def wait_ready(self, nodes=None, timeout=60.0):
        """Every listed node answers /minio/health/ready 200 (bounded)."""
        nodes = [self.nodes[i] for i in (range(self.n) if nodes is None else nodes)]
        deadline = time.monotonic() + timeout
        status = {}
        while time.monotonic() < deadline:
            for n in nodes:
                if not n.alive():
                    raise RuntimeError("%s exited with %s while waiting for ready:\n%s"
                                       % (n.name, n.proc.returncode, self.logs()))
                status[n.name] = n.ready_status()
            if all(s == 200 for s in status.values()):
                return self
            time.sleep(0.2)
        raise RuntimeError("cluster not ready within %.0f s (ready: %r):\n%s"
                           % (timeout, status, self.logs()))

    def stop_all(self, timeout=15.0):
        """SIGTERM every running node (all at once), wait; returns names that
        needed SIGKILL."""
        for n in self.nodes:
            if n.alive():
                n.proc.send_signal(signal.SIGTERM)
        slow = []
        deadline = time.monotonic() + timeout
        for n in self.nodes:
            if n.proc is None:
                continue
            left = max(0.1, deadline - time.monotonic())
            if n.wait_exit(left) is None:
                slow.append(n.name)
            n.kill9()
        return slow

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop_all()

    # ---- access ------------------------------------------------------------

    def client(self, i, **cfg):
        key = (i, tuple(sorted(cfg.items())))
        if key not in self._clients:
            self._clients[key] = self.nodes[i].client(**cfg)
        return self._clients[key]

    def clients(self, **cfg):
        return [self.client(i, **cfg) for i in range(self.n)]

    def live_nodes(self):
        return [n for n in self.nodes if n.alive()]

    def assert_nodes_use_own_drives(self):
        """Every running node has open only files under its own directory."""
        bad = {n.name: n.foreign_open_files()[:5] for n in self.nodes}
        bad = {k: v for k, v in bad.items() if v}
        assert not bad, ("nodes have other nodes' drives open (a node must reach "
                         "them through their node, not the file system): %r" % bad)

    def logs(self, n=2500):
        parts = []
        for node in self.nodes:
            parts.append("---- %s (:%d, %s) ----\n%s"
                         % (node.name, node.port, "alive" if node.alive() else
                            "exit %s" % (node.proc.returncode if node.proc else "-"),
                            node.error_lines()[-n:]))
        return "\n".join(parts)


# ---- the internal RPC ------------------------------------------------------

RPC_PREFIX = "/cairn-internal/v1/"


def rpc_request(hostport, method, path, headers=None, body=None, timeout=10.0):
    """A plain request to the internal RPC prefix: (status, headers, body)."""
    h = {"Host": hostport, "Connection": "close"}
    h.update(headers or {})
    if body is not None:
        h.setdefault("Content-Length", str(len(body)))
    return http_status(hostport, path, method, h, body, timeout)


# The signing scheme as cluster/rpc.h documents it, so the tests can make
# requests that are right in every respect but one (stale date, another
# node, another key, another body) -- and one fully right request to a
# harmless call, to prove the scheme here still matches the server's:
#   X-Cairn-Date: <unix seconds>
#   X-Cairn-Signature: hex HMAC-SHA256(key, "cairn-rpc-v1\nHOST:PORT\nOP\n
#                      QUERY\nDATE\nLENGTH\nCRC32C-OF-BODY")
#   key = HMAC-SHA256("cluster-secret:" + secret, "cairn internal rpc key v1")
#         (or "root:" + user + ":" + password without a cluster secret)
# CRC32C as isa-l's crc32_iscsi(buf, len, 0xffffffff): reflected, no final xor.

def _crc32c_table():
    t = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        t.append(c)
    return t


_CRC32C = _crc32c_table()


def crc32c_isal(data, crc=0xFFFFFFFF):
    for b in data:
        crc = (crc >> 8) ^ _CRC32C[(crc ^ b) & 0xFF]
    return crc


def rpc_key(secret=None, root=(AK, SK)):
    material = ("cluster-secret:%s" % secret) if secret else ("root:%s:%s" % root)
    return hmac.new(material.encode(), b"cairn internal rpc key v1", hashlib.sha256).digest()


def rpc_sign(key, dest, op, query, date, body=b""):
    text = "cairn-rpc-v1\n%s\n%s\n%s\n%s\n%d\n%08x" % (dest, op, query, date, len(body),
                                                       crc32c_isal(body))
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def rpc_signed_headers(key, dest, op, query, date=None, body=b""):
    date = str(int(time.time()) if date is None else date)
    return {"X-Cairn-Date": date, "X-Cairn-Signature": rpc_sign(key, dest, op, query, date, body)}


def bogus_signature(secret, date, method, path, body=b""):
    """An HMAC-SHA256 hex signature over a plausible string with a key the
    cluster does not use (never the real one)."""
    msg = "\n".join([method, path, str(date), hashlib.sha256(body or b"").hexdigest()])
    return hmac.new(("not-" + (secret or "the-secret")).encode(), msg.encode(),
                    hashlib.sha256).hexdigest()


def sha256(b):
    return hashlib.sha256(b).hexdigest()


def md5_etag(b):
    return '"%s"' % hashlib.md5(b).hexdigest()
