"""Admin API (/minio/admin/v3/, SigV4 by the root credentials) and the
`cairn admin` CLI that drives it: info, usage, config get/set, prometheus
token, service stop/restart; bad input gets JSON errors, never a crash."""

import json
import os
import time

import pytest

import s3util
from opsutil import admin_raw, cli, cli_json, http_get, scrape, wait_for


def _err(resp, status, code):
    assert resp.status == status, resp
    j = json.loads(resp.body)
    assert j["Code"] == code, j
    assert j["RequestId"] == resp.headers["x-amz-request-id"]
    return j


def test_info_json_and_human(server):
    j = cli_json(server, "info")
    assert j["mode"] == "online" and j["region"] == "us-east-1"
    assert j["version"] and j["uptimeSeconds"] >= 0
    be = j["backend"]
    assert be == {"drives": 1, "sets": 1, "setSize": 1, "standardSCParity": 0, "writeQuorum": 1, "readQuorum": 1}
    (node,) = j["servers"]
    assert node["state"] == "online" and node["endpoint"] == server.hostport
    (drive,) = node["drives"]
    assert drive["path"] == server.datadir and drive["state"] == "ok"
    st = os.statvfs(server.datadir)
    assert drive["totalBytes"] == st.f_blocks * st.f_frsize
    assert j["drivesOnline"] == {"online": 1, "offline": 0}
    r = cli(server, "info")
    assert r.returncode == 0, r.stderr
    assert "write quorum 1" in r.stdout and server.datadir in r.stdout, r.stdout


def test_usage(make_server):
    srv = make_server(env_extra={"CAIRN_USAGE_SCAN_INTERVAL": "1"})
    c = s3util.make_client(srv.endpoint)
    c.create_bucket(Bucket="adm-usage")
    for i in range(3):
        c.put_object(Bucket="adm-usage", Key="u%d" % i, Body=b"q" * 100)
    j = wait_for(lambda: (lambda j: j if j["bucketsUsageInfo"].get("adm-usage", {}).get("objectsCount") == 3 else None)(
        cli_json(srv, "usage")), 10, 0.2)
    assert j, cli_json(srv, "usage")
    assert j["bucketsUsageInfo"]["adm-usage"] == {"size": 300, "objectsCount": 3}
    assert j["bucketsCount"] == 1 and j["objectsTotalSize"] == 300 and j["lastUpdate"].endswith("Z")
    r = cli(srv, "usage")
    assert r.returncode == 0 and "adm-usage" in r.stdout and "3 objects" in r.stdout, r.stdout


def test_config_get_and_set(make_server):
    srv = make_server()
    j = cli_json(srv, "config", "get")
    assert j["runtime"] == {"accessLog": True, "prometheusAuthType": "jwt"}
    assert j["readOnly"]["staleUploadsExpirySeconds"] == 86400
    # metrics auth can be opened and closed at runtime
    assert scrape(srv)[0] == 401
    j = cli_json(srv, "config", "set", "prometheusAuthType=public", "accessLog=off")
    assert j["runtime"] == {"accessLog": False, "prometheusAuthType": "public"}
    assert scrape(srv)[0] == 200
    cli_json(srv, "config", "set", "prometheusAuthType=jwt")
    assert scrape(srv)[0] == 401
    # unknown or read-only settings, bad values: refused, nothing changes
    for bad in (["region=eu-west-1"], ["accessLog=maybe"], ["prometheusAuthType=open"],
                ["accessLog=on", "nosuch=1"]):
        r = cli(srv, "config", "set", *bad)
        assert r.returncode == 1 and "InvalidArgument" in r.stderr, (bad, r.stdout, r.stderr)
    assert cli_json(srv, "config", "get")["runtime"] == {"accessLog": False, "prometheusAuthType": "jwt"}
    r = cli(srv, "config", "get")
    assert "accessLog=off" in r.stdout and "region=us-east-1" in r.stdout, r.stdout


def test_prometheus_token_cli(server):
    r = cli(server, "prometheus", "token")
    assert r.returncode == 0, r.stderr
    assert "bearer_token:" in r.stdout and server.hostport in r.stdout
    tok = r.stdout.split("bearer_token:")[1].split()[0]
    assert scrape(server, tok=tok)[0] == 200
    j = cli_json(server, "prometheus", "token", "--ttl", "60")
    assert abs(j["expiresAt"] - time.time() - 60) < 10
    assert cli(server, "prometheus", "token", "--ttl", "0").returncode == 2
    resp = admin_raw(server, "GET", "prometheus/token", "ttl=abc")
    _err(resp, 400, "InvalidArgument")


def test_admin_needs_root_signature(server):
    _err(admin_raw(server, "GET", "info", signed=False), 403, "AccessDenied")
    _err(admin_raw(server, "GET", "info", sk="wrong-secret-0123456789"), 403, "SignatureDoesNotMatch")
    r = cli(server, "info", creds=(s3util.AK, "wrong-secret-0123456789"))
    assert r.returncode == 1 and "403" in r.stderr, r.stderr
    r = cli(server, "info", creds=("someone-else", s3util.SK))
    assert r.returncode == 1 and "InvalidAccessKeyId" in r.stderr, r.stderr
    # a body that does not match the signed hash
    resp = s3util.raw_request(server.hostport, "PUT", "/minio/admin/v3/config", body=b'{"accessLog":true}',
                              content_sha=s3util.EMPTY_SHA256)
    _err(resp, 400, "XAmzContentSHA256Mismatch")
    # the token of the metrics endpoint is no admin credential
    tok = cli_json(server, "prometheus", "token")["token"]
    st, _, body = http_get(server.endpoint + "/minio/admin/v3/info", {"Authorization": "Bearer " + tok})
    assert st in (400, 403), (st, body)


def test_bad_input_gets_json_errors(server):
    _err(admin_raw(server, "GET", "nosuch"), 404, "NotImplemented")
    _err(admin_raw(server, "DELETE", "info"), 405, "MethodNotAllowed")
    _err(admin_raw(server, "POST", "service", "action=explode"), 400, "InvalidArgument")
    _err(admin_raw(server, "POST", "service"), 400, "InvalidArgument")
    _err(admin_raw(server, "PUT", "config", body=b"not json"), 400, "InvalidRequest")
    _err(admin_raw(server, "PUT", "config", body=b"[1,2]"), 400, "InvalidRequest")
    _err(admin_raw(server, "PUT", "config", body=b'{"accessLog":true,"accessLog":false}'), 400, "InvalidRequest")
    _err(admin_raw(server, "PUT", "config", body=b"{" * 70000), 413, "EntityTooLarge")
    _err(admin_raw(server, "POST", "heal/bucket"), 501, "NotImplemented")
    _err(admin_raw(server, "GET", "heal"), 405, "MethodNotAllowed")
    _err(admin_raw(server, "POST", "heal/", "deep=maybe"), 400, "InvalidArgument")
    assert http_get(server.endpoint + "/minio/health/live")[0] == 200


def test_cli_usage_errors(server):
    assert cli(server).returncode == 2
    assert cli(server, "frobnicate").returncode == 2
    assert cli(server, "service").returncode == 2
    assert cli(server, "config", "set").returncode == 2
    assert cli(server, "config", "set", "novalue").returncode == 2
    r = cli(server, "--help")
    assert r.returncode == 0 and "prometheus token" in r.stdout
    env = s3util.clean_env()
    import subprocess
    r = subprocess.run([s3util.cairn_bin(), "admin", "--endpoint", server.endpoint, "info"],
                       capture_output=True, text=True, timeout=30, env=env)
    assert r.returncode == 2 and "credentials" in r.stderr
    r = cli(server, "info", env_extra={})
    assert r.returncode == 0
    # nobody listening
    port = s3util.free_port()
    r = subprocess.run([s3util.cairn_bin(), "admin", "--endpoint", "http://127.0.0.1:%d" % port, "info"],
                       capture_output=True, text=True, timeout=30,
                       env=s3util.clean_env({"CAIRN_ROOT_USER": "x" * 8, "CAIRN_ROOT_PASSWORD": "y" * 16}))
    assert r.returncode == 1 and "connect" in r.stderr


def test_service_stop(make_server):
    srv = make_server()
    c = s3util.make_client(srv.endpoint)
    c.create_bucket(Bucket="adm-stop")
    r = cli(srv, "service", "stop")
    assert r.returncode == 0 and "stop" in r.stdout, (r.stdout, r.stderr)
    srv.proc.wait(10)
    assert srv.proc.returncode == 0, srv.output()
    assert "admin API: stop" in srv.output()


def test_service_restart(make_server):
    srv = make_server()
    c = s3util.make_client(srv.endpoint)
    c.create_bucket(Bucket="adm-restart")
    c.put_object(Bucket="adm-restart", Key="k", Body=b"kept")
    pid = srv.proc.pid
    started = cli_json(srv, "info")["startTime"]
    time.sleep(1.1)   # startTime has a resolution of one second
    j = cli_json(srv, "service", "restart")
    assert j == {"action": "restart", "status": "accepted"}

    def restarted():
        try:
            return cli_json(srv, "info")["startTime"] > started
        except AssertionError:
            return False
    assert wait_for(restarted, 15, 0.2), srv.output()
    assert srv.proc.pid == pid and srv.alive()          # the same process, re-executed
    assert srv.output().count("restarting") == 1
    c2 = s3util.make_client(srv.endpoint)
    assert c2.get_object(Bucket="adm-restart", Key="k")["Body"].read() == b"kept"
    ok, _ = srv.stop(10)
    assert ok and srv.proc.returncode == 0
