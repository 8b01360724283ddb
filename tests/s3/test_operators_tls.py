"""TLS on the S3 port: --certs-dir with MinIO's layout (public.crt,
private.key), a CA made here with openssl, real clients (boto3, awscli,
urllib with a presigned URL), TLS 1.2 and 1.3, large bodies both ways,
reload on SIGHUP, plain HTTP refused on the TLS port."""

import hashlib
import os
import signal
import socket
import ssl
import subprocess
import time
import urllib.request

import boto3
import pytest
from botocore.config import Config

import s3util
from opsutil import wait_for


def _openssl(*args, cwd):
    r = subprocess.run(["openssl"] + list(args), cwd=cwd, capture_output=True, timeout=60)
    assert r.returncode == 0, r.stderr.decode()


def make_ca(d):
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "2",
             "-subj", "/CN=cairn test CA", cwd=d)
    return os.path.join(d, "ca.crt")


def make_cert(d, certs, cn="127.0.0.1"):
    os.makedirs(certs, exist_ok=True)
    with open(os.path.join(d, "ext.cnf"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n"
                "keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n")
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", os.path.join(certs, "private.key"),
             "-out", "srv.csr", "-subj", "/CN=" + cn, cwd=d)
    _openssl("x509", "-req", "-in", "srv.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
             "-out", os.path.join(certs, "public.crt"), "-days", "2", "-extfile", "ext.cnf", cwd=d)


class TlsServer(s3util.CairnServer):
    @property
    def endpoint(self):
        return "https://127.0.0.1:%d" % self.port

    def start(self, timeout=10.0):
        # CairnServer.start polls http://.../live: poll over TLS instead
        binp = s3util.cairn_bin()
        os.makedirs(self.datadir, exist_ok=True)
        env = s3util.clean_env({"CAIRN_ROOT_USER": self.creds[0], "CAIRN_ROOT_PASSWORD": self.creds[1]})
        env.update(self.env_extra)
        self._log = open(self.log_path, "ab")
        self._log_start = self._log.tell()
        self.proc = subprocess.Popen([binp, "server", "--address", self.hostport] + self.args + [self.datadir],
                                     env=env, stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT)
        ctx = ssl.create_default_context(cafile=self.ca)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("cairn exited %s:\n%s" % (self.proc.returncode, self.log_tail()))
            try:
                with urllib.request.urlopen(self.endpoint + "/minio/health/live", timeout=1, context=ctx) as r:
                    if r.status == 200:
                        return self
            except Exception:
                time.sleep(0.05)
        raise RuntimeError("cairn (TLS) not ready:\n" + self.log_tail())


@pytest.fixture
def tls_server(tmp_path):
    d = str(tmp_path)
    ca = make_ca(d)
    certs = os.path.join(d, "certs")
    make_cert(d, certs)
    srv = TlsServer(os.path.join(d, "data"), args=["--certs-dir", certs], log_path=os.path.join(d, "server.log"))
    srv.ca, srv.certs, srv.dir = ca, certs, d
    srv.start()
    yield srv
    if srv.alive():
        srv.stop(10)
    srv.kill9()


def _client(srv):
    return boto3.session.Session().client(
        "s3", endpoint_url=srv.endpoint, aws_access_key_id=s3util.AK, aws_secret_access_key=s3util.SK,
        region_name="us-east-1", verify=srv.ca,
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"},
                      retries={"total_max_attempts": 1}))


def test_boto3_over_tls(tls_server):
    c = _client(tls_server)
    c.create_bucket(Bucket="tls")
    small = os.urandom(4096)
    c.put_object(Bucket="tls", Key="small", Body=small)
    assert c.get_object(Bucket="tls", Key="small")["Body"].read() == small
    # larger than the 64 KiB request buffer and the 512 KiB response blocks,
    # in one PUT and as a multipart upload
    big = os.urandom(3 * 1024 * 1024 + 12345)
    c.put_object(Bucket="tls", Key="big", Body=big)
    got = c.get_object(Bucket="tls", Key="big")["Body"].read()
    assert hashlib.sha256(got).digest() == hashlib.sha256(big).digest()
    part = os.urandom(5 * 1024 * 1024)
    up = c.create_multipart_upload(Bucket="tls", Key="mp")["UploadId"]
    e1 = c.upload_part(Bucket="tls", Key="mp", UploadId=up, PartNumber=1, Body=part)["ETag"]
    e2 = c.upload_part(Bucket="tls", Key="mp", UploadId=up, PartNumber=2, Body=b"tail")["ETag"]
    c.complete_multipart_upload(Bucket="tls", Key="mp", UploadId=up, MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": e2}]})
    r = c.get_object(Bucket="tls", Key="mp", Range="bytes=%d-" % (len(part) - 10))["Body"].read()
    assert r == part[-10:] + b"tail"
    names = [o["Key"] for o in c.list_objects_v2(Bucket="tls")["Contents"]]
    assert names == ["big", "mp", "small"]
    # presigned URL through urllib with the CA
    url = c.generate_presigned_url("get_object", Params={"Bucket": "tls", "Key": "small"}, ExpiresIn=60)
    assert url.startswith("https://")
    with urllib.request.urlopen(url, context=ssl.create_default_context(cafile=tls_server.ca), timeout=10) as resp:
        assert resp.read() == small


def test_awscli_over_tls(tls_server, tmp_path):
    env = s3util.clean_env({"AWS_ACCESS_KEY_ID": s3util.AK, "AWS_SECRET_ACCESS_KEY": s3util.SK,
                            "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": "/dev/null",
                            "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"})
    src = tmp_path / "f.bin"
    data = os.urandom(9 * 1024 * 1024 + 7)   # over awscli's 8 MiB multipart threshold
    src.write_bytes(data)
    base = ["/usr/bin/aws", "--ca-bundle", tls_server.ca, "--endpoint-url", tls_server.endpoint, "s3"]
    for cmd in (["mb", "s3://tls-cli"], ["cp", str(src), "s3://tls-cli/f.bin"],
                ["cp", "s3://tls-cli/f.bin", str(tmp_path / "back.bin")]):
        r = subprocess.run(base + cmd, capture_output=True, env=env, timeout=120)
        assert r.returncode == 0, (cmd, r.stdout, r.stderr)
    assert (tmp_path / "back.bin").read_bytes() == data
    # without the CA the certificate is not trusted
    r = subprocess.run(["/usr/bin/aws", "--endpoint-url", tls_server.endpoint, "s3", "ls"],
                       capture_output=True, env=env, timeout=60)
    assert r.returncode != 0 and b"SSL" in r.stderr + r.stdout, r


@pytest.mark.parametrize("version", ["TLSv1_2", "TLSv1_3"])
def test_tls_versions_and_keepalive(tls_server, version):
    ctx = ssl.create_default_context(cafile=tls_server.ca)
    v = getattr(ssl.TLSVersion, version)
    ctx.minimum_version = ctx.maximum_version = v
    raw = socket.create_connection(("127.0.0.1", tls_server.port), timeout=10)
    s = ctx.wrap_socket(raw, server_hostname="127.0.0.1")
    try:
        assert s.version() == version.replace("_", ".")
        assert s.selected_alpn_protocol() is None      # none offered: none chosen
        f = s.makefile("rb")
        # two requests on one connection, the second pipelined behind the first
        req = b"GET /minio/health/live HTTP/1.1\r\nHost: x\r\n\r\n"
        s.sendall(req + req)
        for _ in range(2):
            r = s3util.read_response(f)
            assert r.status == 200
    finally:
        s.close()


def test_tls_1_1_and_plain_http_refused(tls_server):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    try:
        ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.TLSv1_1
    except (ValueError, ssl.SSLError):
        pytest.skip("this Python cannot offer TLS 1.1")
    with pytest.raises((ssl.SSLError, ConnectionError)):
        with socket.create_connection(("127.0.0.1", tls_server.port), timeout=10) as raw:
            ctx.wrap_socket(raw).close()
    # plain HTTP to the TLS port: no HTTP answer
    with socket.create_connection(("127.0.0.1", tls_server.port), timeout=10) as p:
        p.sendall(b"GET /minio/health/live HTTP/1.1\r\nHost: x\r\n\r\n")
        data = b""
        try:
            while True:
                chunk = p.recv(4096)
                if not chunk:
                    break
                data += chunk
        except (ConnectionResetError, socket.timeout):
            pass
        assert not data.startswith(b"HTTP/1.1 200"), data
    assert tls_server.alive()


def _served_cert(srv):
    ctx = ssl.create_default_context(cafile=srv.ca)
    with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost") as s:
            return s.getpeercert(binary_form=True)


def test_sighup_reloads_certificates(tls_server):
    before = _served_cert(tls_server)
    c = _client(tls_server)
    c.create_bucket(Bucket="reload")
    # a broken key: SIGHUP keeps the certificate in use
    key = os.path.join(tls_server.certs, "private.key")
    good_key = open(key, "rb").read()
    with open(key, "wb") as f:
        f.write(b"not a key")
    tls_server.proc.send_signal(signal.SIGHUP)
    assert wait_for(lambda: "keeping the certificates in use" in tls_server.output(), 5), tls_server.output()
    assert _served_cert(tls_server) == before
    with open(key, "wb") as f:
        f.write(good_key)
    # a renewed certificate (new key, same CA): served after SIGHUP
    make_cert(tls_server.dir, tls_server.certs, cn="localhost")
    tls_server.proc.send_signal(signal.SIGHUP)
    assert wait_for(lambda: "certificates reloaded" in tls_server.output(), 5), tls_server.output()
    after = _served_cert(tls_server)
    assert after != before
    c2 = _client(tls_server)
    c2.put_object(Bucket="reload", Key="k", Body=b"after reload")
    assert c2.get_object(Bucket="reload", Key="k")["Body"].read() == b"after reload"


def test_no_certs_means_plain_http(make_server, tmp_path):
    empty = tmp_path / "nocerts"
    empty.mkdir()
    srv = make_server(args=["--certs-dir", str(empty)])
    s3util.make_client(srv.endpoint).list_buckets()
    assert "https://" not in srv.output()


def test_bad_certificate_refuses_to_start(tmp_path):
    d = str(tmp_path)
    make_ca(d)
    certs = os.path.join(d, "certs")
    make_cert(d, certs)
    with open(os.path.join(certs, "private.key"), "w") as f:
        f.write("garbage")
    env = s3util.clean_env({"CAIRN_ROOT_USER": s3util.AK, "CAIRN_ROOT_PASSWORD": s3util.SK})
    r = subprocess.run([s3util.cairn_bin(), "server", "--address", "127.0.0.1:%d" % s3util.free_port(),
                        "--certs-dir", certs, os.path.join(d, "data")], capture_output=True, env=env, timeout=20)
    assert r.returncode == 1 and b"TLS" in r.stderr, r


def test_admin_cli_over_tls(tls_server):
    env = s3util.clean_env({"CAIRN_ROOT_USER": s3util.AK, "CAIRN_ROOT_PASSWORD": s3util.SK})
    base = [s3util.cairn_bin(), "admin", "--endpoint", tls_server.endpoint]
    r = subprocess.run(base + ["--ca-bundle", tls_server.ca, "--json", "info"], capture_output=True, text=True,
                       env=env, timeout=30)
    assert r.returncode == 0, r.stderr
    assert '"writeQuorum"' in r.stdout
    r = subprocess.run(base + ["prometheus", "token"], capture_output=True, text=True, timeout=30,
                       env=dict(env, CAIRN_CA_BUNDLE=tls_server.ca))
    assert r.returncode == 0 and "scheme: https" in r.stdout, (r.stdout, r.stderr)
    tok = r.stdout.split("bearer_token:")[1].split()[0]
    req = urllib.request.Request(tls_server.endpoint + "/minio/v2/metrics/cluster",
                                 headers={"Authorization": "Bearer " + tok})
    with urllib.request.urlopen(req, context=ssl.create_default_context(cafile=tls_server.ca), timeout=10) as resp:
        assert b"minio_s3_requests_total" in resp.read()
    # the system's CAs do not include the test CA
    r = subprocess.run(base + ["info"], capture_output=True, text=True, env=env, timeout=30)
    assert r.returncode == 1 and "TLS handshake" in r.stderr, r.stderr


def test_alpn_picks_http11(tls_server):
    ctx = ssl.create_default_context(cafile=tls_server.ca)
    ctx.set_alpn_protocols(["h2", "http/1.1"])
    with socket.create_connection(("127.0.0.1", tls_server.port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as s:
            assert s.selected_alpn_protocol() == "http/1.1"
    ctx2 = ssl.create_default_context(cafile=tls_server.ca)
    ctx2.set_alpn_protocols(["h2"])
    with socket.create_connection(("127.0.0.1", tls_server.port), timeout=10) as raw:
        with ctx2.wrap_socket(raw, server_hostname="127.0.0.1") as s:
            assert s.selected_alpn_protocol() is None      # h2 only: no ALPN, HTTP/1.1 it is


def test_tls_connection_limit(make_server, tmp_path):
    d = str(tmp_path)
    ca = make_ca(d)
    certs = os.path.join(d, "certs")
    make_cert(d, certs)
    srv = TlsServer(os.path.join(d, "data"), args=["--certs-dir", certs], log_path=os.path.join(d, "s.log"),
                    env_extra={"CAIRN_MAX_CONNECTIONS": "2"})
    srv.ca = ca
    srv.start()
    try:
        time.sleep(0.3)     # the readiness probe's connection closes first
        ctx = ssl.create_default_context(cafile=ca)
        held = []
        for _ in range(2):
            raw = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
            held.append(ctx.wrap_socket(raw, server_hostname="127.0.0.1"))
        # the third is refused (closed), and the server goes on
        raw = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
        with pytest.raises((ssl.SSLError, ConnectionError, OSError)):
            ctx.wrap_socket(raw, server_hostname="127.0.0.1").sendall(b"GET / HTTP/1.1\r\n\r\n")
        raw.close()
        for h in held:
            h.close()

        def live():   # once the server has seen the held connections close
            try:
                with urllib.request.urlopen(srv.endpoint + "/minio/health/live", context=ctx, timeout=5) as r:
                    return r.status == 200
            except OSError:
                return False
        assert wait_for(live, 10, 0.1)
    finally:
        srv.stop(10)
        srv.kill9()
