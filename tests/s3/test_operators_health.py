"""Health probes as MinIO answers them: /minio/health/live, ready, cluster
(write quorum, ?maintenance=true), cluster/read. No authentication."""

import pytest

from opsutil import http_get


@pytest.mark.parametrize("path", ["/minio/health/live", "/minio/health/ready",
                                  "/minio/health/cluster", "/minio/health/cluster/read"])
def test_probe_ok_without_auth(server, path):
    st, hdrs, body = http_get(server.endpoint + path)
    assert st == 200, (path, st, body)
    assert hdrs.get("x-amz-request-id")
    st, _, body = http_get(server.endpoint + path, method="HEAD")
    assert st == 200 and body == b""


def test_cluster_reports_write_quorum(server):
    st, hdrs, _ = http_get(server.endpoint + "/minio/health/cluster")
    assert st == 200
    # one drive, no parity: the quorum is that drive
    assert hdrs.get("x-minio-write-quorum") == "1", hdrs


def test_cluster_read_reports_read_quorum(server):
    st, hdrs, _ = http_get(server.endpoint + "/minio/health/cluster/read")
    assert st == 200 and hdrs.get("x-minio-read-quorum") == "1", hdrs


def test_maintenance_on_single_node_is_precondition_failed(server):
    # Taking the only node down loses the quorum: MinIO answers 412.
    st, hdrs, _ = http_get(server.endpoint + "/minio/health/cluster?maintenance=true")
    assert st == 412, st
    assert hdrs.get("x-minio-write-quorum") == "1"
    # maintenance=false is the plain check
    st, _, _ = http_get(server.endpoint + "/minio/health/cluster?maintenance=false")
    assert st == 200


def test_probe_method_and_unknown_path(server):
    st, _, _ = http_get(server.endpoint + "/minio/health/live", method="POST")
    assert st == 405
    st, _, _ = http_get(server.endpoint + "/minio/health/nope")
    assert st == 404
