"""Keep-alive after backpressure: a large upload makes the server pause
reading the socket while storage catches up; the pause must end with that
request, so the next request on the same connection is answered.  And
large plain bodies, read straight into the store's buffer, still end where
their Content-Length says."""

import hashlib
import os
import random
import time

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


# Large plain bodies are read from the socket straight into the store's
# block buffer; the HTTP parser only sees the last byte.  Whatever follows
# the body on the connection must still be parsed as the next request.
@pytest.mark.parametrize("size", [1024 * 1024 + 1, 3 * 1024 * 1024 + 17])
def test_request_pipelined_behind_large_upload(server, bucket, size):
    body = os.urandom(size)
    path = "/%s/piped" % bucket
    h, _, _ = sign("PUT", server.hostport, path, "", {"Content-Length": str(len(body))}, "UNSIGNED-PAYLOAD")
    g, _, _ = sign("GET", server.hostport, path, "", {})
    s = connect(server.hostport, 60)
    try:
        f = s.makefile("rb")
        s.sendall(build_request("PUT", path, "", h, body) + build_request("GET", path, "", g, b""))
        r = read_response(f, "PUT")
        assert r.status == 200, r
        assert r.headers["etag"] == '"%s"' % hashlib.md5(body).hexdigest()
        r = read_response(f, "GET")
        assert r.status == 200 and r.body == body, (r.status, len(r.body or b""))
    finally:
        s.close()


def test_upload_in_uneven_pieces(server, bucket):
    """Reads land at every offset of a block: pieces of 1 byte to 300 KiB."""
    rng = random.Random(7)
    body = os.urandom(5 * 1024 * 1024 + 333)
    path = "/%s/pieces" % bucket
    h, _, _ = sign("PUT", server.hostport, path, "", {"Content-Length": str(len(body))},
                   hashlib.sha256(body).hexdigest())
    s = connect(server.hostport, 60)
    try:
        f = s.makefile("rb")
        s.sendall(build_request("PUT", path, "", h, b""))
        off = 0
        for i in range(10000):              # bounded: ~40 pieces on average
            if off >= len(body):
                break
            n = rng.choice([1, 7, 4096, 65537, 300 * 1024, 1024 * 1024 - 3])
            s.sendall(body[off:off + n])
            off += n
            if i % 8 == 0:
                time.sleep(0.005)
        r = read_response(f, "PUT")
        assert r.status == 200, r
        assert r.headers["etag"] == '"%s"' % hashlib.md5(body).hexdigest()
        g, _, _ = sign("GET", server.hostport, path, "", {})
        s.sendall(build_request("GET", path, "", g, b""))
        r = read_response(f, "GET")
        assert r.status == 200 and r.body == body
    finally:
        s.close()


def test_large_upload_cut_keeps_old_object(server, s3, bucket):
    s3.put_object(Bucket=bucket, Key="cut", Body=b"the old object")
    path = "/%s/cut" % bucket
    size = 8 * 1024 * 1024
    h, _, _ = sign("PUT", server.hostport, path, "", {"Content-Length": str(size)}, "UNSIGNED-PAYLOAD")
    s = connect(server.hostport, 60)
    try:
        s.sendall(build_request("PUT", path, "", h, os.urandom(3 * 1024 * 1024 + 5)))
        time.sleep(0.2)
    finally:
        s.close()
    deadline = time.time() + 2
    while time.time() < deadline:
        assert s3.get_object(Bucket=bucket, Key="cut")["Body"].read() == b"the old object"
        time.sleep(0.2)
