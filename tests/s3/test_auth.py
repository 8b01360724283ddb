"""Authentication: SigV4 header auth, presigned URLs, payload hashes,
Content-MD5; error XML shape."""

import datetime
import hashlib
import http.client
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from botocore.exceptions import ClientError

import s3util
from s3util import AK, SK, assert_error, b64md5, client_error, make_client, obj_path


def test_wrong_secret(server):
    c = make_client(server.endpoint, AK, SK + "x")
    with pytest.raises(ClientError) as ei:
        c.list_buckets()
    assert client_error(ei.value) == (403, "SignatureDoesNotMatch")


def test_unknown_access_key(server):
    c = make_client(server.endpoint, "NOSUCHACCESSKEY123", SK)
    with pytest.raises(ClientError) as ei:
        c.list_buckets()
    assert client_error(ei.value) == (403, "InvalidAccessKeyId")


@pytest.mark.parametrize("method,path_fmt,query", [
    ("GET", "/", ""),
    ("GET", "/{b}", "list-type=2"),
    ("PUT", "/{b}/anon", ""),
    ("GET", "/{b}/obj", ""),
    ("DELETE", "/{b}/obj", ""),
    ("PUT", "/anon-new-bucket-xyz", ""),
])
def test_anonymous_requests_denied(raw, s3, bucket, method, path_fmt, query):
    s3.put_object(Bucket=bucket, Key="obj", Body=b"secret")
    r = raw(method, path_fmt.format(b=bucket), query, body=b"x" if method == "PUT" else b"",
            signed=False)
    assert_error(r, 403, "AccessDenied")
    assert s3.get_object(Bucket=bucket, Key="obj")["Body"].read() == b"secret"
    with pytest.raises(ClientError):
        s3.head_object(Bucket=bucket, Key="anon")


@pytest.mark.parametrize("minutes", [20, -20])
def test_request_time_too_skewed(raw, bucket, minutes):
    when = datetime.datetime.utcnow() + datetime.timedelta(minutes=minutes)
    r = raw("GET", "/" + bucket, "list-type=2", when=when)
    assert_error(r, 403, "RequestTimeTooSkewed")


def test_small_skew_accepted(raw, bucket):
    when = datetime.datetime.utcnow() - datetime.timedelta(minutes=5)
    assert raw("GET", "/" + bucket, "list-type=2", when=when).status == 200


def test_header_auth_tampered_after_signing(server, bucket):
    hdrs, _, _ = s3util.sign("GET", server.hostport, "/" + bucket, "list-type=2", {})
    r = s3util.raw_request(server.hostport, "GET", "/" + bucket, "list-type=2&prefix=x",
                           headers=hdrs, signed=False)
    assert_error(r, 403, "SignatureDoesNotMatch")


def test_malformed_authorization_header(raw, bucket):
    r = raw("GET", "/" + bucket, signed=False,
            headers={"Authorization": "AWS4-HMAC-SHA256 garbage",
                     "X-Amz-Date": time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()),
                     "X-Amz-Content-SHA256": s3util.EMPTY_SHA256})
    assert r.status in (400, 403), r
    s3util.parse_error(r.body)


# ----------------------------------------------------------------- presigned

def test_presigned_get_with_urllib(s3, bucket):
    body = b"presigned body \x00\xff"
    s3.put_object(Bucket=bucket, Key="dir/p file+x", Body=body)
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "dir/p file+x"},
                                    ExpiresIn=300)
    assert "X-Amz-Signature=" in url
    with urllib.request.urlopen(url, timeout=10) as r:
        assert r.status == 200
        assert r.read() == body
        assert r.headers["ETag"] == '"%s"' % s3util.md5hex(body)


def test_presigned_head(s3, bucket):
    s3.put_object(Bucket=bucket, Key="h", Body=b"12345")
    url = s3.generate_presigned_url("head_object", Params={"Bucket": bucket, "Key": "h"},
                                    ExpiresIn=300)
    req = urllib.request.Request(url, method="HEAD")
    with urllib.request.urlopen(req, timeout=10) as r:
        assert r.status == 200 and r.headers["Content-Length"] == "5"


def test_presigned_put_with_http_client(server, s3, bucket):
    body = b"uploaded through a presigned PUT" * 100
    url = s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "up"},
                                    ExpiresIn=300)
    u = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    conn.request("PUT", u.path + "?" + u.query, body=body)
    r = conn.getresponse()
    rb = r.read()
    conn.close()
    assert r.status == 200, (r.status, rb)
    assert r.getheader("ETag") == '"%s"' % s3util.md5hex(body)
    assert s3.get_object(Bucket=bucket, Key="up")["Body"].read() == body


def test_presigned_expired(s3, bucket):
    s3.put_object(Bucket=bucket, Key="e", Body=b"x")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "e"},
                                    ExpiresIn=1)
    time.sleep(2.2)
    with pytest.raises(urllib.error.HTTPError) as ei:
        urllib.request.urlopen(url, timeout=10)
    assert ei.value.code == 403
    err = s3util.parse_error(ei.value.read())
    assert err["Code"] == "AccessDenied", err


@pytest.mark.parametrize("how", ["signature", "key", "expires", "credential"])
def test_presigned_tampered(s3, bucket, how):
    s3.put_object(Bucket=bucket, Key="t", Body=b"x")
    s3.put_object(Bucket=bucket, Key="u", Body=b"other")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "t"},
                                    ExpiresIn=300)
    if how == "signature":
        i = url.index("X-Amz-Signature=") + len("X-Amz-Signature=")
        url = url[:i] + ("0" if url[i] != "0" else "1") + url[i + 1:]
        want = "SignatureDoesNotMatch"
    elif how == "key":
        url = url.replace("/%s/t?" % bucket, "/%s/u?" % bucket)
        want = "SignatureDoesNotMatch"
    elif how == "expires":
        url = url.replace("X-Amz-Expires=300", "X-Amz-Expires=600")
        want = "SignatureDoesNotMatch"
    else:
        url = url.replace("X-Amz-Credential=" + AK, "X-Amz-Credential=NOSUCHKEY0000")
        want = "InvalidAccessKeyId"
    with pytest.raises(urllib.error.HTTPError) as ei:
        urllib.request.urlopen(url, timeout=10)
    assert ei.value.code == 403
    assert s3util.parse_error(ei.value.read())["Code"] == want


def test_presigned_expires_too_long(s3, bucket):
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "t"},
                                    ExpiresIn=604801)
    with pytest.raises(urllib.error.HTTPError) as ei:
        urllib.request.urlopen(url, timeout=10)
    # AWS: X-Amz-Expires must be less than a week (604800 s)
    assert ei.value.code == 400
    assert s3util.parse_error(ei.value.read())["Code"] == "AuthorizationQueryParametersError"


# ----------------------------------------------------------------- payload hashes

def test_wrong_content_sha256(raw, s3, bucket):
    body = b"the real body"
    r = raw("PUT", obj_path(bucket, "sha"), body=body,
            content_sha=hashlib.sha256(b"another body").hexdigest())
    assert_error(r, 400, "XAmzContentSHA256Mismatch")
    with pytest.raises(ClientError):
        s3.head_object(Bucket=bucket, Key="sha")


def test_wrong_content_sha256_does_not_overwrite(raw, s3, bucket):
    s3.put_object(Bucket=bucket, Key="keep", Body=b"original")
    body = b"x" * (300 * 1024)
    r = raw("PUT", obj_path(bucket, "keep"), body=body,
            content_sha=hashlib.sha256(body[:-1] + b"y").hexdigest())
    assert_error(r, 400, "XAmzContentSHA256Mismatch")
    assert s3.get_object(Bucket=bucket, Key="keep")["Body"].read() == b"original"


def test_unsigned_payload_accepted(raw, s3, bucket):
    r = raw("PUT", obj_path(bucket, "unsigned"), body=b"abc", content_sha="UNSIGNED-PAYLOAD")
    assert r.status == 200, r
    assert s3.get_object(Bucket=bucket, Key="unsigned")["Body"].read() == b"abc"


def test_wrong_content_md5(raw, s3, bucket):
    r = raw("PUT", obj_path(bucket, "md5"), body=b"hello",
            headers={"Content-MD5": b64md5(b"HELLO")})
    assert_error(r, 400, "BadDigest")
    with pytest.raises(ClientError):
        s3.head_object(Bucket=bucket, Key="md5")


def test_malformed_content_md5(raw, s3, bucket):
    r = raw("PUT", obj_path(bucket, "md5"), body=b"hello",
            headers={"Content-MD5": "not-base64-md5!!"})
    assert_error(r, 400, "InvalidDigest")
    with pytest.raises(ClientError):
        s3.head_object(Bucket=bucket, Key="md5")


def test_correct_content_md5(raw, s3, bucket):
    r = raw("PUT", obj_path(bucket, "md5ok"), body=b"hello",
            headers={"Content-MD5": b64md5(b"hello")})
    assert r.status == 200, r
    assert s3.get_object(Bucket=bucket, Key="md5ok")["Body"].read() == b"hello"


def test_error_xml_shape(raw, bucket):
    r = raw("GET", obj_path(bucket, "nokey"))
    assert r.status == 404
    err = s3util.parse_error(r.body)
    assert err["Code"] == "NoSuchKey"
    assert err["Message"]
    assert err["RequestId"] == r.headers["x-amz-request-id"]
    assert r.body.lstrip().startswith(b"<?xml") or r.body.lstrip().startswith(b"<Error")


def test_presigned_get_with_response_overrides(s3, bucket):
    s3.put_object(Bucket=bucket, Key="report.csv", Body=b"a,b\n1,2\n", ContentType="text/csv")
    url = s3.generate_presigned_url("get_object", ExpiresIn=300, Params={
        "Bucket": bucket, "Key": "report.csv",
        "ResponseContentDisposition": 'attachment; filename="r\u00e9port 2024.csv"',
        "ResponseContentType": "application/octet-stream"})
    with urllib.request.urlopen(url, timeout=10) as r:
        assert r.status == 200
        assert r.headers["Content-Disposition"] == 'attachment; filename="r\u00e9port 2024.csv"' \
            .encode("utf-8").decode("latin-1")
        assert r.headers["Content-Type"] == "application/octet-stream"
        assert r.read() == b"a,b\n1,2\n"


def test_presigned_put_with_signed_content_type(server, s3, bucket):
    url = s3.generate_presigned_url("put_object", ExpiresIn=300, Params={
        "Bucket": bucket, "Key": "avatar.png", "ContentType": "image/png"})
    u = urllib.parse.urlsplit(url)
    body = b"\x89PNG\r\n\x1a\n" + b"\x00" * 1000
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    try:
        conn.request("PUT", u.path + "?" + u.query, body=body,
                     headers={"Content-Type": "image/png"})
        r = conn.getresponse()
        r.read()
        assert r.status == 200
        # a different Content-Type than the one signed is refused
        conn.request("PUT", u.path + "?" + u.query, body=b"evil",
                     headers={"Content-Type": "text/html"})
        r2 = conn.getresponse()
        r2body = r2.read()
        assert r2.status == 403, (r2.status, r2body)
        assert s3util.parse_error(r2body)["Code"] == "SignatureDoesNotMatch"
    finally:
        conn.close()
    h = s3.head_object(Bucket=bucket, Key="avatar.png")
    assert h["ContentType"] == "image/png" and h["ContentLength"] == len(body)
