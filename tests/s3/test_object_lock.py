"""Object lock (WORM): buckets created with lock, retention in GOVERNANCE
and COMPLIANCE modes, legal holds, default retention, and that a locked
version cannot be deleted by anyone, root included, until its retention
ends (GOVERNANCE yields to x-amz-bypass-governance-retention)."""

import datetime
import time
import uuid

import pytest
from botocore.exceptions import ClientError

import s3util


def utc_in(seconds):
    return datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=seconds)


@pytest.fixture
def lock_bucket(s3):
    name = "lock-" + uuid.uuid4().hex[:16]
    s3.create_bucket(Bucket=name, ObjectLockEnabledForBucket=True)
    yield name
    # locked versions may outlive the test; leave the bucket (tmp data dir)


def denied(fn):
    with pytest.raises(ClientError) as e:
        fn()
    assert s3util.client_error(e.value)[0] == 403, e.value.response
    return e.value


def test_lock_bucket_is_versioned_and_configured(s3, lock_bucket):
    assert s3.get_bucket_versioning(Bucket=lock_bucket)["Status"] == "Enabled"
    cfg = s3.get_object_lock_configuration(Bucket=lock_bucket)["ObjectLockConfiguration"]
    assert cfg["ObjectLockEnabled"] == "Enabled"
    with pytest.raises(ClientError) as e:
        s3.put_bucket_versioning(Bucket=lock_bucket, VersioningConfiguration={"Status": "Suspended"})
    assert s3util.client_error(e.value) == (409, "InvalidBucketState")


def test_compliance_blocks_everyone(s3, lock_bucket):
    v = s3.put_object(Bucket=lock_bucket, Key="receipt.pdf", Body=b"receipt", ObjectLockMode="COMPLIANCE",
                      ObjectLockRetainUntilDate=utc_in(86400))["VersionId"]
    h = s3.head_object(Bucket=lock_bucket, Key="receipt.pdf")
    assert h["ObjectLockMode"] == "COMPLIANCE"
    denied(lambda: s3.delete_object(Bucket=lock_bucket, Key="receipt.pdf", VersionId=v))
    denied(lambda: s3.delete_object(Bucket=lock_bucket, Key="receipt.pdf", VersionId=v, BypassGovernanceRetention=True))
    # shortening is refused, extending is allowed
    denied(lambda: s3.put_object_retention(Bucket=lock_bucket, Key="receipt.pdf", VersionId=v,
                                           Retention={"Mode": "COMPLIANCE", "RetainUntilDate": utc_in(60)}))
    s3.put_object_retention(Bucket=lock_bucket, Key="receipt.pdf", VersionId=v,
                            Retention={"Mode": "COMPLIANCE", "RetainUntilDate": utc_in(2 * 86400)})
    r = s3.get_object_retention(Bucket=lock_bucket, Key="receipt.pdf", VersionId=v)["Retention"]
    assert r["Mode"] == "COMPLIANCE" and r["RetainUntilDate"] > utc_in(86400)
    # a plain delete only adds a marker: the locked version is still there
    d = s3.delete_object(Bucket=lock_bucket, Key="receipt.pdf")
    assert d["DeleteMarker"] is True
    assert s3.get_object(Bucket=lock_bucket, Key="receipt.pdf", VersionId=v)["Body"].read() == b"receipt"
    # DeleteObjects is held to the same rule
    r = s3.delete_objects(Bucket=lock_bucket, Delete={"Objects": [{"Key": "receipt.pdf", "VersionId": v}]})
    assert r["Errors"][0]["Code"] == "AccessDenied"


def test_governance_yields_to_bypass(s3, lock_bucket):
    v = s3.put_object(Bucket=lock_bucket, Key="g", Body=b"g", ObjectLockMode="GOVERNANCE",
                      ObjectLockRetainUntilDate=utc_in(86400))["VersionId"]
    denied(lambda: s3.delete_object(Bucket=lock_bucket, Key="g", VersionId=v))
    denied(lambda: s3.put_object_retention(Bucket=lock_bucket, Key="g", VersionId=v,
                                           Retention={"Mode": "GOVERNANCE", "RetainUntilDate": utc_in(10)}))
    s3.delete_object(Bucket=lock_bucket, Key="g", VersionId=v, BypassGovernanceRetention=True)
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=lock_bucket, Key="g", VersionId=v)
    assert s3util.client_error(e.value)[0] == 404


def test_legal_hold(s3, lock_bucket):
    v = s3.put_object(Bucket=lock_bucket, Key="h", Body=b"h", ObjectLockLegalHoldStatus="ON")["VersionId"]
    assert s3.get_object_legal_hold(Bucket=lock_bucket, Key="h")["LegalHold"]["Status"] == "ON"
    denied(lambda: s3.delete_object(Bucket=lock_bucket, Key="h", VersionId=v, BypassGovernanceRetention=True))
    s3.put_object_legal_hold(Bucket=lock_bucket, Key="h", VersionId=v, LegalHold={"Status": "OFF"})
    s3.delete_object(Bucket=lock_bucket, Key="h", VersionId=v)


def test_retention_expires(s3, lock_bucket):
    v = s3.put_object(Bucket=lock_bucket, Key="short", Body=b"s", ObjectLockMode="COMPLIANCE",
                      ObjectLockRetainUntilDate=utc_in(2))["VersionId"]
    denied(lambda: s3.delete_object(Bucket=lock_bucket, Key="short", VersionId=v))
    time.sleep(3)
    s3.delete_object(Bucket=lock_bucket, Key="short", VersionId=v)


def test_default_retention(s3, lock_bucket):
    s3.put_object_lock_configuration(Bucket=lock_bucket, ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}}})
    v = s3.put_object(Bucket=lock_bucket, Key="d", Body=b"d")["VersionId"]
    r = s3.get_object_retention(Bucket=lock_bucket, Key="d")["Retention"]
    assert r["Mode"] == "GOVERNANCE" and r["RetainUntilDate"] > utc_in(86000)
    denied(lambda: s3.delete_object(Bucket=lock_bucket, Key="d", VersionId=v))


def test_lock_headers_need_a_lock_bucket(s3, bucket):
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket=bucket, Key="x", Body=b"x", ObjectLockMode="GOVERNANCE",
                      ObjectLockRetainUntilDate=utc_in(60))
    assert s3util.client_error(e.value)[0] == 400
    with pytest.raises(ClientError) as e:
        s3.get_object_lock_configuration(Bucket=bucket)
    assert s3util.client_error(e.value) == (404, "ObjectLockConfigurationNotFoundError")


def test_no_retention_on_plain_object(s3, lock_bucket):
    s3.put_object(Bucket=lock_bucket, Key="plain", Body=b"p")
    with pytest.raises(ClientError) as e:
        s3.get_object_retention(Bucket=lock_bucket, Key="plain")
    assert s3util.client_error(e.value) == (404, "NoSuchObjectLockConfiguration")
