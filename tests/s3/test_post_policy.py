"""Browser form uploads (POST /bucket, multipart/form-data) with the form
boto3's generate_presigned_post produces: the file lands under the key
(with ${filename}), conditions are enforced, expired or violated
policies and bad signatures are refused and store nothing."""

import hashlib
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
import xml.etree.ElementTree as ET

import pytest
from botocore.exceptions import ClientError

import s3util


def encode_form(fields, filename, data, file_first=False, extra_after=None):
    boundary = "----cairnform" + uuid.uuid4().hex
    parts = []
    items = list(fields.items())
    file_part = ('--%s\r\nContent-Disposition: form-data; name="file"; filename="%s"\r\n'
                 'Content-Type: application/octet-stream\r\n\r\n' % (boundary, filename)).encode() + data + b"\r\n"
    if file_first:
        parts.append(file_part)
    for k, v in items:
        parts.append(('--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n' % (boundary, k, v)).encode())
    if not file_first:
        parts.append(file_part)
    for k, v in (extra_after or {}).items():
        parts.append(('--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n' % (boundary, k, v)).encode())
    body = b"".join(parts) + ("--%s--\r\n" % boundary).encode()
    return body, "multipart/form-data; boundary=%s" % boundary


def post(url, fields, filename, data, **kw):
    body, ctype = encode_form(fields, filename, data, **kw)
    req = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": ctype})
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def error_code(body):
    return ET.fromstring(body).find("Code").text


def test_presigned_post_upload(s3, bucket):
    p = s3.generate_presigned_post(bucket, "uploads/${filename}",
                                   Fields={"Content-Type": "image/png", "x-amz-meta-user": "u1"},
                                   Conditions=[["starts-with", "$key", "uploads/"], {"Content-Type": "image/png"},
                                               {"x-amz-meta-user": "u1"}, ["content-length-range", 1, 1000000]],
                                   ExpiresIn=300)
    data = b"\x89PNG" + b"x" * 5000
    status, headers, body = post(p["url"], p["fields"], "avatar.png", data)
    assert status == 204, body
    assert headers.get("ETag") == '"%s"' % hashlib.md5(data).hexdigest()
    g = s3.get_object(Bucket=bucket, Key="uploads/avatar.png")
    assert g["Body"].read() == data
    assert g["ContentType"] == "image/png" and g["Metadata"] == {"user": "u1"}


def test_success_action_status_and_redirect(s3, bucket):
    p = s3.generate_presigned_post(bucket, "a.txt", Fields={"success_action_status": "201"},
                                   Conditions=[{"success_action_status": "201"}], ExpiresIn=300)
    status, _, body = post(p["url"], p["fields"], "a.txt", b"hello")
    assert status == 201
    root = ET.fromstring(body)
    assert root.find("Key").text == "a.txt" and root.find("Bucket").text == bucket
    p = s3.generate_presigned_post(bucket, "b.txt", Fields={"success_action_redirect": "http://example.test/done"},
                                   Conditions=[{"success_action_redirect": "http://example.test/done"}], ExpiresIn=300)
    body, ctype = encode_form(p["fields"], "b.txt", b"bye")
    req = urllib.request.Request(p["url"], data=body, method="POST", headers={"Content-Type": ctype})

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *a, **k):
            return None
    try:
        urllib.request.build_opener(NoRedirect).open(req)
        raise AssertionError("expected a redirect")
    except urllib.error.HTTPError as e:
        assert e.code == 303
        loc = urllib.parse.urlparse(e.headers["Location"])
        q = urllib.parse.parse_qs(loc.query)
        assert loc.netloc == "example.test" and q["key"] == ["b.txt"] and q["bucket"] == [bucket]
    assert s3.get_object(Bucket=bucket, Key="b.txt")["Body"].read() == b"bye"


def test_policy_violations_store_nothing(s3, bucket):
    p = s3.generate_presigned_post(bucket, "uploads/${filename}",
                                   Conditions=[["starts-with", "$key", "uploads/"], ["content-length-range", 10, 100]],
                                   ExpiresIn=300)
    # too large, too small
    status, _, body = post(p["url"], p["fields"], "big.bin", b"x" * 101)
    assert status == 400 and error_code(body) == "EntityTooLarge"
    status, _, body = post(p["url"], p["fields"], "small.bin", b"x" * 3)
    assert status == 400 and error_code(body) == "EntityTooSmall"
    # a key outside the allowed prefix
    fields = dict(p["fields"], key="elsewhere/x")
    status, _, body = post(p["url"], fields, "x", b"x" * 20)
    assert status == 403 and error_code(body) == "AccessDenied"
    # a field no condition allows
    fields = dict(p["fields"], **{"x-amz-meta-extra": "1"})
    status, _, body = post(p["url"], fields, "x", b"x" * 20)
    assert status == 403 and error_code(body) == "AccessDenied"
    # a tampered signature
    fields = dict(p["fields"], **{"x-amz-signature": "0" * 64})
    status, _, body = post(p["url"], fields, "x", b"x" * 20)
    assert status == 403 and error_code(body) == "SignatureDoesNotMatch"
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)


def test_expired_policy(s3, bucket):
    p = s3.generate_presigned_post(bucket, "late", ExpiresIn=1)
    time.sleep(2.2)
    status, _, body = post(p["url"], p["fields"], "late", b"data")
    assert status == 403 and error_code(body) == "AccessDenied"
    assert b"expired" in body


def test_malformed_forms(raw, bucket):
    r = raw("POST", "/" + bucket, body=b"not a form", headers={"Content-Type": "text/plain"}, signed=False)
    assert r.status in (400, 403)
    r = raw("POST", "/" + bucket, body=b"--x\r\ngarbage", signed=False,
            headers={"Content-Type": "multipart/form-data; boundary=x"})
    s3util.assert_error(r, 400, "MalformedPOSTRequest")


def test_fields_after_the_file_are_ignored(s3, bucket):
    p = s3.generate_presigned_post(bucket, "order.txt", ExpiresIn=300)
    status, _, body = post(p["url"], p["fields"], "order.txt", b"content",
                           extra_after={"x-amz-meta-late": "ignored"})
    assert status == 204, body
    assert s3.head_object(Bucket=bucket, Key="order.txt")["Metadata"] == {}


def test_large_file_streams_intact(s3, bucket):
    import os
    p = s3.generate_presigned_post(bucket, "videos/${filename}", ExpiresIn=300)
    # data full of near-delimiters: CRLF and dashes across every read boundary
    data = (b"\r\n--" + os.urandom(60)) * 100000 + os.urandom(12345)
    status, headers, body = post(p["url"], p["fields"], "clip.mp4", data)
    assert status == 204, body
    got = s3.get_object(Bucket=bucket, Key="videos/clip.mp4")["Body"].read()
    assert hashlib.md5(got).hexdigest() == hashlib.md5(data).hexdigest()
    assert headers.get("ETag") == '"%s"' % hashlib.md5(data).hexdigest()
