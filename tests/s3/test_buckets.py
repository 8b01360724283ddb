"""Bucket operations: CreateBucket, HeadBucket, DeleteBucket, ListBuckets,
GetBucketLocation, and virtual-host style addressing."""

import datetime
import hashlib
import xml.etree.ElementTree as ET
from urllib.parse import quote

import pytest
from botocore.exceptions import ClientError

import s3util
from s3util import assert_error, client_error
from conftest import unique_bucket_name


def test_create_list_head_delete(s3):
    name = unique_bucket_name("lifecycle")
    r = s3.create_bucket(Bucket=name)
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 200
    try:
        before = datetime.datetime.now(datetime.timezone.utc)
        listed = {b["Name"]: b for b in s3.list_buckets()["Buckets"]}
        assert name in listed
        created = listed[name]["CreationDate"]
        assert abs((before - created).total_seconds()) < 300, created
        assert s3.head_bucket(Bucket=name)["ResponseMetadata"]["HTTPStatusCode"] == 200
    finally:
        r = s3.delete_bucket(Bucket=name)
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert name not in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    with pytest.raises(ClientError) as ei:
        s3.head_bucket(Bucket=name)
    assert client_error(ei.value)[0] == 404


def test_list_buckets_xml_has_owner(raw):
    r = raw("GET", "/")
    assert r.status == 200, r
    root = ET.fromstring(r.body)
    assert root.tag.endswith("ListAllMyBucketsResult"), r.body[:200]
    assert s3util.xml_find_all(r.body, "Owner"), r.body[:500]
    assert s3util.xml_find_all(r.body, "Buckets"), r.body[:500]


def test_create_existing_bucket_is_409(s3, bucket):
    with pytest.raises(ClientError) as ei:
        s3.create_bucket(Bucket=bucket)
    assert client_error(ei.value) == (409, "BucketAlreadyOwnedByYou")


@pytest.mark.parametrize("name", [
    "ab",                      # too short
    "a" * 64,                  # too long
    "UpperCase-bucket",        # uppercase
    "under_score-bucket",      # underscore
    "-starts-with-dash",
    "ends-with-dash-",
    "double..dots",
    "192.168.5.4",             # IP address form
    "bad!char",
])
def test_invalid_bucket_names(raw, s3, name):
    r = raw("PUT", "/" + quote(name, safe=""))
    assert_error(r, 400, "InvalidBucketName")
    assert name not in [b["Name"] for b in s3.list_buckets()["Buckets"]]


@pytest.mark.parametrize("name", ["abc", "a" * 63, "my.bucket.name", "0-9.a-b"])
def test_valid_edge_bucket_names(s3, name):
    name = name if len(name) == 63 else name + "-" + unique_bucket_name("v")[-10:]
    s3.create_bucket(Bucket=name)
    try:
        assert s3.head_bucket(Bucket=name)["ResponseMetadata"]["HTTPStatusCode"] == 200
    finally:
        s3.delete_bucket(Bucket=name)


def test_head_missing_bucket_is_404_no_body(raw):
    r = raw("HEAD", "/" + unique_bucket_name("missing"))
    assert r.status == 404, r
    assert r.body == b""
    assert "x-amz-request-id" in r.headers


def test_delete_missing_bucket(s3):
    with pytest.raises(ClientError) as ei:
        s3.delete_bucket(Bucket=unique_bucket_name("missing"))
    assert client_error(ei.value) == (404, "NoSuchBucket")


def test_delete_nonempty_bucket(s3, bucket):
    s3.put_object(Bucket=bucket, Key="x", Body=b"x")
    with pytest.raises(ClientError) as ei:
        s3.delete_bucket(Bucket=bucket)
    assert client_error(ei.value) == (409, "BucketNotEmpty")
    assert s3.get_object(Bucket=bucket, Key="x")["Body"].read() == b"x"


def test_object_ops_on_missing_bucket(s3):
    name = unique_bucket_name("missing")
    with pytest.raises(ClientError) as ei:
        s3.put_object(Bucket=name, Key="k", Body=b"x")
    assert client_error(ei.value) == (404, "NoSuchBucket")
    with pytest.raises(ClientError) as ei:
        s3.get_object(Bucket=name, Key="k")
    assert client_error(ei.value) == (404, "NoSuchBucket")
    with pytest.raises(ClientError) as ei:
        s3.list_objects_v2(Bucket=name)
    assert client_error(ei.value) == (404, "NoSuchBucket")


def test_get_bucket_location(s3, bucket, raw):
    r = s3.get_bucket_location(Bucket=bucket)
    # us-east-1 buckets have an empty LocationConstraint (AWS API reference)
    assert r.get("LocationConstraint") in (None, ""), r
    rr = raw("GET", "/" + bucket, "location")
    assert rr.status == 200
    assert ET.fromstring(rr.body).tag.endswith("LocationConstraint"), rr.body


def test_get_bucket_location_missing_bucket(s3):
    with pytest.raises(ClientError) as ei:
        s3.get_bucket_location(Bucket=unique_bucket_name("missing"))
    assert client_error(ei.value) == (404, "NoSuchBucket")


def test_virtual_host_style(make_server):
    srv = make_server(args=["--domain", "localhost"])
    b = "vhost-bucket"
    host = "%s.localhost:%d" % (b, srv.port)
    # create bucket path-style, write and read the object virtual-host style
    assert s3util.raw_request(srv.hostport, "PUT", "/" + b).status == 200
    body = b"hello virtual host"
    # raw_request connects to its first argument; the Host header names the bucket
    r = s3util.raw_request(srv.hostport, "PUT", "/dir/k.txt",
                           headers={"Host": host}, body=body, signed=False)
    # an unsigned request must be refused even on the vhost route
    assert r.status == 403, r
    hdrs, _, _ = s3util.sign("PUT", host, "/dir/k.txt", "", {},
                             hashlib.sha256(body).hexdigest())
    s = s3util.connect(srv.hostport)
    try:
        hdrs["Connection"] = "close"
        s.sendall(s3util.build_request("PUT", "/dir/k.txt", "", hdrs, body))
        r = s3util.read_response(s.makefile("rb"), "PUT")
    finally:
        s.close()
    assert r.status == 200, r
    # path-style sees the same object
    r = s3util.raw_request(srv.hostport, "GET", "/%s/dir/k.txt" % b)
    assert r.status == 200 and r.body == body, r
    # vhost GET and vhost listing
    for path, query in (("/dir/k.txt", ""), ("/", "list-type=2")):
        hdrs, _, _ = s3util.sign("GET", host, path, query, {}, s3util.EMPTY_SHA256)
        hdrs["Connection"] = "close"
        s = s3util.connect(srv.hostport)
        try:
            s.sendall(s3util.build_request("GET", path, query, hdrs))
            r = s3util.read_response(s.makefile("rb"), "GET")
        finally:
            s.close()
        assert r.status == 200, (path, r)
        if path == "/":
            assert [k.text for k in s3util.xml_find_all(r.body, "Key")] == ["dir/k.txt"]
            assert s3util.xml_find_all(r.body, "Name")[0].text == b
        else:
            assert r.body == body
    # path-style still works on a server with --domain
    assert s3util.raw_request(srv.hostport, "GET", "/").status == 200


def test_recreate_deleted_bucket_is_empty(s3):
    name = unique_bucket_name("recreate")
    s3.create_bucket(Bucket=name)
    s3.put_object(Bucket=name, Key="old", Body=b"x")
    s3.delete_object(Bucket=name, Key="old")
    s3.delete_bucket(Bucket=name)
    s3.create_bucket(Bucket=name)
    try:
        assert s3.list_objects_v2(Bucket=name)["KeyCount"] == 0
        with pytest.raises(ClientError) as ei:
            s3.get_object(Bucket=name, Key="old")
        assert client_error(ei.value) == (404, "NoSuchKey")
    finally:
        s3.delete_bucket(Bucket=name)
