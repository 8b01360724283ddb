"""CopyObject (metadata directives, copy-source conditions, self-copy) and
conditional GET/HEAD/PUT."""

import datetime

import pytest
from botocore.exceptions import ClientError

from s3util import assert_error, client_error, md5hex, obj_path

PAST = datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc)
PAST_HTTP = "Sat, 01 Jan 2000 00:00:00 GMT"


def put_src(s3, bucket, body=b"source body", **kw):
    s3.put_object(Bucket=bucket, Key="src", Body=body, ContentType="text/x-src",
                  Metadata={"origin": "src"}, **kw)
    return s3.head_object(Bucket=bucket, Key="src")


def test_copy_default_copies_metadata(s3, bucket):
    h = put_src(s3, bucket)
    r = s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src"})
    assert r["CopyObjectResult"]["ETag"] == h["ETag"] == '"%s"' % md5hex(b"source body")
    assert r["CopyObjectResult"]["LastModified"]
    d = s3.get_object(Bucket=bucket, Key="dst")
    assert d["Body"].read() == b"source body"
    assert d["ContentType"] == "text/x-src"
    assert d["Metadata"] == {"origin": "src"}


def test_copy_across_buckets_and_large(s3, bucket, make_bucket):
    other = make_bucket("copydst")
    data = bytes(range(256)) * 4096  # 1 MiB, file-backed
    s3.put_object(Bucket=bucket, Key="big", Body=data)
    s3.copy_object(Bucket=other, Key="big-copy", CopySource={"Bucket": bucket, "Key": "big"})
    assert s3.get_object(Bucket=other, Key="big-copy")["Body"].read() == data
    # the source is untouched and independent of the copy
    s3.delete_object(Bucket=bucket, Key="big")
    assert s3.get_object(Bucket=other, Key="big-copy")["Body"].read() == data


def test_copy_replace_metadata(s3, bucket):
    put_src(s3, bucket)
    s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src"},
                   MetadataDirective="REPLACE", ContentType="application/json",
                   Metadata={"new": "yes"})
    d = s3.head_object(Bucket=bucket, Key="dst")
    assert d["ContentType"] == "application/json"
    assert d["Metadata"] == {"new": "yes"}
    s = s3.head_object(Bucket=bucket, Key="src")
    assert s["Metadata"] == {"origin": "src"} and s["ContentType"] == "text/x-src"


def test_copy_missing_source(s3, bucket):
    with pytest.raises(ClientError) as ei:
        s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "nope"})
    assert client_error(ei.value) == (404, "NoSuchKey")


def test_copy_onto_itself_without_replace_is_invalid(s3, bucket):
    put_src(s3, bucket)
    with pytest.raises(ClientError) as ei:
        s3.copy_object(Bucket=bucket, Key="src", CopySource={"Bucket": bucket, "Key": "src"})
    assert client_error(ei.value) == (400, "InvalidRequest")


def test_copy_onto_itself_with_replace(s3, bucket):
    put_src(s3, bucket)
    s3.copy_object(Bucket=bucket, Key="src", CopySource={"Bucket": bucket, "Key": "src"},
                   MetadataDirective="REPLACE", Metadata={"changed": "1"},
                   ContentType="text/plain")
    h = s3.head_object(Bucket=bucket, Key="src")
    assert h["Metadata"] == {"changed": "1"}
    assert h["ContentType"] == "text/plain"
    assert s3.get_object(Bucket=bucket, Key="src")["Body"].read() == b"source body"


@pytest.mark.parametrize("cond", ["if_match_wrong", "if_none_match_same",
                                  "if_modified_since_lm", "if_unmodified_since_past"])
def test_copy_source_conditions_fail(s3, bucket, cond):
    h = put_src(s3, bucket)
    kw = {
        "if_match_wrong": {"CopySourceIfMatch": '"%s"' % ("0" * 32)},
        "if_none_match_same": {"CopySourceIfNoneMatch": h["ETag"]},
        "if_modified_since_lm": {"CopySourceIfModifiedSince": h["LastModified"]},
        "if_unmodified_since_past": {"CopySourceIfUnmodifiedSince": PAST},
    }[cond]
    with pytest.raises(ClientError) as ei:
        s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src"}, **kw)
    assert client_error(ei.value) == (412, "PreconditionFailed")
    with pytest.raises(ClientError):
        s3.head_object(Bucket=bucket, Key="dst")


def test_copy_source_conditions_pass(s3, bucket):
    h = put_src(s3, bucket)
    s3.copy_object(Bucket=bucket, Key="d1", CopySource={"Bucket": bucket, "Key": "src"},
                   CopySourceIfMatch=h["ETag"])
    s3.copy_object(Bucket=bucket, Key="d2", CopySource={"Bucket": bucket, "Key": "src"},
                   CopySourceIfNoneMatch='"%s"' % ("0" * 32))
    s3.copy_object(Bucket=bucket, Key="d3", CopySource={"Bucket": bucket, "Key": "src"},
                   CopySourceIfUnmodifiedSince=h["LastModified"] + datetime.timedelta(seconds=10))
    s3.copy_object(Bucket=bucket, Key="d4", CopySource={"Bucket": bucket, "Key": "src"},
                   CopySourceIfModifiedSince=PAST)
    for k in ("d1", "d2", "d3", "d4"):
        assert s3.get_object(Bucket=bucket, Key=k)["Body"].read() == b"source body"


# ---------------------------------------------------------------- conditional GET

@pytest.fixture
def cobj(s3, bucket, raw):
    s3.put_object(Bucket=bucket, Key="c", Body=b"conditional")
    h = raw("HEAD", obj_path(bucket, "c"))
    return bucket, h.headers["etag"], h.headers["last-modified"]


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_if_match(raw, cobj, method):
    bucket, etag, lm = cobj
    r = raw(method, obj_path(bucket, "c"), headers={"If-Match": '"%s"' % ("f" * 32)})
    assert r.status == 412, r
    if method == "GET":
        assert_error(r, 412, "PreconditionFailed")
    r = raw(method, obj_path(bucket, "c"), headers={"If-Match": etag})
    assert r.status == 200, r
    if method == "GET":
        assert r.body == b"conditional"


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_if_none_match(raw, cobj, method):
    bucket, etag, lm = cobj
    r = raw(method, obj_path(bucket, "c"), headers={"If-None-Match": etag})
    assert r.status == 304, r
    assert r.body == b""
    assert r.headers.get("etag") == etag, r.headers
    r = raw(method, obj_path(bucket, "c"), headers={"If-None-Match": '"%s"' % ("f" * 32)})
    assert r.status == 200, r


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_if_modified_since(raw, cobj, method):
    bucket, etag, lm = cobj
    r = raw(method, obj_path(bucket, "c"), headers={"If-Modified-Since": lm})
    assert r.status == 304, r
    assert r.body == b""
    r = raw(method, obj_path(bucket, "c"), headers={"If-Modified-Since": PAST_HTTP})
    assert r.status == 200, r


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_if_unmodified_since(raw, cobj, method):
    bucket, etag, lm = cobj
    r = raw(method, obj_path(bucket, "c"), headers={"If-Unmodified-Since": PAST_HTTP})
    assert r.status == 412, r
    if method == "GET":
        assert_error(r, 412, "PreconditionFailed")
    r = raw(method, obj_path(bucket, "c"), headers={"If-Unmodified-Since": lm})
    assert r.status == 200, r


def test_if_match_true_and_unmodified_since_false_is_200(raw, cobj):
    # AWS: If-Match true + If-Unmodified-Since false -> 200
    bucket, etag, lm = cobj
    r = raw("GET", obj_path(bucket, "c"),
            headers={"If-Match": etag, "If-Unmodified-Since": PAST_HTTP})
    assert r.status == 200, r


def test_if_none_match_false_and_modified_since_true_is_304(raw, cobj):
    # AWS: If-None-Match false + If-Modified-Since true -> 304
    bucket, etag, lm = cobj
    r = raw("GET", obj_path(bucket, "c"),
            headers={"If-None-Match": etag, "If-Modified-Since": PAST_HTTP})
    assert r.status == 304, r


def test_boto3_conditional_get(s3, cobj):
    bucket, etag, lm = cobj
    with pytest.raises(ClientError) as ei:
        s3.get_object(Bucket=bucket, Key="c", IfMatch='"%s"' % ("f" * 32))
    assert client_error(ei.value) == (412, "PreconditionFailed")
    with pytest.raises(ClientError) as ei:
        s3.get_object(Bucket=bucket, Key="c", IfNoneMatch=etag)
    assert client_error(ei.value)[0] == 304


# ---------------------------------------------------------------- conditional PUT

def test_put_if_none_match_star(raw, s3, bucket):
    p = obj_path(bucket, "cp")
    r = raw("PUT", p, headers={"If-None-Match": "*"}, body=b"first")
    assert r.status == 200, r
    r = raw("PUT", p, headers={"If-None-Match": "*"}, body=b"second")
    assert_error(r, 412, "PreconditionFailed")
    assert s3.get_object(Bucket=bucket, Key="cp")["Body"].read() == b"first"


def test_put_if_match(raw, s3, bucket):
    p = obj_path(bucket, "cm")
    s3.put_object(Bucket=bucket, Key="cm", Body=b"v1")
    etag = '"%s"' % md5hex(b"v1")
    r = raw("PUT", p, headers={"If-Match": '"%s"' % ("0" * 32)}, body=b"v2")
    assert_error(r, 412, "PreconditionFailed")
    assert s3.get_object(Bucket=bucket, Key="cm")["Body"].read() == b"v1"
    r = raw("PUT", p, headers={"If-Match": etag}, body=b"v3")
    assert r.status == 200, r
    assert s3.get_object(Bucket=bucket, Key="cm")["Body"].read() == b"v3"


def test_put_if_match_on_missing_key(raw, s3, bucket):
    r = raw("PUT", obj_path(bucket, "absent"), headers={"If-Match": '"%s"' % md5hex(b"x")},
            body=b"x")
    assert_error(r, 404, "NoSuchKey")
    with pytest.raises(ClientError):
        s3.head_object(Bucket=bucket, Key="absent")


def test_copy_source_with_special_characters(s3, bucket):
    src = "dir/ü sp+ace%25 & more?.txt"
    s3.put_object(Bucket=bucket, Key=src, Body=b"special")
    s3.copy_object(Bucket=bucket, Key="dst/ok", CopySource={"Bucket": bucket, "Key": src})
    assert s3.get_object(Bucket=bucket, Key="dst/ok")["Body"].read() == b"special"


def test_copy_from_missing_bucket(s3, bucket):
    with pytest.raises(ClientError) as ei:
        s3.copy_object(Bucket=bucket, Key="dst",
                       CopySource={"Bucket": bucket + "-nope", "Key": "x"})
    assert client_error(ei.value) == (404, "NoSuchBucket")
