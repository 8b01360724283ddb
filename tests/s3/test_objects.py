"""PutObject/GetObject/HeadObject/DeleteObject/DeleteObjects with boto3 and
raw requests."""

import datetime
import email.utils
import random
import re
import time

import pytest
from botocore.exceptions import ClientError

import s3util
from s3util import assert_error, client_error, md5hex, obj_path


def body_of(n, seed=1):
    return random.Random(seed * 7919 + n).randbytes(n)


KIB = 1024
MIB = 1024 * 1024
SIZES = [0, 1, 4 * KIB, 128 * KIB - 1, 128 * KIB, 128 * KIB + 1, 5 * MIB, 20 * MIB]


@pytest.mark.parametrize("size", SIZES, ids=[str(s) for s in SIZES])
def test_put_get_round_trip(s3, bucket, raw, size):
    data = body_of(size)
    r = s3.put_object(Bucket=bucket, Key="obj", Body=data)
    assert r["ETag"] == '"%s"' % md5hex(data)
    g = s3.get_object(Bucket=bucket, Key="obj")
    got = g["Body"].read()
    assert len(got) == size
    assert got == data
    assert g["ETag"] == '"%s"' % md5hex(data)
    assert g["ContentLength"] == size
    # raw headers: quoted hex ETag, Content-Length, RFC 1123 Last-Modified
    h = raw("HEAD", obj_path(bucket, "obj"))
    assert h.status == 200, h
    assert re.fullmatch(r'"[0-9a-f]{32}"', h.headers["etag"]), h.headers
    assert h.headers["etag"] == '"%s"' % md5hex(data)
    assert int(h.headers["content-length"]) == size
    lm = h.headers["last-modified"]
    assert lm.endswith(" GMT"), lm
    when = email.utils.parsedate_to_datetime(lm)
    now = datetime.datetime.now(datetime.timezone.utc)
    assert abs((now - when).total_seconds()) < 300, lm
    assert h.body == b""


def test_overwrite_replaces_content(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"first version, longer")
    s3.put_object(Bucket=bucket, Key="k", Body=b"second")
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"second"
    big = body_of(300 * KIB)
    s3.put_object(Bucket=bucket, Key="k", Body=big)
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == big
    s3.put_object(Bucket=bucket, Key="k", Body=b"small again")
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"small again"


@pytest.fixture(params=[1000, 300 * KIB], ids=["inline", "file"])
def ranged(request, s3, bucket):
    data = body_of(request.param, seed=3)
    s3.put_object(Bucket=bucket, Key="r", Body=data)
    return bucket, data


@pytest.mark.parametrize("spec,first,last", [
    ("bytes=0-9", 0, 9),
    ("bytes=5-5", 5, 5),
    ("bytes=100-", 100, None),
    ("bytes=-10", -10, None),
    ("bytes=990-99999999", 990, None),      # past the end: clamped
    ("bytes=-99999999", 0, None),           # suffix longer than object
])
def test_range_get(raw, ranged, spec, first, last):
    bucket, data = ranged
    size = len(data)
    start = first if first >= 0 else size + first
    end = size - 1 if last is None else last
    r = raw("GET", obj_path(bucket, "r"), headers={"Range": spec})
    assert r.status == 206, r
    assert r.body == data[start:end + 1]
    assert r.headers["content-range"] == "bytes %d-%d/%d" % (start, end, size)
    assert int(r.headers["content-length"]) == end - start + 1
    assert r.headers.get("accept-ranges", "bytes") == "bytes"


def test_range_boto3(s3, ranged):
    bucket, data = ranged
    g = s3.get_object(Bucket=bucket, Key="r", Range="bytes=10-19")
    assert g["Body"].read() == data[10:20]
    assert g["ContentRange"] == "bytes 10-19/%d" % len(data)
    assert g["ResponseMetadata"]["HTTPStatusCode"] == 206


@pytest.mark.parametrize("spec", ["bytes=%(size)d-", "bytes=%(past)d-%(past2)d"])
def test_range_unsatisfiable(raw, ranged, spec):
    bucket, data = ranged
    size = len(data)
    spec = spec % {"size": size, "past": size + 10, "past2": size + 20}
    r = raw("GET", obj_path(bucket, "r"), headers={"Range": spec})
    assert_error(r, 416, "InvalidRange")


def test_response_header_overrides(s3, bucket):
    s3.put_object(Bucket=bucket, Key="o", Body=b"data", ContentType="text/plain")
    exp = datetime.datetime(2030, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    g = s3.get_object(Bucket=bucket, Key="o",
                      ResponseContentType="application/x-test",
                      ResponseContentDisposition='attachment; filename="x.bin"',
                      ResponseCacheControl="no-store",
                      ResponseContentEncoding="identity",
                      ResponseContentLanguage="de-DE",
                      ResponseExpires=exp)
    h = g["ResponseMetadata"]["HTTPHeaders"]
    assert h["content-type"] == "application/x-test"
    assert h["content-disposition"] == 'attachment; filename="x.bin"'
    assert h["cache-control"] == "no-store"
    assert h["content-encoding"] == "identity"
    assert h["content-language"] == "de-DE"
    assert email.utils.parsedate_to_datetime(h["expires"]) == exp
    assert g["Body"].read() == b"data"
    # the stored object is unchanged
    assert s3.head_object(Bucket=bucket, Key="o")["ContentType"] == "text/plain"


def test_head_missing_object_404_no_body(raw, bucket, s3):
    r = raw("HEAD", obj_path(bucket, "missing"))
    assert r.status == 404, r
    assert r.body == b""
    assert "x-amz-request-id" in r.headers
    with pytest.raises(ClientError) as ei:
        s3.head_object(Bucket=bucket, Key="missing")
    assert client_error(ei.value)[0] == 404


def test_get_missing_object(raw, bucket):
    r = raw("GET", obj_path(bucket, "missing/key"))
    assert_error(r, 404, "NoSuchKey")
    assert r.headers.get("content-type", "").startswith(("application/xml", "text/xml")), r.headers


def test_delete_object(s3, bucket, raw):
    s3.put_object(Bucket=bucket, Key="d", Body=b"x")
    r = raw("DELETE", obj_path(bucket, "d"))
    assert r.status == 204, r
    with pytest.raises(ClientError) as ei:
        s3.head_object(Bucket=bucket, Key="d")
    assert client_error(ei.value)[0] == 404
    # deleting a missing key is still 204
    r = raw("DELETE", obj_path(bucket, "never-existed"))
    assert r.status == 204, r


def test_delete_objects(s3, bucket):
    for i in range(5):
        s3.put_object(Bucket=bucket, Key="k%d" % i, Body=b"x")
    r = s3.delete_objects(Bucket=bucket, Delete={"Objects": [
        {"Key": "k0"}, {"Key": "k1"}, {"Key": "does-not-exist"}]})
    assert sorted(d["Key"] for d in r["Deleted"]) == ["does-not-exist", "k0", "k1"]
    assert not r.get("Errors")
    left = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    assert left == ["k2", "k3", "k4"]


def test_delete_objects_quiet(s3, bucket):
    for i in range(3):
        s3.put_object(Bucket=bucket, Key="q%d" % i, Body=b"x")
    r = s3.delete_objects(Bucket=bucket, Delete={
        "Objects": [{"Key": "q0"}, {"Key": "q1"}], "Quiet": True})
    assert not r.get("Deleted"), r
    assert not r.get("Errors"), r
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["q2"]


def test_delete_objects_1000_keys(s3, bucket):
    keys = [{"Key": "many/%04d" % i} for i in range(1000)]
    s3.put_object(Bucket=bucket, Key="many/0000", Body=b"x")
    s3.put_object(Bucket=bucket, Key="many/0999", Body=b"x")
    r = s3.delete_objects(Bucket=bucket, Delete={"Objects": keys})
    assert len(r["Deleted"]) == 1000
    assert s3.list_objects_v2(Bucket=bucket).get("KeyCount") == 0


def test_delete_objects_over_1000_keys_rejected(s3, bucket):
    s3.put_object(Bucket=bucket, Key="keep", Body=b"x")
    keys = [{"Key": "k%04d" % i} for i in range(1001)] + [{"Key": "keep"}]
    with pytest.raises(ClientError) as ei:
        s3.delete_objects(Bucket=bucket, Delete={"Objects": keys})
    assert client_error(ei.value) == (400, "MalformedXML")
    assert s3.get_object(Bucket=bucket, Key="keep")["Body"].read() == b"x"


def test_user_metadata_round_trip(s3, bucket):
    meta = {"color": "blue", "camelcase": "Value With Spaces", "num": "42"}
    s3.put_object(Bucket=bucket, Key="m", Body=b"x", Metadata=meta)
    assert s3.head_object(Bucket=bucket, Key="m")["Metadata"] == meta
    assert s3.get_object(Bucket=bucket, Key="m")["Metadata"] == meta


def test_user_metadata_names_case_insensitive(raw, bucket):
    r = raw("PUT", obj_path(bucket, "m2"), headers={"X-Amz-Meta-MixedCase": "v1"}, body=b"y")
    assert r.status == 200, r
    h = raw("HEAD", obj_path(bucket, "m2"))
    assert h.headers.get("x-amz-meta-mixedcase") == "v1", h.headers


def test_standard_headers_stored(s3, bucket, raw):
    hdrs = {
        "Content-Type": "image/png",
        "Content-Encoding": "gzip",
        "Content-Disposition": 'inline; filename="a.png"',
        "Content-Language": "en-GB",
        "Cache-Control": "max-age=3600, public",
        "Expires": "Wed, 21 Oct 2037 07:28:00 GMT",
    }
    r = raw("PUT", obj_path(bucket, "h"), headers=hdrs, body=b"\x1f\x8bnotreally")
    assert r.status == 200, r
    for method in ("HEAD", "GET"):
        g = raw(method, obj_path(bucket, "h"))
        assert g.status == 200
        for k, v in hdrs.items():
            got = g.headers.get(k.lower())
            if k == "Expires":
                assert got and email.utils.parsedate_to_datetime(got) == \
                    email.utils.parsedate_to_datetime(v), (method, k, got)
            else:
                assert got == v, (method, k, got)
    h = s3.head_object(Bucket=bucket, Key="h")
    assert h["ContentType"] == "image/png" and h["CacheControl"] == "max-age=3600, public"


def test_default_content_type(raw, bucket):
    r = raw("PUT", obj_path(bucket, "noct"), body=b"x")
    assert r.status == 200
    g = raw("GET", obj_path(bucket, "noct"))
    # AWS stores binary/octet-stream when no Content-Type is given
    assert g.headers.get("content-type") in ("binary/octet-stream",
                                             "application/octet-stream"), g.headers


def test_put_to_bucket_path_with_trailing_slash_key(s3, bucket):
    s3.put_object(Bucket=bucket, Key="folder/", Body=b"")
    assert s3.head_object(Bucket=bucket, Key="folder/")["ContentLength"] == 0
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["folder/"]


def test_user_metadata_too_large(raw, s3, bucket):
    # AWS: user-defined metadata is limited to 2 KB -> 400 MetadataTooLarge
    r = raw("PUT", obj_path(bucket, "bigmeta"), body=b"x",
            headers={"x-amz-meta-big": "v" * 2100})
    assert_error(r, 400, "MetadataTooLarge")
    with pytest.raises(ClientError):
        s3.head_object(Bucket=bucket, Key="bigmeta")


def test_last_modified_advances_on_overwrite(s3, bucket):
    s3.put_object(Bucket=bucket, Key="lm", Body=b"1")
    first = s3.head_object(Bucket=bucket, Key="lm")["LastModified"]
    time.sleep(1.1)
    s3.put_object(Bucket=bucket, Key="lm", Body=b"2")
    second = s3.head_object(Bucket=bucket, Key="lm")["LastModified"]
    assert second > first


def test_boto3_empty_put_then_put_on_same_connection(server, bucket):
    """Debian's botocore sends Expect: 100-continue even with an empty body.
    A 0-byte PUT (e.g. a "folder/" marker) followed by another PUT on the
    same keep-alive connection must both be answered promptly."""
    c = s3util.make_client(server.endpoint, read_timeout=5)
    c.put_object(Bucket=bucket, Key="folder/", Body=b"")
    t0 = time.monotonic()
    c.put_object(Bucket=bucket, Key="folder/file", Body=b"content")
    assert time.monotonic() - t0 < 5
    c.put_object(Bucket=bucket, Key="folder/empty2", Body=b"")
    c.put_object(Bucket=bucket, Key="folder/file2", Body=b"more")
    assert c.get_object(Bucket=bucket, Key="folder/file")["Body"].read() == b"content"
    assert c.get_object(Bucket=bucket, Key="folder/file2")["Body"].read() == b"more"


def test_delete_objects_xml_special_keys(s3, bucket):
    keys = ["a&b", "<tag>", "quote\"s", "sp ace", "ü/日本"]
    for k in keys:
        s3.put_object(Bucket=bucket, Key=k, Body=b"x")
    r = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in keys]})
    assert sorted(d["Key"] for d in r["Deleted"]) == sorted(keys)
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


def test_storage_class_standard_accepted(raw, bucket):
    r = raw("PUT", obj_path(bucket, "sc"), body=b"x", headers={"x-amz-storage-class": "STANDARD"})
    assert r.status == 200, r
    g = raw("HEAD", obj_path(bucket, "sc"))
    assert g.status == 200
    assert g.headers.get("x-amz-storage-class", "STANDARD") == "STANDARD"
