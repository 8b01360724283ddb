"""Keep-alive after backpressure: a large upload makes the server pause
reading the socket while storage catches up; the pause must end with that
request, so the next request on the same connection is answered."""

import hashlib
import os

from s3util import build_request, connect, read_response, sign


import pytest


# Bodies that end just after a storage block boundary: the pause asked for
# at the boundary and the end of the body arrive in the same read.
@pytest.mark.parametrize("size", [2 * 1024 * 1024 + 100, 3 * 1024 * 1024 + 1, 6 * 1024 * 1024 + 5])
def test_request_after_paused_upload_on_same_connection(server, bucket, size):
    body = os.urandom(size)
    path = "/%s/big" % bucket
    s = connect(server.hostport, 60)
    try:
        f = s.makefile("rb")
        sha = hashlib.sha256(body).hexdigest()
        h, _, _ = sign("PUT", server.hostport, path, "", {"Content-Length": str(len(body))}, sha)
        s.sendall(build_request("PUT", path, "", h, body))
        r = read_response(f, "PUT")
        assert r.status == 200, r
        assert r.headers["etag"] == '"%s"' % hashlib.md5(body).hexdigest()
        # the same connection must still be read
        h, _, _ = sign("HEAD", server.hostport, path, "", {})
        s.sendall(build_request("HEAD", path, "", h, b""))
        s.settimeout(10)
        r = read_response(f, "HEAD")
        assert r is not None and r.status == 200, r
        assert int(r.headers["content-length"]) == len(body)
    finally:
        s.close()
