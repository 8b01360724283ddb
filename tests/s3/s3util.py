"""Helpers for the cairn real-client suite: start/stop servers, sign and send
raw HTTP requests, parse S3 error XML.

Everything here talks only to 127.0.0.1. Every wait is bounded in time.
"""

import base64
import datetime
import hashlib
import hmac
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
import xml.etree.ElementTree as ET
from urllib.parse import quote

from botocore.auth import SigV4Auth, S3SigV4Auth, SIGV4_TIMESTAMP
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.config import Config
import boto3

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
REGION = "us-east-1"
AK = "cairntestaccesskey"
SK = "cairn-test-secret-key-0123456789abcdef"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
S3_NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"


def cairn_bin():
    return os.environ.get("CAIRN_BIN") or os.path.join(REPO, "build", "cairn")


def release_bin():
    """The optimised binary, for measurements a sanitizer would distort
    (resident memory): CAIRN_RELEASE_BIN, else build/cairn."""
    return os.environ.get("CAIRN_RELEASE_BIN") or os.path.join(REPO, "build", "cairn")


def vm_kib(pid, field):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def clean_env(extra=None):
    """The environment for child processes: nothing of the user's AWS,
    MinIO or cairn configuration leaks in."""
    env = {}
    for k, v in os.environ.items():
        if k.startswith(("AWS_", "MINIO_", "CAIRN_", "RCLONE_", "S3CMD")):
            continue
        if k in ("PYTHONPATH", "PYTHONHOME", "HTTP_PROXY", "HTTPS_PROXY",
                 "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
            continue
        env[k] = v
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    if extra:
        env.update(extra)
    return env


class ServerProcess:
    """Stopping a cairn process a test started: SIGTERM (SIGKILL after the
    timeout) or SIGKILL, and closing its log.  Subclasses set proc and _log."""

    stop_timeout = 10.0

    def stop(self, timeout=None):
        """SIGTERM and wait; returns (exited_in_time, seconds)."""
        if self.proc is None:
            return True, 0.0
        t0 = time.monotonic()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(self.stop_timeout if timeout is None else timeout)
            except subprocess.TimeoutExpired:
                self.kill9()
                return False, time.monotonic() - t0
        self._close_log()
        return True, time.monotonic() - t0

    def kill9(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                pass
        self._close_log()

    def _close_log(self):
        if self._log:
            self._log.close()
            self._log = None


class CairnServer(ServerProcess):
    """One cairn process bound to 127.0.0.1 on a free port."""

    def __init__(self, datadir, creds=(AK, SK), env_extra=None, args=(),
                 log_path=None, port=None, binary=None):
        self.binary = binary
        self.datadir = datadir
        self.creds = creds
        self.env_extra = dict(env_extra or {})
        self.args = list(args)
        self.port = port or free_port()
        # the web console listens too (default :9001 on every interface):
        # keep it on 127.0.0.1 and a free port like the S3 API
        self.console_port = None
        if "--console-address" not in self.args:
            self.console_port = free_port()
            self.args += ["--console-address", "127.0.0.1:%d" % self.console_port]
        self.log_path = log_path or (datadir.rstrip("/") + ".log")
        self.proc = None
        self._log = None

    @property
    def endpoint(self):
        return "http://127.0.0.1:%d" % self.port

    @property
    def hostport(self):
        return "127.0.0.1:%d" % self.port

    def start(self, timeout=10.0):
        binp = self.binary or cairn_bin()
        if not os.path.exists(binp):
            raise RuntimeError("cairn binary not found at %s (set CAIRN_BIN)" % binp)
        os.makedirs(self.datadir, exist_ok=True)
        extra = dict(self.env_extra)
        if self.creds:
            extra["CAIRN_ROOT_USER"] = self.creds[0]
            extra["CAIRN_ROOT_PASSWORD"] = self.creds[1]
        env = clean_env(extra)
        self._log = open(self.log_path, "ab")
        self._log_start = self._log.tell()
        cmd = [binp, "server", "--address", self.hostport] + self.args + [self.datadir]
        self.proc = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL,
                                     stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("cairn exited with %s during start:\n%s"
                                   % (self.proc.returncode, self.log_tail()))
            try:
                with urllib.request.urlopen(self.endpoint + "/minio/health/live",
                                            timeout=1) as r:
                    if r.status == 200:
                        return self
            except Exception as e:  # not up yet
                last = e
            time.sleep(0.05)
        self.kill9()
        raise RuntimeError("cairn not ready within %.0fs (%r):\n%s"
                           % (timeout, last, self.log_tail()))

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def output(self):
        """Everything this server instance printed since its last start."""
        try:
            with open(self.log_path, "rb") as f:
                f.seek(getattr(self, "_log_start", 0))
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def log_tail(self, n=4000):
        return self.output()[-n:]


# --------------------------------------------------------------------------
# SigV4 signing of hand-made requests (botocore's signer, S3 flavour: no path
# normalisation, and the X-Amz-Content-SHA256 value the caller chose).

class _RawS3Signer(S3SigV4Auth):
    def __init__(self, credentials, region, when=None):
        super().__init__(credentials, "s3", region)
        self._when = when

    def _modify_request_before_signing(self, request):
        # keep the caller's X-Amz-Content-SHA256 (S3SigV4Auth would replace it)
        SigV4Auth._modify_request_before_signing(self, request)

    def add_auth(self, request):
        when = self._when or datetime.datetime.utcnow()
        request.context["timestamp"] = when.strftime(SIGV4_TIMESTAMP)
        self._modify_request_before_signing(request)
        cr = self.canonical_request(request)
        sts = self.string_to_sign(request, cr)
        sig = self.signature(sts, request)
        self._inject_signature_to_request(request, sig)
        self.last_signature = sig
        self.last_timestamp = request.context["timestamp"]


def signing_key(sk, date8, region=REGION, service="s3"):
    def h(k, m):
        return hmac.new(k, m.encode(), hashlib.sha256).digest()
    return h(h(h(h(("AWS4" + sk).encode(), date8), region), service), "aws4_request")


def sign(method, hostport, path, query="", headers=None, content_sha=EMPTY_SHA256,
         ak=AK, sk=SK, when=None, region=REGION):
    """Return (headers, seed_signature, timestamp). `path` and `query` must be
    already URI-encoded exactly as they go on the wire."""
    hdrs = {"Host": hostport}
    hdrs.update(headers or {})
    hdrs["X-Amz-Content-SHA256"] = content_sha
    url = "http://%s%s" % (hostport, path) + ("?" + query if query else "")
    req = AWSRequest(method=method, url=url, headers=hdrs)
    signer = _RawS3Signer(Credentials(ak, sk), region, when)
    signer.add_auth(req)
    return dict(req.headers.items()), signer.last_signature, signer.last_timestamp


def obj_path(bucket, key=None):
    if key is None:
        return "/" + bucket
    return "/" + bucket + "/" + quote(key, safe="/~")


class Resp:
    def __init__(self, status, reason, headers, body):
        self.status = status
        self.reason = reason
        self.header_list = headers
        self.headers = {}
        for k, v in headers:
            k = k.lower()
            self.headers[k] = (self.headers[k] + "," + v) if k in self.headers else v
        self.body = body

    def __repr__(self):
        return "<Resp %s %r %r>" % (self.status, self.headers, self.body[:300])


def read_response(rfile, method="GET", timeout_ok=False):
    """Parse one HTTP/1.1 response from a buffered binary file. Returns Resp
    or None on EOF before a status line."""
    line = rfile.readline(65537)
    if not line:
        return None
    m = re.match(rb"HTTP/1\.[01] (\d{3})(?: (.*))?\r?\n$", line)
    if not m:
        raise AssertionError("bad status line %r" % line)
    status = int(m.group(1))
    reason = (m.group(2) or b"").decode("latin-1")
    headers = []
    while True:
        h = rfile.readline(65537)
        if not h:
            raise AssertionError("EOF inside response headers")
        if h in (b"\r\n", b"\n"):
            break
        k, _, v = h.decode("latin-1").partition(":")
        headers.append((k.strip(), v.strip()))
    resp = Resp(status, reason, headers, b"")
    if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
        return resp
    te = resp.headers.get("transfer-encoding", "").lower()
    if "chunked" in te:
        body = b""
        while True:
            sz = rfile.readline(1024)
            n = int(sz.split(b";")[0].strip(), 16)
            if n == 0:
                while rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                    pass
                break
            body += rfile.read(n)
            rfile.readline(16)
        resp.body = body
    elif "content-length" in resp.headers:
        n = int(resp.headers["content-length"])
        body = rfile.read(n)
        if len(body) != n:
            raise AssertionError("short body: %d of %d" % (len(body), n))
        resp.body = body
    else:
        resp.body = rfile.read()  # until close
    return resp


def connect(hostport, timeout=15):
    host, port = hostport.rsplit(":", 1)
    s = socket.create_connection((host, int(port)), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def build_request(method, path, query, headers, body=b""):
    target = path + ("?" + query if query else "")
    lines = ["%s %s HTTP/1.1" % (method, target)]
    has_len = any(k.lower() in ("content-length", "transfer-encoding") for k in headers)
    for k, v in headers.items():
        lines.append("%s: %s" % (k, v))
    if not has_len and (body or method in ("PUT", "POST")):
        lines.append("Content-Length: %d" % len(body))
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8") + body


def raw_request(hostport, method, path, query="", headers=None, body=b"",
                signed=True, content_sha=None, ak=AK, sk=SK, when=None,
                timeout=30):
    """Send one request on a fresh connection and return the Resp."""
    headers = dict(headers or {})
    if signed:
        if content_sha is None:
            content_sha = hashlib.sha256(body).hexdigest()
        headers, _, _ = sign(method, hostport, path, query, headers, content_sha,
                             ak=ak, sk=sk, when=when)
    else:
        headers.setdefault("Host", hostport)
    headers.setdefault("Connection", "close")
    s = connect(hostport, timeout)
    try:
        s.sendall(build_request(method, path, query, headers, body))
        return read_response(s.makefile("rb"), method)
    finally:
        s.close()


def parse_error(body):
    """Parse an S3 error body; assert it has Code, Message and RequestId."""
    assert body, "error response has no body"
    root = ET.fromstring(body)
    assert root.tag == "Error", "error root is %r: %r" % (root.tag, body[:300])
    fields = {c.tag: (c.text or "") for c in root}
    for f in ("Code", "Message", "RequestId"):
        assert f in fields, "error XML lacks <%s>: %r" % (f, body[:500])
    assert fields["Code"], body
    return fields


def assert_error(resp, status, codes):
    """resp: a Resp. codes: a str or a tuple of accepted codes."""
    if isinstance(codes, str):
        codes = (codes,)
    assert resp.status == status, "want %s %s, got %r" % (status, codes, resp)
    assert "x-amz-request-id" in resp.headers, resp
    err = parse_error(resp.body)
    assert err["Code"] in codes, "want %s, got %r" % (codes, err)
    return err


def client_error(exc_info_value):
    """(status, code) from a botocore ClientError."""
    r = exc_info_value.response
    return r["ResponseMetadata"]["HTTPStatusCode"], r["Error"]["Code"]


def md5hex(b):
    return hashlib.md5(b).hexdigest()


def b64md5(b):
    return base64.b64encode(hashlib.md5(b).digest()).decode()


def xml_find_all(body, tag):
    root = ET.fromstring(body)
    return [e for e in root.iter() if e.tag in (tag, S3_NS + tag)]


def xml_text(elem, tag):
    for c in elem:
        if c.tag in (tag, S3_NS + tag):
            return c.text or ""
    return None


def which_ok(path):
    return os.path.exists(path) and os.access(path, os.X_OK)


def rmtree(p):
    shutil.rmtree(p, ignore_errors=True)


# Responses seen by boto3 clients that lacked x-amz-request-id; the suite's
# autouse fixture fails the test during which one was seen.
MISSING_REQUEST_ID = []


def _check_request_id(event_name=None, response_dict=None, **kw):
    # response_dict is None when no HTTP response arrived (connection error)
    if response_dict is not None:
        hdrs = {k.lower() for k in response_dict.get("headers", {})}
        if "x-amz-request-id" not in hdrs:
            MISSING_REQUEST_ID.append("%s -> %s" % (event_name,
                                                     response_dict.get("status_code")))


def make_client(endpoint, ak=AK, sk=SK, **cfg):
    conf = dict(signature_version="s3v4", s3={"addressing_style": "path"},
                retries={"total_max_attempts": 1}, connect_timeout=5,
                read_timeout=20)
    conf.update(cfg)
    c = boto3.session.Session().client(
        "s3", endpoint_url=endpoint, aws_access_key_id=ak,
        aws_secret_access_key=sk, region_name="us-east-1",
        config=Config(**conf))
    c.meta.events.register("response-received.s3.*", _check_request_id)
    return c
