"""Operators' view of a deployment on several drives (erasure coded):
probes, metrics and admin info follow the drives' state and the quorums;
the admin API starts a heal pass and reports on it."""

import os
import shutil
import time

import pytest

import s3util
from opsutil import cli, cli_json, http_get, metric, parse_metrics, scrape, token, wait_for


@pytest.fixture
def four(make_server, tmp_path):
    base = tmp_path / "drives"
    base.mkdir()
    srv = make_server(datadir=str(base / "d{1...4}"),
                      env_extra={"MINIO_PROMETHEUS_AUTH_TYPE": "public"})
    srv.drives = [str(base / ("d%d" % i)) for i in range(1, 5)]
    return srv


def _probe(srv, path):
    return http_get(srv.endpoint + path)


def test_four_drives_layout_and_quorum(four):
    j = cli_json(four, "info")
    be = j["backend"]
    assert be["drives"] == 4 and be["sets"] == 1 and be["setSize"] == 4
    assert be["standardSCParity"] == 2
    wq, rq = be["writeQuorum"], be["readQuorum"]
    assert rq == 2 and wq in (2, 3), be
    drives = j["servers"][0]["drives"]
    assert sorted(d["path"] for d in drives) == four.drives
    assert all(d["state"] == "ok" for d in drives)
    st, hdrs, _ = _probe(four, "/minio/health/cluster")
    assert st == 200 and hdrs["x-minio-write-quorum"] == str(wq)
    m = parse_metrics(scrape(four)[2].decode())
    assert metric(m, "minio_cluster_drive_online_total") == 4
    assert metric(m, "minio_cluster_write_quorum") == wq
    for d in four.drives:
        assert metric(m, "minio_node_drive_total_bytes", drive=d) > 0


def test_losing_drives_shows_in_probes_metrics_and_info(four):
    c = s3util.make_client(four.endpoint)
    c.create_bucket(Bucket="drives")
    c.put_object(Bucket="drives", Key="k", Body=b"d" * 300000)
    wq = cli_json(four, "info")["backend"]["writeQuorum"]
    # take drives away until the write quorum is lost (4 - lost < wq)
    lost = 4 - wq + 1
    for d in four.drives[-lost:]:
        shutil.rmtree(d)

    def offline():
        m = parse_metrics(scrape(four)[2].decode())
        return m if metric(m, "minio_cluster_drive_offline_total") == lost else None
    m = wait_for(offline, 10, 0.2)
    assert m, scrape(four)[2].decode()
    assert metric(m, "minio_cluster_drive_online_total") == 4 - lost
    assert metric(m, "minio_cluster_health_status") == 0
    assert _probe(four, "/minio/health/cluster")[0] == 503
    # reads need only the read quorum (2)
    want_read = 200 if 4 - lost >= 2 else 503
    assert _probe(four, "/minio/health/cluster/read")[0] == want_read
    assert _probe(four, "/minio/health/live")[0] == 200
    states = sorted(d["state"] for d in cli_json(four, "info")["servers"][0]["drives"])
    assert states.count("offline") == lost, states


def test_heal_start_and_status(four):
    c = s3util.make_client(four.endpoint)
    c.create_bucket(Bucket="heal")
    for i in range(5):
        c.put_object(Bucket="heal", Key="h%d" % i, Body=bytes([i]) * 200000)
    before = cli_json(four, "heal", "status")
    assert set(before) >= {"running", "passes", "objectsScanned", "objectsHealed", "queued"}
    j = cli_json(four, "heal", "start", "--deep")
    assert "passes" in j
    done = wait_for(lambda: (lambda s: s if s["passes"] > before["passes"] and not s["running"] else None)(
        cli_json(four, "heal", "status")), 20, 0.2)
    assert done, cli_json(four, "heal", "status")
    assert done["objectsScanned"] >= 5 and done["objectsFailed"] == 0
    r = cli(four, "heal", "status")
    assert r.returncode == 0 and "objects scanned" in r.stdout
    m = parse_metrics(scrape(four)[2].decode())
    assert metric(m, "minio_heal_objects_total") >= 5
    assert metric(m, "cairn_heal_passes_total") >= done["passes"]   # background passes go on
