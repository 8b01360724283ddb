"""Bucket versioning with the AWS semantics: versions and their ids, delete
markers, restoring by deleting a marker, the null version (objects written
before versioning or while it is suspended), ListObjectVersions paging,
versioned DeleteObjects, CopyObject from a version, multipart completes
making versions, and noncurrent data surviving restarts."""

import hashlib
import os

import pytest
from botocore.exceptions import ClientError

import s3util
from s3util import make_client


def enable(s3, bucket, status="Enabled"):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": status})


def versions(s3, bucket, **kw):
    r = s3.list_object_versions(Bucket=bucket, **kw)
    return [(v["Key"], v["VersionId"], v["IsLatest"]) for v in r.get("Versions", [])], \
           [(m["Key"], m["VersionId"], m["IsLatest"]) for m in r.get("DeleteMarkers", [])]


def test_versioning_status(s3, bucket):
    assert "Status" not in s3.get_bucket_versioning(Bucket=bucket)
    enable(s3, bucket)
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    enable(s3, bucket, "Suspended")
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Suspended"


def test_versions_and_delete_markers(s3, bucket):
    s3.put_object(Bucket=bucket, Key="before", Body=b"null version")   # before enabling: "null"
    enable(s3, bucket)
    v1 = s3.put_object(Bucket=bucket, Key="k", Body=b"one")["VersionId"]
    v2 = s3.put_object(Bucket=bucket, Key="k", Body=b"two")["VersionId"]
    assert v1 and v2 and v1 != v2 and v1 != "null"
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"two"
    assert s3.get_object(Bucket=bucket, Key="k", VersionId=v1)["Body"].read() == b"one"
    assert s3.head_object(Bucket=bucket, Key="k")["VersionId"] == v2
    vs, ms = versions(s3, bucket)
    assert vs == [("before", "null", True), ("k", v2, True), ("k", v1, False)]
    assert ms == []
    assert s3.get_object(Bucket=bucket, Key="before", VersionId="null")["Body"].read() == b"null version"

    d = s3.delete_object(Bucket=bucket, Key="k")
    assert d["DeleteMarker"] is True and d["VersionId"]
    marker = d["VersionId"]
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket, Key="k")
    assert s3util.client_error(e.value)[0] == 404
    assert e.value.response["ResponseMetadata"]["HTTPHeaders"].get("x-amz-delete-marker") == "true"
    assert "k" not in [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
    with pytest.raises(ClientError) as e:
        s3.head_object(Bucket=bucket, Key="k", VersionId=marker)
    assert s3util.client_error(e.value)[0] == 405
    vs, ms = versions(s3, bucket, Prefix="k")
    assert ms == [("k", marker, True)] and vs == [("k", v2, False), ("k", v1, False)]
    # deleting the marker brings the object back
    s3.delete_object(Bucket=bucket, Key="k", VersionId=marker)
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"two"
    # deleting the latest version makes the previous one current
    s3.delete_object(Bucket=bucket, Key="k", VersionId=v2)
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"one"
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket, Key="k", VersionId=v2)
    assert s3util.client_error(e.value) == (404, "NoSuchVersion")
    s3.delete_object(Bucket=bucket, Key="k", VersionId=v1)
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket, Key="k")
    assert s3util.client_error(e.value)[0] == 404
    # a bucket with versions left is not empty
    s3.delete_object(Bucket=bucket, Key="before")              # a marker over "null"
    with pytest.raises(ClientError) as e:
        s3.delete_bucket(Bucket=bucket)
    assert s3util.client_error(e.value) == (409, "BucketNotEmpty")
    for key, vid, _ in sum(versions(s3, bucket), []):
        s3.delete_object(Bucket=bucket, Key=key, VersionId=vid)
    assert versions(s3, bucket) == ([], [])


def test_suspended_writes_replace_the_null_version(s3, bucket):
    enable(s3, bucket)
    v1 = s3.put_object(Bucket=bucket, Key="k", Body=b"versioned")["VersionId"]
    enable(s3, bucket, "Suspended")
    r = s3.put_object(Bucket=bucket, Key="k", Body=b"null 1")
    assert "VersionId" not in r   # the null version is not announced (MinIO, RGW)
    s3.put_object(Bucket=bucket, Key="k", Body=b"null 2")
    vs, _ = versions(s3, bucket)
    assert vs == [("k", "null", True), ("k", v1, False)]
    assert s3.get_object(Bucket=bucket, Key="k", VersionId="null")["Body"].read() == b"null 2"
    d = s3.delete_object(Bucket=bucket, Key="k")               # a null delete marker replaces it
    assert d["DeleteMarker"] is True and d.get("VersionId") == "null"
    vs, ms = versions(s3, bucket)
    assert vs == [("k", v1, False)] and ms == [("k", "null", True)]


def test_list_versions_paging(s3, bucket):
    enable(s3, bucket)
    ids = {}
    for key in ("a", "b", "c"):
        for i in range(4):
            ids.setdefault(key, []).insert(0, s3.put_object(Bucket=bucket, Key=key, Body=b"%d" % i)["VersionId"])
    seen, kw = [], {}
    for _ in range(20):
        r = s3.list_object_versions(Bucket=bucket, MaxKeys=5, **kw)
        seen += [(v["Key"], v["VersionId"], v["IsLatest"]) for v in r.get("Versions", [])]
        if not r["IsTruncated"]:
            break
        kw = {"KeyMarker": r["NextKeyMarker"], "VersionIdMarker": r["NextVersionIdMarker"]}
    want = [(k, v, i == 0) for k in ("a", "b", "c") for i, v in enumerate(ids[k])]
    assert seen == want


def test_delete_objects_with_versions(s3, bucket):
    enable(s3, bucket)
    v1 = s3.put_object(Bucket=bucket, Key="x", Body=b"1")["VersionId"]
    s3.put_object(Bucket=bucket, Key="y", Body=b"2")
    r = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "x", "VersionId": v1}, {"Key": "y"}]})
    got = {d["Key"]: d for d in r["Deleted"]}
    assert got["x"]["VersionId"] == v1
    assert got["y"]["DeleteMarker"] is True and got["y"]["DeleteMarkerVersionId"]
    with pytest.raises(ClientError):
        s3.get_object(Bucket=bucket, Key="x", VersionId=v1)


def test_copy_from_version_and_multipart_version(s3, bucket):
    enable(s3, bucket)
    v1 = s3.put_object(Bucket=bucket, Key="src", Body=b"first")["VersionId"]
    s3.put_object(Bucket=bucket, Key="src", Body=b"second")
    r = s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src", "VersionId": v1})
    assert r["CopySourceVersionId"] == v1 and r["VersionId"]
    assert s3.get_object(Bucket=bucket, Key="dst")["Body"].read() == b"first"
    uid = s3.create_multipart_upload(Bucket=bucket, Key="mp")["UploadId"]
    e = s3.upload_part(Bucket=bucket, Key="mp", UploadId=uid, PartNumber=1, Body=b"part")["ETag"]
    c = s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=uid,
                                     MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": e}]})
    assert c["VersionId"]
    assert s3.head_object(Bucket=bucket, Key="mp")["VersionId"] == c["VersionId"]


def test_noncurrent_data_survives_restart(make_server):
    """The start-up sweep of unreferenced data must count noncurrent
    versions as referenced."""
    srv = make_server()
    c = make_client(srv.endpoint)
    c.create_bucket(Bucket="keep")
    c.put_bucket_versioning(Bucket="keep", VersioningConfiguration={"Status": "Enabled"})
    old = os.urandom(2 * 1024 * 1024)
    v1 = c.put_object(Bucket="keep", Key="model", Body=old)["VersionId"]
    c.put_object(Bucket="keep", Key="model", Body=os.urandom(2 * 1024 * 1024))
    c.delete_object(Bucket="keep", Key="model")
    srv.stop(10)
    srv.start()
    c = make_client(srv.endpoint)
    import time
    time.sleep(1)
    got = c.get_object(Bucket="keep", Key="model", VersionId=v1)["Body"].read()
    assert hashlib.md5(got).hexdigest() == hashlib.md5(old).hexdigest()


def test_attributes_and_acl_of_a_version(s3, bucket):
    enable(s3, bucket)
    v1 = s3.put_object(Bucket=bucket, Key="k", Body=b"first")["VersionId"]
    s3.put_object(Bucket=bucket, Key="k", Body=b"second, longer")
    a = s3.get_object_attributes(Bucket=bucket, Key="k", VersionId=v1, ObjectAttributes=["ETag", "ObjectSize"])
    assert a["ObjectSize"] == 5 and a["ETag"] == hashlib.md5(b"first").hexdigest() and a["VersionId"] == v1
    cur = s3.get_object_attributes(Bucket=bucket, Key="k", ObjectAttributes=["ObjectSize"])
    assert cur["ObjectSize"] == len(b"second, longer")
    acl = s3.get_object_acl(Bucket=bucket, Key="k", VersionId=v1)
    assert acl["Grants"][0]["Permission"] == "FULL_CONTROL"
    with pytest.raises(ClientError) as e:
        s3.get_object_attributes(Bucket=bucket, Key="k", VersionId="0" * 32, ObjectAttributes=["ETag"])
    assert s3util.client_error(e.value) == (404, "NoSuchVersion")
    with pytest.raises(ClientError) as e:
        s3.get_object_acl(Bucket=bucket, Key="k", VersionId="0" * 32)
    assert s3util.client_error(e.value) == (404, "NoSuchVersion")


@pytest.mark.parametrize("body", [
    b"<VersioningConfiguration><Status>Enabled</Status>",                       # not closed
    b"<Versioning><Status>Enabled</Status></Versioning>",                       # another root
    b"<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration><x/>",
    b"<VersioningConfiguration><Status>Sometimes</Status></VersioningConfiguration>",
])
def test_bad_versioning_document(raw, bucket, s3, body):
    r = raw("PUT", "/%s" % bucket, "versioning", body=body)
    s3util.assert_error(r, 400, "MalformedXML")
    assert "Status" not in s3.get_bucket_versioning(Bucket=bucket)


def test_bad_lock_documents(raw, s3, make_bucket):
    b = make_bucket("badlock")
    s3.delete_bucket(Bucket=b)
    s3.create_bucket(Bucket=b, ObjectLockEnabledForBucket=True)
    s3.put_object(Bucket=b, Key="k", Body=b"x")
    for sub, body in [("object-lock", b"<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled>"),
                      ("retention", b"<Retention><Mode>GOVERNANCE</Mode><RetainUntilDate>2030-01-01T00:00:00Z"),
                      ("legal-hold", b"<Hold><Status>ON</Status></Hold>")]:
        path = "/%s" % b if sub == "object-lock" else "/%s/k" % b
        s3util.assert_error(raw("PUT", path, sub, body=body), 400, "MalformedXML")
    assert s3.get_object_legal_hold(Bucket=b, Key="k")["LegalHold"]["Status"] == "OFF"
