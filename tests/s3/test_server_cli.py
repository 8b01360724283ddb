"""The cairn binary itself: --help, --version, health probes, and first-start
credential generation."""

import json
import os
import re
import stat
import subprocess
import urllib.request

import pytest
from botocore.exceptions import ClientError

import s3util
from s3util import make_client


def test_help_exits_zero():
    r = subprocess.run([s3util.cairn_bin(), "--help"], capture_output=True,
                       timeout=10, env=s3util.clean_env())
    assert r.returncode == 0, r
    out = (r.stdout + r.stderr).decode("utf-8", "replace")
    assert "server" in out, out


def test_version_exits_zero():
    r = subprocess.run([s3util.cairn_bin(), "--version"], capture_output=True,
                       timeout=10, env=s3util.clean_env())
    assert r.returncode == 0, r
    assert re.search(r"\d+\.\d+", (r.stdout + r.stderr).decode("utf-8", "replace")), r


@pytest.mark.parametrize("probe", ["/minio/health/live", "/minio/health/ready"])
def test_health_probes_answer_200_without_auth(server, probe):
    with urllib.request.urlopen(server.endpoint + probe, timeout=5) as r:
        assert r.status == 200


def test_every_response_has_request_id(server, raw, bucket):
    ok = raw("GET", "/" + bucket, "list-type=2")
    assert ok.status == 200
    assert ok.headers.get("x-amz-request-id"), ok
    err = raw("GET", "/" + bucket + "/nope")
    assert err.status == 404
    assert err.headers.get("x-amz-request-id"), err
    info = s3util.parse_error(err.body)
    assert info["Code"] == "NoSuchKey"
    assert info["RequestId"] == err.headers["x-amz-request-id"]


CRED_RE_AK = re.compile(r"AccessKey:\s*(\S+)")
CRED_RE_SK = re.compile(r"SecretKey:\s*(\S+)")


def _files_containing(root, needle):
    hits = []
    for d, _, files in os.walk(root):
        for f in files:
            p = os.path.join(d, f)
            try:
                if os.path.islink(p) or os.path.getsize(p) > 64 << 20:
                    continue
                with open(p, "rb") as fh:
                    if needle in fh.read():
                        hits.append(p)
            except OSError:
                pass
    return hits


def test_generated_credentials_first_start(make_server, tmp_path):
    datadir = str(tmp_path / "gen")
    srv = make_server(datadir=datadir, creds=None)
    out = srv.output()
    ak_m, sk_m = CRED_RE_AK.search(out), CRED_RE_SK.search(out)
    assert ak_m and sk_m, "no AccessKey:/SecretKey: lines printed:\n" + out
    ak, sk = ak_m.group(1), sk_m.group(1)
    assert len(sk) >= 16, "generated secret is weak: %r" % sk

    # they work
    c = make_client(srv.endpoint, ak, sk)
    c.create_bucket(Bucket="gen-creds")
    assert "gen-creds" in [b["Name"] for b in c.list_buckets()["Buckets"]]
    # and others do not: the server does not run open
    with pytest.raises(ClientError) as ei:
        make_client(srv.endpoint, "cairntestaccesskey", "wrong-secret-xx").list_buckets()
    assert s3util.client_error(ei.value)[0] == 403

    # stored in the data dir, readable by the owner only
    hits = _files_containing(datadir, sk.encode())
    assert hits, "secret not stored in the data directory"
    for p in hits:
        mode = stat.S_IMODE(os.stat(p).st_mode)
        assert mode & 0o077 == 0, "%s holds the secret with mode %o" % (p, mode)

    # second start: no secret printed, same keys work
    ok, _ = srv.stop(10)
    assert ok
    srv.start()
    out2 = srv.output()
    assert sk not in out2, "secret printed again on second start:\n" + out2
    c2 = make_client(srv.endpoint, ak, sk)
    assert "gen-creds" in [b["Name"] for b in c2.list_buckets()["Buckets"]]


def test_sigterm_exits_cleanly(make_server):
    srv = make_server()
    ok, secs = srv.stop(10)
    assert ok, "no exit within 10 s of SIGTERM"
    assert srv.proc.returncode == 0, "exit code %s after SIGTERM" % srv.proc.returncode


def test_json_error_log(make_server):
    """--json: every line the server writes is one JSON object a log
    collector can parse, messages with quotes and newlines included."""
    srv = make_server(args=["--json"])
    s3 = make_client(srv.endpoint)
    s3.create_bucket(Bucket="jsonlog")
    ok, _ = srv.stop(10)
    assert ok
    with open(srv.log_path, encoding="utf-8") as f:
        records = [json.loads(l) for l in f.read().splitlines() if l.strip()]
    # stdout (the access log) and stderr (the error log) share this file
    errlog = [r for r in records if set(r) == {"time", "level", "msg"}]
    access = [r for r in records if "api" in r or "request_id" in r]
    assert len(errlog) + len(access) == len(records)
    for rec in errlog:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", rec["time"]), rec
        assert rec["level"] in ("info", "warn", "error"), rec
    assert any(r["msg"].startswith("cairn ") and srv.endpoint in r["msg"] for r in errlog)
    assert any(r["msg"] == "stopped" for r in errlog)
    assert access


def test_configured_secret_never_logged(server, s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    s3.get_object(Bucket=bucket, Key="k")
    assert s3util.SK not in server.output(), "the root secret appears in the server log"
