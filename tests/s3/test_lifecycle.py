"""Lifecycle rules enforced by the scanner, end to end, with the
documented test clock (CAIRN_TEST_LIFECYCLE_DAY_SECONDS=1: a day is a
second): expiration by days with prefix, tag and size filters,
noncurrent versions with NewerNoncurrentVersions, expired delete markers,
aborting incomplete uploads, locked versions kept, x-amz-expiration, and
the configuration API."""

import time

import pytest
from botocore.exceptions import ClientError

import s3util
from s3util import make_client

ENV = {"CAIRN_TEST_LIFECYCLE_DAY_SECONDS": "1", "CAIRN_LIFECYCLE_INTERVAL_MS": "200"}


def wait_for(fn, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if fn():
            return True
        time.sleep(0.2)
    return fn()


def keys(c, bucket):
    return sorted(o["Key"] for o in c.list_objects_v2(Bucket=bucket).get("Contents", []))


def test_configuration_api(s3, bucket):
    with pytest.raises(ClientError) as e:
        s3.get_bucket_lifecycle_configuration(Bucket=bucket)
    assert s3util.client_error(e.value) == (404, "NoSuchLifecycleConfiguration")
    rules = {"Rules": [{"ID": "exports", "Status": "Enabled", "Filter": {"Prefix": "exports/"},
                        "Expiration": {"Days": 30}}]}
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration=rules)
    got = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert got[0]["ID"] == "exports" and got[0]["Expiration"]["Days"] == 30
    s3.put_object(Bucket=bucket, Key="exports/a.csv", Body=b"x")
    h = s3.head_object(Bucket=bucket, Key="exports/a.csv")
    assert 'rule-id="exports"' in h["ResponseMetadata"]["HTTPHeaders"]["x-amz-expiration"]
    s3.put_object(Bucket=bucket, Key="other", Body=b"x")
    assert "x-amz-expiration" not in s3.head_object(Bucket=bucket, Key="other")["ResponseMetadata"]["HTTPHeaders"]
    with pytest.raises(ClientError) as e:
        s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [
            {"ID": "t", "Status": "Enabled", "Filter": {"Prefix": ""},
             "Transitions": [{"Days": 1, "StorageClass": "GLACIER"}]}]})
    assert s3util.client_error(e.value) == (501, "NotImplemented")
    s3.delete_bucket_lifecycle(Bucket=bucket)
    with pytest.raises(ClientError):
        s3.get_bucket_lifecycle_configuration(Bucket=bucket)


def test_expiration_header_follows_configuration_changes(s3, bucket):
    """The rules GET/HEAD answer with are cached per bucket: a new
    configuration, its deletion, and a deleted and recreated bucket must
    show at once."""
    def expiration(key):
        return s3.head_object(Bucket=bucket, Key=key)["ResponseMetadata"]["HTTPHeaders"].get("x-amz-expiration")

    def rules(rule_id, prefix):
        return {"Rules": [{"ID": rule_id, "Status": "Enabled", "Filter": {"Prefix": prefix},
                           "Expiration": {"Days": 30}}]}

    s3.put_object(Bucket=bucket, Key="logs/a", Body=b"x")
    assert expiration("logs/a") is None
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration=rules("first", "logs/"))
    assert 'rule-id="first"' in expiration("logs/a")
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration=rules("second", "logs/"))
    assert 'rule-id="second"' in expiration("logs/a")
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration=rules("elsewhere", "tmp/"))
    assert expiration("logs/a") is None
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration=rules("third", ""))
    assert 'rule-id="third"' in expiration("logs/a")
    s3.delete_bucket_lifecycle(Bucket=bucket)
    assert expiration("logs/a") is None
    # a bucket deleted and made again under the same name starts without rules
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration=rules("old", ""))
    assert 'rule-id="old"' in expiration("logs/a")
    s3.delete_object(Bucket=bucket, Key="logs/a")
    s3.delete_bucket(Bucket=bucket)
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="logs/a", Body=b"x")
    assert expiration("logs/a") is None


def test_expiration_with_filters(make_server):
    srv = make_server(env_extra=ENV)
    c = make_client(srv.endpoint)
    c.create_bucket(Bucket="orders")
    c.put_bucket_lifecycle_configuration(Bucket="orders", LifecycleConfiguration={"Rules": [
        {"ID": "exports", "Status": "Enabled", "Filter": {"Prefix": "exports/"}, "Expiration": {"Days": 2}},
        {"ID": "tagged", "Status": "Enabled", "Filter": {"Tag": {"Key": "tmp", "Value": "yes"}}, "Expiration": {"Days": 2}},
        {"ID": "big", "Status": "Enabled", "Filter": {"ObjectSizeGreaterThan": 1000}, "Expiration": {"Days": 2}},
        {"ID": "off", "Status": "Disabled", "Filter": {"Prefix": "keep/"}, "Expiration": {"Days": 1}},
    ]})
    c.put_object(Bucket="orders", Key="exports/2026-11.csv", Body=b"x")
    c.put_object(Bucket="orders", Key="receipts/r1.pdf", Body=b"x")
    c.put_object(Bucket="orders", Key="scratch", Body=b"x", Tagging="tmp=yes")
    c.put_object(Bucket="orders", Key="large.bin", Body=b"x" * 2000)
    c.put_object(Bucket="orders", Key="keep/k", Body=b"x")
    assert keys(c, "orders") == ["exports/2026-11.csv", "keep/k", "large.bin", "receipts/r1.pdf", "scratch"]
    assert wait_for(lambda: keys(c, "orders") == ["keep/k", "receipts/r1.pdf"]), keys(c, "orders")


def test_noncurrent_versions_and_markers(make_server):
    srv = make_server(env_extra=ENV)
    c = make_client(srv.endpoint)
    c.create_bucket(Bucket="models")
    c.put_bucket_versioning(Bucket="models", VersioningConfiguration={"Status": "Enabled"})
    vids = [c.put_object(Bucket="models", Key="m", Body=b"%d" % i)["VersionId"] for i in range(4)]
    c.put_object(Bucket="models", Key="gone", Body=b"g")
    c.delete_object(Bucket="models", Key="gone")
    c.put_bucket_lifecycle_configuration(Bucket="models", LifecycleConfiguration={"Rules": [
        {"ID": "keep-one", "Status": "Enabled", "Filter": {"Prefix": "m"},
         "NoncurrentVersionExpiration": {"NoncurrentDays": 2, "NewerNoncurrentVersions": 1}},
        {"ID": "gone", "Status": "Enabled", "Filter": {"Prefix": "gone"},
         "NoncurrentVersionExpiration": {"NoncurrentDays": 2},
         "Expiration": {"ExpiredObjectDeleteMarker": True}}]})
    time.sleep(2.5)

    def state():
        r = c.list_object_versions(Bucket="models")
        return ([v["VersionId"] for v in r.get("Versions", []) if v["Key"] == "m"],
                [m for m in r.get("DeleteMarkers", [])] + [v for v in r.get("Versions", []) if v["Key"] == "gone"])
    # the latest and the newest noncurrent version of "m" stay
    assert wait_for(lambda: state()[0] == [vids[3], vids[2]]), state()
    # "gone": its only (noncurrent) version expires, then the lone marker
    assert wait_for(lambda: state()[1] == []), state()
    assert c.get_object(Bucket="models", Key="m")["Body"].read() == b"3"


def test_abort_incomplete_uploads(make_server):
    srv = make_server(env_extra=ENV)
    c = make_client(srv.endpoint)
    c.create_bucket(Bucket="videos")
    uid = c.create_multipart_upload(Bucket="videos", Key="v.mp4")["UploadId"]
    c.upload_part(Bucket="videos", Key="v.mp4", UploadId=uid, PartNumber=1, Body=b"p")
    c.put_bucket_lifecycle_configuration(Bucket="videos", LifecycleConfiguration={"Rules": [
        {"ID": "mpu", "Status": "Enabled", "Filter": {"Prefix": ""},
         "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}}]})
    assert wait_for(lambda: not c.list_multipart_uploads(Bucket="videos").get("Uploads"))


def test_locked_versions_are_kept(make_server):
    import datetime
    srv = make_server(env_extra=ENV)
    c = make_client(srv.endpoint)
    c.create_bucket(Bucket="receipts", ObjectLockEnabledForBucket=True)
    until = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=1)
    v = c.put_object(Bucket="receipts", Key="r", Body=b"r", ObjectLockMode="COMPLIANCE",
                     ObjectLockRetainUntilDate=until)["VersionId"]
    c.put_object(Bucket="receipts", Key="r", Body=b"r2")
    c.put_bucket_lifecycle_configuration(Bucket="receipts", LifecycleConfiguration={"Rules": [
        {"ID": "nc", "Status": "Enabled", "Filter": {"Prefix": ""},
         "NoncurrentVersionExpiration": {"NoncurrentDays": 1}}]})
    time.sleep(4)
    assert c.get_object(Bucket="receipts", Key="r", VersionId=v)["Body"].read() == b"r"
