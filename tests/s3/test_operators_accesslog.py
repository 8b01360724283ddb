"""Access log: one JSON line per request (to --log-file / CAIRN_LOG_FILE or
stdout), --quiet, switched at runtime through the admin API; nothing secret
in it (no Authorization header, no signature or credential of a presigned
URL, no secret key)."""

import urllib.request

import pytest
from botocore.exceptions import ClientError

import s3util
from opsutil import cli, http_get, read_lines, wait_for

FIELDS = {"time", "requestId", "remote", "user", "api", "bucket", "key", "method", "path", "query",
          "status", "bytesIn", "bytesOut", "ttfbMs", "durationMs"}


@pytest.fixture
def logged(make_server, tmp_path):
    path = str(tmp_path / "access.log")
    srv = make_server(args=["--log-file", path])
    srv.access_log = path
    return srv


def _lines_for(path, pred, n=1, timeout=5):
    return wait_for(lambda: (lambda ls: ls if len(ls) >= n else None)([l for l in read_lines(path) if pred(l)]),
                    timeout) or []


def test_one_json_line_per_request(logged):
    c = s3util.make_client(logged.endpoint)
    c.create_bucket(Bucket="alog")
    c.put_object(Bucket="alog", Key="dir/k.txt", Body=b"0123456789")
    got = c.get_object(Bucket="alog", Key="dir/k.txt")
    rid = got["ResponseMetadata"]["HTTPHeaders"]["x-amz-request-id"]
    got["Body"].read()
    with pytest.raises(ClientError):
        c.head_object(Bucket="alog", Key="nope")
    lines = _lines_for(logged.access_log, lambda l: l.get("api") == "HeadObject")
    assert lines, read_lines(logged.access_log)
    all_lines = read_lines(logged.access_log)
    for l in all_lines:
        assert FIELDS <= set(l), l
    put = [l for l in all_lines if l["api"] == "PutObject"]
    get = [l for l in all_lines if l["api"] == "GetObject"]
    head = [l for l in all_lines if l["api"] == "HeadObject"]
    assert len(put) == 1 and len(get) == 1 and len(head) == 1, all_lines
    assert put[0]["bucket"] == "alog" and put[0]["key"] == "dir/k.txt"
    assert put[0]["bytesIn"] == 10 and put[0]["status"] == 200 and put[0]["method"] == "PUT"
    assert put[0]["user"] == s3util.AK and put[0]["remote"] == "127.0.0.1"
    assert get[0]["bytesOut"] == 10 and get[0]["requestId"] == rid
    assert get[0]["durationMs"] >= get[0]["ttfbMs"] >= 0
    assert head[0]["status"] == 404
    assert any(l["api"] == "CreateBucket" for l in all_lines)
    # probes and other non-S3 requests are logged too, without an API name
    http_get(logged.endpoint + "/minio/health/live")
    assert _lines_for(logged.access_log, lambda l: l["path"] == "/minio/health/live" and l["api"] is None)


def test_nothing_secret_is_logged(logged):
    c = s3util.make_client(logged.endpoint)
    c.create_bucket(Bucket="alog-secret")
    c.put_object(Bucket="alog-secret", Key="k", Body=b"v")
    url = c.generate_presigned_url("get_object", Params={"Bucket": "alog-secret", "Key": "k"}, ExpiresIn=300)
    sig = url.split("X-Amz-Signature=")[1].split("&")[0]
    with urllib.request.urlopen(url, timeout=10) as r:
        assert r.read() == b"v"
    # a header-signed request: its Authorization header must not show up
    resp = s3util.raw_request(logged.hostport, "GET", "/alog-secret/k")
    assert resp.status == 200
    lines = _lines_for(logged.access_log, lambda l: l.get("api") == "GetObject", n=2)
    assert len(lines) == 2, read_lines(logged.access_log)
    presigned = [l for l in lines if "X-Amz-Date" in l["query"]]
    assert presigned and "X-Amz-Expires=300" in presigned[0]["query"]
    with open(logged.access_log, "rb") as f:
        text = f.read().decode()
    everything = text + logged.output()
    assert sig not in everything, "presigned signature in the logs"
    assert "X-Amz-Signature" not in text and "X-Amz-Credential" not in text
    assert "Signature=" not in everything and "AWS4-HMAC-SHA256 Credential" not in everything
    assert s3util.SK not in everything


def test_redaction_keeps_other_parameters(logged):
    # a presigned-looking query with the secret parts and ordinary ones
    q = ("list-type=2&X-Amz-Credential=AKIDEXAMPLE%2F20250101%2Fus-east-1%2Fs3%2Faws4_request"
         "&prefix=a&x-amz-signature=deadbeef&X-Amz-Security-Token=tok123&Signature=sig2&AWSAccessKeyId=AKV2")
    s3util.raw_request(logged.hostport, "GET", "/alog-none", q, signed=False)
    lines = _lines_for(logged.access_log, lambda l: l.get("path") == "/alog-none")
    assert lines, read_lines(logged.access_log)
    assert lines[0]["query"] == "list-type=2&prefix=a", lines[0]
    with open(logged.access_log) as f:
        text = f.read()
    for secret in ("AKIDEXAMPLE", "deadbeef", "tok123", "sig2", "AKV2"):
        assert secret not in text


def test_quiet_and_runtime_switch(make_server, tmp_path):
    path = str(tmp_path / "q.log")
    srv = make_server(args=["--quiet"], env_extra={"CAIRN_LOG_FILE": path})
    c = s3util.make_client(srv.endpoint)
    c.list_buckets()
    assert not [l for l in read_lines(path) if l.get("api")], read_lines(path)
    r = cli(srv, "config", "set", "accessLog=on")
    assert r.returncode == 0, r.stderr
    c.list_buckets()
    assert _lines_for(path, lambda l: l.get("api") == "ListBuckets")
    r = cli(srv, "config", "set", "accessLog=off")
    assert r.returncode == 0, r.stderr
    n = len(read_lines(path))
    c.list_buckets()
    c.list_buckets()
    http_get(srv.endpoint + "/minio/health/live")
    # the admin request itself was the last line written while on
    assert len(read_lines(path)) == n


def test_stdout_by_default(make_server):
    srv = make_server()
    s3util.make_client(srv.endpoint).list_buckets()
    assert wait_for(lambda: '"api":"ListBuckets"' in srv.output(), 5), srv.output()


def test_sighup_reopens_the_log_file(logged):
    import os
    import signal
    c = s3util.make_client(logged.endpoint)
    c.list_buckets()
    assert _lines_for(logged.access_log, lambda l: l.get("api") == "ListBuckets")
    rotated = logged.access_log + ".1"
    os.rename(logged.access_log, rotated)          # what logrotate does
    logged.proc.send_signal(signal.SIGHUP)
    assert wait_for(lambda: "access log" in logged.output() and "reopened" in logged.output(), 5), logged.output()
    c.create_bucket(Bucket="after-rotate")
    assert _lines_for(logged.access_log, lambda l: l.get("bucket") == "after-rotate")
    assert not [l for l in read_lines(rotated) if l.get("bucket") == "after-rotate"]
    assert [l for l in read_lines(rotated) if l.get("api") == "ListBuckets"]
