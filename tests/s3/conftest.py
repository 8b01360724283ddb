"""Fixtures for the cairn real-client suite.

- `server`: one cairn per pytest session, bound to 127.0.0.1 on a free port,
  data directory nested a few levels below a private tmp root (so tests can
  check that nothing escapes it). After every test we check it is still
  alive: a crash fails the test that caused it, and the server is restarted
  on the same data directory so later tests still run.
- `s3`: a boto3 client (Debian's boto3, path-style, SigV4, no retries).
- `bucket`: a fresh bucket per test, emptied and deleted afterwards.
- `make_server`: short-lived extra servers (restart, crash, idle tests),
  always stopped at the end of the test.
"""

import os
import re
import tempfile
import uuid

import pytest

import s3util
from s3util import CairnServer, make_client


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: takes more than a few seconds")


@pytest.fixture(scope="session")
def tmp_root():
    root = tempfile.mkdtemp(prefix="cairn-s3-")
    yield root
    s3util.rmtree(root)


@pytest.fixture(scope="session")
def _session_server(tmp_root):
    # datadir nested 4 levels deep in a private root: keys like ../../x that
    # escaped it would land in the root, which tests walk.
    jail = os.path.join(tmp_root, "jail")
    datadir = os.path.join(jail, "l1", "l2", "l3", "data")
    os.makedirs(datadir)
    srv = CairnServer(datadir, log_path=os.path.join(tmp_root, "server.log"))
    srv.jail = jail
    try:
        srv.start()
    except RuntimeError as e:
        pytest.fail(str(e), pytrace=False)
    yield srv
    alive = srv.alive()
    ok, secs = srv.stop(10)
    assert alive, "session server was dead at the end:\n" + srv.log_tail()
    assert ok, "session server did not exit within 10 s of SIGTERM"


@pytest.fixture
def server(_session_server):
    return _session_server


@pytest.fixture(autouse=True)
def _server_survives(request):
    del s3util.MISSING_REQUEST_ID[:]
    yield
    missing = list(s3util.MISSING_REQUEST_ID)
    del s3util.MISSING_REQUEST_ID[:]
    assert not missing, "responses without x-amz-request-id: %r" % missing[:10]
    if "_session_server" not in request.fixturenames:
        return
    srv = request.getfixturevalue("_session_server")
    if srv.alive():
        return
    tail = srv.log_tail()
    code = srv.proc.returncode
    srv.kill9()
    srv.start()  # on the same data directory and port
    pytest.fail("cairn died during this test (exit %s); log tail:\n%s" % (code, tail),
                pytrace=False)


@pytest.fixture(scope="session")
def s3(_session_server):
    return make_client(_session_server.endpoint)


def _cleanup_bucket(client, name):
    """Best effort: every version and delete marker, then the bucket (a
    bucket holding locked versions stays, as it would on S3)."""
    try:
        for _ in range(100):
            r = client.list_object_versions(Bucket=name, MaxKeys=1000)
            keys = [{"Key": o["Key"], "VersionId": o["VersionId"]}
                    for o in r.get("Versions", []) + r.get("DeleteMarkers", [])]
            if not keys:
                break
            client.delete_objects(Bucket=name, Delete={"Objects": keys, "Quiet": True})
            if not r.get("IsTruncated"):
                break
        client.delete_bucket(Bucket=name)
    except Exception:
        pass


def unique_bucket_name(hint="b"):
    hint = re.sub(r"[^a-z0-9-]", "-", hint.lower()).strip("-")[:30].strip("-") or "b"
    return "t-%s-%s" % (hint, uuid.uuid4().hex[:10])


@pytest.fixture
def bucket(s3, request):
    name = unique_bucket_name(request.node.name.replace("test_", ""))
    s3.create_bucket(Bucket=name)
    yield name
    _cleanup_bucket(s3, name)


@pytest.fixture
def make_bucket(s3):
    made = []

    def _make(hint="b"):
        name = unique_bucket_name(hint)
        s3.create_bucket(Bucket=name)
        made.append(name)
        return name
    yield _make
    for n in made:
        _cleanup_bucket(s3, n)


@pytest.fixture
def make_server(tmp_path):
    """Factory for extra short-lived servers; all are stopped at the end."""
    servers = []

    def _make(datadir=None, start=True, **kw):
        if datadir is None:
            datadir = str(tmp_path / ("data%d" % len(servers)))
        kw.setdefault("log_path", str(tmp_path / ("server%d.log" % len(servers))))
        srv = CairnServer(datadir, **kw)
        servers.append(srv)
        if start:
            srv.start()
        return srv
    yield _make
    for srv in servers:
        if srv.alive():
            srv.stop(10)
        srv.kill9()


@pytest.fixture
def raw(server):
    """raw(method, path, query='', headers=None, body=b'', **kw) -> Resp,
    signed by default, sent on a fresh connection to the session server."""
    def _raw(method, path, query="", headers=None, body=b"", **kw):
        return s3util.raw_request(server.hostport, method, path, query, headers,
                                  body, **kw)
    return _raw
