"""Prometheus metrics: MinIO v2 names, bearer-token auth (cairn admin
prometheus token), public mode, promtool's format check on a real scrape,
and a real Prometheus scraping cairn and answering a query."""

import json
import os
import subprocess
import time
import urllib.parse

import pytest
from botocore.exceptions import ClientError

import s3util
from opsutil import (PROMETHEUS, PROMTOOL, http_get, metric, parse_metrics, scrape, token,
                     wait_for)

METRIC_PATHS = ["/minio/v2/metrics/cluster", "/minio/v2/metrics/node", "/metrics"]


def _traffic(c, bucket, n=3):
    for i in range(n):
        c.put_object(Bucket=bucket, Key="m/%d" % i, Body=b"x" * 1000)
    c.get_object(Bucket=bucket, Key="m/0")["Body"].read()
    with pytest.raises(ClientError):
        c.get_object(Bucket=bucket, Key="missing")


@pytest.fixture
def usage_server(make_server):
    return make_server(env_extra={"CAIRN_USAGE_SCAN_INTERVAL": "1"})


@pytest.mark.parametrize("path", METRIC_PATHS)
def test_metrics_need_a_token(server, path):
    st, hdrs, body = scrape(server, path)
    assert st == 401, (st, body)
    assert "bearer" in hdrs.get("www-authenticate", "").lower()
    st, _, body = scrape(server, path, tok="not.a.token")
    assert st == 403, (st, body)
    st, _, body = scrape(server, path, tok=token(server))
    assert st == 200, (st, body)


def test_token_of_another_secret_or_tampered_is_refused(server, make_server):
    other = make_server(creds=(s3util.AK, "another-secret-0123456789abcdef"))
    foreign = token(other)
    st, _, body = scrape(server, tok=foreign)
    assert st == 403 and b"signature" in body, body
    good = token(server)
    h, p, s = good.split(".")
    # claims changed (a longer expiry), signature kept
    claims = json.loads(_b64d(p))
    claims["exp"] += 1000
    forged = h + "." + _b64e(json.dumps(claims).encode()) + "." + s
    assert scrape(server, tok=forged)[0] == 403
    # signature cut short
    assert scrape(server, tok=good[:-2])[0] == 403


def test_expired_token_is_refused(server):
    t = token(server, ttl=1)
    assert scrape(server, tok=t)[0] == 200
    time.sleep(2.1)
    st, _, body = scrape(server, tok=t)
    assert st == 403 and b"expired" in body, body


def test_public_mode(make_server):
    srv = make_server(env_extra={"MINIO_PROMETHEUS_AUTH_TYPE": "public"})
    for p in METRIC_PATHS:
        st, hdrs, body = scrape(srv, p)
        assert st == 200, (p, st)
        assert hdrs["content-type"].startswith("text/plain"), hdrs
        assert b"minio_s3_requests_total" in body


def test_bad_auth_type_refuses_to_start(make_server):
    srv = make_server(env_extra={"MINIO_PROMETHEUS_AUTH_TYPE": "open"}, start=False)
    with pytest.raises(RuntimeError):
        srv.start(timeout=5)


def test_promtool_accepts_a_real_scrape(usage_server, tmp_path):
    c = s3util.make_client(usage_server.endpoint)
    c.create_bucket(Bucket="metrics-promtool")
    _traffic(c, "metrics-promtool")
    tok = token(usage_server)
    wait_for(lambda: metric(parse_metrics(scrape(usage_server, tok=tok)[2].decode()),
                            "minio_bucket_usage_object_total", bucket="metrics-promtool"), 10)
    for path in METRIC_PATHS:
        st, _, body = scrape(usage_server, path, tok=tok)
        assert st == 200
        r = subprocess.run([PROMTOOL, "check", "metrics"], input=body, capture_output=True, timeout=30)
        assert r.returncode == 0, "promtool on %s:\n%s%s" % (path, r.stdout.decode(), r.stderr.decode())


def test_counters_follow_traffic(usage_server):
    c = s3util.make_client(usage_server.endpoint)
    tok = token(usage_server)
    c.create_bucket(Bucket="metrics-count")
    before = parse_metrics(scrape(usage_server, tok=tok)[2].decode())
    _traffic(c, "metrics-count", n=3)
    m = parse_metrics(scrape(usage_server, tok=tok)[2].decode())

    def delta(name, **labels):
        return (metric(m, name, **labels) or 0) - (metric(before, name, **labels) or 0)

    assert delta("minio_s3_requests_total", api="putobject") == 3
    assert delta("minio_s3_requests_total", api="getobject") == 2
    assert delta("minio_s3_requests_errors_total", api="getobject") == 1
    assert delta("minio_s3_requests_4xx_errors_total", api="getobject") == 1
    assert delta("minio_s3_requests_5xx_errors_total", api="getobject") == 0
    assert delta("minio_s3_traffic_received_bytes") >= 3000
    assert delta("minio_s3_traffic_sent_bytes") >= 1000
    # histogram: every GetObject has a time to first byte
    assert delta("minio_s3_requests_ttfb_seconds_distribution_count", api="getobject") == 2
    assert delta("minio_s3_requests_ttfb_seconds_distribution_bucket", api="getobject", le="+Inf") == 2
    assert metric(m, "minio_s3_requests_inflight_total") == 0
    # the scrape itself is no S3 request
    assert metric(m, "minio_s3_requests_total", api="unknown") is None
    # auth failures
    bad = s3util.make_client(usage_server.endpoint, sk="wrong-secret-0123456789")
    with pytest.raises(ClientError):
        bad.list_buckets()
    m2 = parse_metrics(scrape(usage_server, tok=tok)[2].decode())
    assert metric(m2, "minio_s3_requests_rejected_auth_total", api="listbuckets") == 1


def test_drive_cluster_and_process_metrics(usage_server):
    tok = token(usage_server)
    m = parse_metrics(scrape(usage_server, tok=tok)[2].decode())
    drive = usage_server.datadir
    total = metric(m, "minio_node_drive_total_bytes", drive=drive)
    free = metric(m, "minio_node_drive_free_bytes", drive=drive)
    st = os.statvfs(drive)
    assert total == st.f_blocks * st.f_frsize
    assert 0 < free <= total
    assert metric(m, "minio_cluster_drive_online_total") == 1
    assert metric(m, "minio_cluster_drive_offline_total") == 0
    assert metric(m, "minio_cluster_nodes_online_total") == 1
    assert metric(m, "minio_cluster_write_quorum") == 1
    assert metric(m, "minio_cluster_health_status") == 1
    assert metric(m, "process_resident_memory_bytes") > 1 << 20
    assert metric(m, "process_open_fds") > 3
    assert abs(metric(m, "process_start_time_seconds") - time.time()) < 600
    assert metric(m, "process_cpu_seconds_total") >= 0
    # node view: drives and process, no cluster usage
    n = parse_metrics(scrape(usage_server, "/minio/v2/metrics/node", tok=tok)[2].decode())
    assert metric(n, "minio_node_drive_total_bytes", drive=drive) == total
    assert metric(n, "minio_cluster_health_status") is None


def test_bucket_usage_from_the_background_pass(usage_server):
    c = s3util.make_client(usage_server.endpoint)
    tok = token(usage_server)
    c.create_bucket(Bucket="usage-a")
    c.create_bucket(Bucket="usage-b")
    # more than one page of the scanner (1000 keys) in usage-a would take
    # long to upload here; 25 objects of known size are enough to check sums
    for i in range(25):
        c.put_object(Bucket="usage-a", Key="k%03d" % i, Body=b"y" * (i + 1))
    c.put_object(Bucket="usage-b", Key="one", Body=b"z" * 4096)
    want_a = sum(range(1, 26))

    def ready():
        m = parse_metrics(scrape(usage_server, tok=tok)[2].decode())
        if metric(m, "minio_bucket_usage_total_bytes", bucket="usage-a") == want_a and \
                metric(m, "minio_bucket_usage_total_bytes", bucket="usage-b") == 4096:
            return m
        return None
    m = wait_for(ready, 10, 0.2)
    assert m, "bucket usage did not reach the expected sums"
    assert metric(m, "minio_bucket_usage_object_total", bucket="usage-a") == 25
    assert metric(m, "minio_bucket_usage_object_total", bucket="usage-b") == 1
    assert metric(m, "minio_cluster_bucket_total") == 2
    assert metric(m, "minio_cluster_usage_object_total") == 26


def _b64d(s):
    import base64
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def _b64e(b):
    import base64
    return base64.urlsafe_b64encode(b).decode().rstrip("=")


def test_real_prometheus_scrapes_cairn(usage_server, tmp_path):
    assert os.path.exists(PROMETHEUS), "prometheus not installed (scripts/install-deps.sh --test)"
    c = s3util.make_client(usage_server.endpoint)
    c.create_bucket(Bucket="prom-real")
    for i in range(7):
        c.put_object(Bucket="prom-real", Key="p%d" % i, Body=b"p")
    tok = token(usage_server)
    port = s3util.free_port()
    cfg = tmp_path / "prometheus.yml"
    cfg.write_text(
        "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
        "scrape_configs:\n"
        "- job_name: cairn\n"
        "  metrics_path: /minio/v2/metrics/cluster\n"
        "  authorization:\n    type: Bearer\n    credentials: %s\n"
        "  static_configs:\n  - targets: ['%s']\n" % (tok, usage_server.hostport))
    log = open(tmp_path / "prometheus.log", "wb")
    proc = subprocess.Popen([PROMETHEUS, "--config.file=%s" % cfg, "--storage.tsdb.path=%s" % (tmp_path / "tsdb"),
                             "--web.listen-address=127.0.0.1:%d" % port, "--log.level=warn"],
                            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            env=s3util.clean_env())
    try:
        q = 'minio_s3_requests_total{job="cairn",api="putobject"}'
        url = "http://127.0.0.1:%d/api/v1/query?%s" % (port, urllib.parse.urlencode({"query": q}))

        def value():
            if proc.poll() is not None:
                raise AssertionError("prometheus exited %s" % proc.returncode)
            try:
                st, _, body = http_get(url, timeout=2)
            except OSError:
                return None
            if st != 200:
                return None
            res = json.loads(body)["data"]["result"]
            return float(res[0]["value"][1]) if res else None
        v = wait_for(value, 30, 0.25)
        assert v == 7, "Prometheus answered %r for %s" % (v, q)
        # and the target is healthy (the bearer token was accepted)
        st, _, body = http_get("http://127.0.0.1:%d/api/v1/targets" % port)
        targets = json.loads(body)["data"]["activeTargets"]
        assert targets and targets[0]["health"] == "up", targets
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        log.close()


def test_prometheus_without_token_sees_target_down(usage_server, tmp_path):
    """The self-check of the test above: with no token the target is down."""
    port = s3util.free_port()
    cfg = tmp_path / "prometheus.yml"
    cfg.write_text(
        "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
        "scrape_configs:\n- job_name: cairn\n  metrics_path: /minio/v2/metrics/cluster\n"
        "  static_configs:\n  - targets: ['%s']\n" % usage_server.hostport)
    proc = subprocess.Popen([PROMETHEUS, "--config.file=%s" % cfg, "--storage.tsdb.path=%s" % (tmp_path / "tsdb"),
                             "--web.listen-address=127.0.0.1:%d" % port, "--log.level=warn"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
                            env=s3util.clean_env())
    try:
        def target():
            try:
                st, _, body = http_get("http://127.0.0.1:%d/api/v1/targets" % port, timeout=2)
            except OSError:
                return None
            if st != 200:
                return None
            t = json.loads(body)["data"]["activeTargets"]
            return t[0] if t and t[0]["health"] != "unknown" else None
        t = wait_for(target, 30, 0.25)
        assert t and t["health"] == "down" and "401" in t["lastError"], t
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def test_bucket_usage_pages_through_a_large_bucket(usage_server):
    """More keys than one scanner page (1000): the pass continues after each
    page's last key and counts every object exactly once."""
    import concurrent.futures
    c = s3util.make_client(usage_server.endpoint, max_pool_connections=8)
    c.create_bucket(Bucket="usage-big")
    n = 2100

    def put(i):
        c.put_object(Bucket="usage-big", Key="k/%05d" % i, Body=b"b" * (i % 7))
    with concurrent.futures.ThreadPoolExecutor(8) as ex:
        list(ex.map(put, range(n)))
    want_bytes = sum(i % 7 for i in range(n))
    tok = token(usage_server)

    def ready():
        m = parse_metrics(scrape(usage_server, tok=tok)[2].decode())
        return m if metric(m, "minio_bucket_usage_object_total", bucket="usage-big") == n else None
    m = wait_for(ready, 20, 0.2)
    assert m, scrape(usage_server, tok=tok)[2].decode()[-2000:]
    assert metric(m, "minio_bucket_usage_total_bytes", bucket="usage-big") == want_bytes
