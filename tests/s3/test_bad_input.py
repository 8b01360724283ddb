"""Malformed and unusual HTTP on raw sockets. After every bad request the
server must still answer a normal signed request."""

import hashlib
import socket
import time

import pytest
from botocore.exceptions import ClientError

import s3util
from s3util import assert_error, b64md5, build_request, connect, obj_path, read_response, sign


@pytest.fixture
def still_ok(server, bucket):
    def check():
        r = s3util.raw_request(server.hostport, "GET", "/" + bucket, "list-type=2")
        assert r.status == 200, "server unhealthy after bad input: %r" % r
    yield check
    check()


def send_and_read(server, data, method="GET", timeout=10):
    s = connect(server.hostport, timeout)
    try:
        s.sendall(data)
        f = s.makefile("rb")
        r = read_response(f, method)
        return r, s, f
    except Exception:
        s.close()
        raise


def closed_soon(sock, f, timeout=5.0):
    """True when the server closes the connection within timeout."""
    sock.settimeout(timeout)
    try:
        return f.read(1) == b""
    except (socket.timeout, TimeoutError):
        return False
    except ConnectionResetError:
        return True


@pytest.mark.parametrize("line", [
    b"GARBAGE\r\n\r\n",
    b"GET\r\n\r\n",
    b"GET / HTTP/9.9\r\nHost: x\r\n\r\n",
    b"G@T / HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\nBad Header Name: y\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\nNoColonHere\r\n\r\n",
    b"PUT /b/k HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
    b"PUT /b/k HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello",
], ids=["garbage", "no-target", "bad-version", "bad-method-char", "space-in-header-name",
        "no-colon", "bad-content-length", "duplicate-content-length"])
def test_malformed_request_400_and_close(server, still_ok, line):
    r, s, f = send_and_read(server, line)
    try:
        assert r is not None, "connection closed without a response"
        assert r.status in (400, 505) if b"HTTP/9.9" in line else r.status == 400, r
        assert closed_soon(s, f), "connection left open after a malformed request"
    finally:
        s.close()


def test_header_block_too_large_431(server, still_ok):
    req = (b"GET / HTTP/1.1\r\nHost: %s\r\nX-Pad: " % server.hostport.encode()
           + b"a" * (20 * 1024) + b"\r\n\r\n")
    r, s, f = send_and_read(server, req)
    s.close()
    assert r is not None and r.status == 431, r


def test_many_headers_too_large_431(server, still_ok):
    req = b"GET / HTTP/1.1\r\nHost: x\r\n" + b"".join(
        b"X-H%d: %s\r\n" % (i, b"v" * 100) for i in range(300)) + b"\r\n"
    r, s, f = send_and_read(server, req)
    s.close()
    assert r is not None and r.status == 431, r


def test_url_too_long_414(server, still_ok):
    req = b"GET /" + b"a" * (9 * 1024) + b" HTTP/1.1\r\nHost: x\r\n\r\n"
    r, s, f = send_and_read(server, req)
    s.close()
    assert r is not None and r.status == 414, r


def test_huge_garbage_does_not_crash(server, still_ok):
    s = connect(server.hostport, 10)
    try:
        try:
            for _ in range(64):
                s.sendall(b"\x00\xff" * 8192)
        except (BrokenPipeError, ConnectionResetError):
            pass
    finally:
        s.close()


def test_short_body_then_close(server, s3, bucket, still_ok):
    path = obj_path(bucket, "short")
    hdrs, _, _ = sign("PUT", server.hostport, path, "", {"Content-Length": "100000"},
                      "UNSIGNED-PAYLOAD")
    s = connect(server.hostport)
    s.sendall(build_request("PUT", path, "", hdrs, b"x" * 40000))
    time.sleep(0.2)
    s.close()
    time.sleep(0.3)
    with pytest.raises(ClientError) as ei:
        s3.head_object(Bucket=bucket, Key="short")
    assert s3util.client_error(ei.value)[0] == 404
    # an existing object is not clobbered by a truncated overwrite
    s3.put_object(Bucket=bucket, Key="short", Body=b"intact")
    s = connect(server.hostport)
    s.sendall(build_request("PUT", path, "", hdrs, b"y" * 40000))
    s.close()
    time.sleep(0.3)
    assert s3.get_object(Bucket=bucket, Key="short")["Body"].read() == b"intact"


def test_body_longer_than_content_length(server, s3, bucket, still_ok):
    path = obj_path(bucket, "long")
    body = b"0123456789"
    hdrs, _, _ = sign("PUT", server.hostport, path, "", {}, hashlib.sha256(body).hexdigest())
    req = build_request("PUT", path, "", hdrs, body) + b"THIS IS NOT HTTP\r\n\r\n"
    s = connect(server.hostport)
    try:
        s.sendall(req)
        f = s.makefile("rb")
        r1 = read_response(f, "PUT")
        assert r1.status == 200, r1
        r2 = read_response(f, "GET")
        assert r2 is not None and r2.status == 400, r2
    finally:
        s.close()
    assert s3.get_object(Bucket=bucket, Key="long")["Body"].read() == body


def test_delete_objects_bad_xml(raw, s3, bucket, still_ok):
    s3.put_object(Bucket=bucket, Key="a", Body=b"x")
    for body in (b"<Delete><Object><Key>a</Key>",           # truncated
                 b"not xml at all",
                 b"<Delete><Object><Key>a</Key></Object></Wrong>",
                 b"<Delete></Delete>"):                       # no objects
        r = raw("POST", "/" + bucket, "delete", body=body,
                headers={"Content-MD5": b64md5(body), "Content-Type": "application/xml"})
        assert_error(r, 400, "MalformedXML")
    assert s3.get_object(Bucket=bucket, Key="a")["Body"].read() == b"x"


def test_expect_100_continue(server, s3, bucket, still_ok):
    path = obj_path(bucket, "expect")
    body = b"z" * 50000
    hdrs, _, _ = sign("PUT", server.hostport, path, "",
                      {"Content-Length": str(len(body))}, hashlib.sha256(body).hexdigest())
    hdrs["Expect"] = "100-continue"
    s = connect(server.hostport)
    try:
        s.sendall(build_request("PUT", path, "", hdrs))  # headers only
        f = s.makefile("rb")
        s.settimeout(5)
        r = read_response(f, "PUT")
        assert r is not None and r.status == 100, r
        s.sendall(body)
        r = read_response(f, "PUT")
        assert r.status == 200, r
    finally:
        s.close()
    assert s3.get_object(Bucket=bucket, Key="expect")["Body"].read() == body


def test_expect_100_continue_refused_when_unauthorized(server, bucket, still_ok):
    """A request that will fail gets its final status instead of 100."""
    path = obj_path(bucket, "expect-denied")
    req = (b"PUT %s HTTP/1.1\r\nHost: %s\r\nContent-Length: 50000\r\n"
           b"Expect: 100-continue\r\n\r\n" % (path.encode(), server.hostport.encode()))
    s = connect(server.hostport)
    try:
        s.sendall(req)
        s.settimeout(5)
        r = read_response(s.makefile("rb"), "PUT")
        assert r is not None and r.status == 403, r
    finally:
        s.close()


def test_pipelined_requests_answered_in_order(server, s3, bucket, still_ok):
    s3.put_object(Bucket=bucket, Key="p1", Body=b"first object")
    s3.put_object(Bucket=bucket, Key="p2", Body=b"second, different object")
    reqs = b""
    for k in ("p1", "p2", "p1"):
        hdrs, _, _ = sign("GET", server.hostport, obj_path(bucket, k))
        reqs += build_request("GET", obj_path(bucket, k), "", hdrs)
    s = connect(server.hostport)
    try:
        s.sendall(reqs)
        f = s.makefile("rb")
        bodies = [read_response(f, "GET").body for _ in range(3)]
    finally:
        s.close()
    assert bodies == [b"first object", b"second, different object", b"first object"]


def test_keepalive_many_requests_one_connection(server, s3, bucket, still_ok):
    s3.put_object(Bucket=bucket, Key="ka", Body=b"keep-alive")
    s = connect(server.hostport)
    try:
        f = s.makefile("rb")
        for i in range(50):
            hdrs, _, _ = sign("GET", server.hostport, obj_path(bucket, "ka"))
            s.sendall(build_request("GET", obj_path(bucket, "ka"), "", hdrs))
            r = read_response(f, "GET")
            assert r.status == 200 and r.body == b"keep-alive", (i, r)
    finally:
        s.close()


def test_http10_request(server, bucket, still_ok):
    hdrs, _, _ = sign("GET", server.hostport, "/" + bucket, "list-type=2")
    req = build_request("GET", "/" + bucket, "list-type=2", hdrs).replace(
        b" HTTP/1.1\r\n", b" HTTP/1.0\r\n", 1)
    r, s, f = send_and_read(server, req)
    try:
        assert r.status == 200, r
        assert closed_soon(s, f), "HTTP/1.0 without keep-alive must be closed"
    finally:
        s.close()


def test_chunked_transfer_encoding_body(server, s3, bucket, still_ok):
    path = obj_path(bucket, "te-chunked")
    data = bytes(range(256)) * 1000
    hdrs, _, _ = sign("PUT", server.hostport, path, "", {"Transfer-Encoding": "chunked"},
                      hashlib.sha256(data).hexdigest())
    body = b""
    for i in range(0, len(data), 10000):
        c = data[i:i + 10000]
        body += b"%x\r\n" % len(c) + c + b"\r\n"
    body += b"0\r\n\r\n"
    s = connect(server.hostport)
    try:
        s.sendall(build_request("PUT", path, "", hdrs, body))
        r = read_response(s.makefile("rb"), "PUT")
    finally:
        s.close()
    assert r.status == 200, r
    assert s3.get_object(Bucket=bucket, Key="te-chunked")["Body"].read() == data


def test_bad_chunked_encoding(server, s3, bucket, still_ok):
    path = obj_path(bucket, "bad-chunked")
    hdrs, _, _ = sign("PUT", server.hostport, path, "", {"Transfer-Encoding": "chunked"},
                      "UNSIGNED-PAYLOAD")
    body = b"5\r\nhello\r\nZZZ\r\nnot hex\r\n0\r\n\r\n"
    r, s, f = send_and_read(server, build_request("PUT", path, "", hdrs, body), "PUT")
    s.close()
    assert r is not None and r.status == 400, r
    with pytest.raises(ClientError):
        s3.head_object(Bucket=bucket, Key="bad-chunked")


def test_idle_connection_closed(make_server):
    srv = make_server(env_extra={"CAIRN_IDLE_TIMEOUT_MS": "1000"})
    # a connection that never sends anything
    s = connect(srv.hostport)
    t0 = time.monotonic()
    try:
        s.settimeout(8)
        try:
            data = s.recv(1)
        except ConnectionResetError:
            data = b""
        assert data == b"" or data.startswith(b"H"), data
        assert time.monotonic() - t0 < 7
    finally:
        s.close()
    # a keep-alive connection that goes idle after one request
    s = connect(srv.hostport)
    try:
        s.sendall(b"GET /minio/health/live HTTP/1.1\r\nHost: x\r\n\r\n")
        f = s.makefile("rb")
        assert read_response(f, "GET").status == 200
        t0 = time.monotonic()
        assert closed_soon(s, f, 8), "idle keep-alive connection not closed"
        assert time.monotonic() - t0 < 7
    finally:
        s.close()
    assert s3util.raw_request(srv.hostport, "GET", "/").status == 200


def test_slowloris_headers_closed(make_server):
    """Headers dribbled in forever must not hold a connection past the idle
    timeout."""
    srv = make_server(env_extra={"CAIRN_IDLE_TIMEOUT_MS": "1000"})
    s = connect(srv.hostport)
    t0 = time.monotonic()
    closed = False
    try:
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        for i in range(40):  # up to ~10 s
            time.sleep(0.25)
            try:
                s.sendall(b"X-Slow-%d: y\r\n" % i)
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            s.settimeout(0.01)
            try:
                s.recv(65536)  # EOF, or the server's final answer (408/400/431)
                closed = True
                break
            except (socket.timeout, TimeoutError, BlockingIOError):
                pass
            except ConnectionResetError:
                closed = True
                break
    finally:
        s.close()
    assert closed, "connection dribbling headers was never closed"
    assert time.monotonic() - t0 < 9


@pytest.mark.parametrize("expect", [False, True], ids=["plain", "expect100"])
@pytest.mark.parametrize("sizes", [(0, 7), (0, 0, 5), (7, 0, 7), (3, 300 * 1024, 0, 1)],
                         ids=["0-7", "0-0-5", "7-0-7", "3-300k-0-1"])
def test_keepalive_puts_of_mixed_sizes(server, s3, bucket, still_ok, sizes, expect):
    """Several PUTs on one keep-alive connection, some with empty bodies,
    optionally with Expect: 100-continue on the non-empty ones the way
    botocore sends them (headers, wait up to 1 s for 100, then the body):
    every one is answered promptly and stored."""
    s = connect(server.hostport, timeout=5)
    try:
        f = s.makefile("rb")
        for i, n in enumerate(sizes):
            body = bytes([65 + i]) * n
            path = obj_path(bucket, "ka%d" % i)
            hdrs, _, _ = sign("PUT", server.hostport, path, "",
                              {"Content-Length": str(n)}, hashlib.sha256(body).hexdigest())
            if expect and n:
                hdrs["Expect"] = "100-continue"
                s.sendall(build_request("PUT", path, "", hdrs))
                s.settimeout(1)
                try:
                    r = read_response(f, "PUT")
                    assert r is not None and r.status == 100, (i, r)
                except (socket.timeout, TimeoutError):
                    raise AssertionError("no 100 Continue within 1 s for PUT #%d after %r"
                                         % (i, sizes[:i]))
                s.settimeout(5)
                s.sendall(body)
            else:
                s.sendall(build_request("PUT", path, "", hdrs, body))
            try:
                r = read_response(f, "PUT")
            except (socket.timeout, TimeoutError):
                raise AssertionError("no response within 5 s to PUT #%d (%d bytes) after %r"
                                     % (i, n, sizes[:i]))
            assert r is not None and r.status == 200, (i, r)
    finally:
        s.close()
    for i, n in enumerate(sizes):
        assert s3.get_object(Bucket=bucket, Key="ka%d" % i)["Body"].read() == bytes([65 + i]) * n


def test_object_over_5gib_refused_up_front(server, s3, bucket, still_ok):
    """A single PUT larger than 5 GiB is EntityTooLarge, answered without
    waiting for the body (the client asked with Expect: 100-continue)."""
    path = obj_path(bucket, "huge")
    size = 5 * 1024 ** 3 + 1
    hdrs, _, _ = sign("PUT", server.hostport, path, "", {"Content-Length": str(size)},
                      "UNSIGNED-PAYLOAD")
    hdrs["Expect"] = "100-continue"
    s = connect(server.hostport, timeout=5)
    try:
        s.sendall(build_request("PUT", path, "", hdrs))
        r = read_response(s.makefile("rb"), "PUT")
    finally:
        s.close()
    assert_error(r, 400, "EntityTooLarge")
    with pytest.raises(ClientError):
        s3.head_object(Bucket=bucket, Key="huge")
