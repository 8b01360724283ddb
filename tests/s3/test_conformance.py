"""Details of the S3 API that conformance suites (ceph's s3-tests among
them) and real clients check, each found missing or different once:
error shapes, echoes, defaults and validation codes."""

import datetime
import json

import pytest
from botocore.exceptions import ClientError

import s3util
from s3util import client_error
from test_post_policy import error_code, post


def _err(call):
    with pytest.raises(ClientError) as ei:
        call()
    return client_error(ei.value), ei.value.response


def test_suspending_a_new_bucket_reads_back_suspended(s3, bucket):
    assert "Status" not in s3.get_bucket_versioning(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Suspended"


def test_null_versions_are_not_announced(s3, bucket):
    assert "VersionId" not in s3.put_object(Bucket=bucket, Key="k", Body=b"1")
    up = s3.create_multipart_upload(Bucket=bucket, Key="m")
    part = s3.upload_part(Bucket=bucket, Key="m", UploadId=up["UploadId"], PartNumber=1, Body=b"p")
    done = s3.complete_multipart_upload(Bucket=bucket, Key="m", UploadId=up["UploadId"], MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
    assert "VersionId" not in done
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    assert s3.put_object(Bucket=bucket, Key="k", Body=b"2")["VersionId"] not in ("", "null")


def test_put_if_none_match_with_an_etag(raw, s3, bucket):
    etag = s3.put_object(Bucket=bucket, Key="k", Body=b"one")["ETag"]
    r = raw("PUT", "/%s/k" % bucket, headers={"If-None-Match": etag}, body=b"two")
    s3util.assert_error(r, 412, "PreconditionFailed")
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"one"
    r = raw("PUT", "/%s/k" % bucket, headers={"If-None-Match": '"0123456789abcdef0123456789abcdef"'}, body=b"two")
    assert r.status == 200, r
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"two"


def test_multi_delete_errors_name_the_version(s3, make_bucket):
    b = make_bucket("lock")
    s3.delete_bucket(Bucket=b)
    s3.create_bucket(Bucket=b, ObjectLockEnabledForBucket=True)
    until = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=3)
    v = s3.put_object(Bucket=b, Key="k", Body=b"x", ObjectLockMode="GOVERNANCE",
                      ObjectLockRetainUntilDate=until)["VersionId"]
    r = s3.delete_objects(Bucket=b, Delete={"Objects": [{"Key": "k", "VersionId": v}]})
    assert [(e["Key"], e["VersionId"], e["Code"]) for e in r["Errors"]] == [("k", v, "AccessDenied")]
    s3.delete_object(Bucket=b, Key="k", VersionId=v, BypassGovernanceRetention=True)


def test_lifecycle_validation_and_generated_ids(s3, bucket):
    def put(rules):
        return s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": rules})
    rule = {"Expiration": {"Days": 31}, "Filter": {"Prefix": "a/"}, "Status": "Enabled"}
    for bad, why in (([dict(rule, ID="x" * 256)], "ID length"),
                     ([dict(rule, ID="same"), dict(rule, ID="same")], "unique"),
                     ([dict(rule, ID="zero", Expiration={"Days": 0})], "positive")):
        (status, code), resp = _err(lambda: put(bad))
        assert (status, code) == (400, "InvalidArgument") and why in resp["Error"]["Message"]
    put([rule, dict(rule, ID="named", Filter={"Prefix": "b/"})])
    ids = [r.get("ID") for r in s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]]
    assert len(ids) == 2 and ids[1] == "named" and ids[0] and ids[0] != "named"


def test_object_lock_retention_period_must_be_positive(s3, make_bucket):
    b = make_bucket("lockcfg")
    s3.delete_bucket(Bucket=b)
    s3.create_bucket(Bucket=b, ObjectLockEnabledForBucket=True)
    for retention in ({"Mode": "GOVERNANCE", "Days": 0}, {"Mode": "COMPLIANCE", "Years": -1}):
        (status, code), _ = _err(lambda: s3.put_object_lock_configuration(Bucket=b, ObjectLockConfiguration={
            "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": retention}}))
        assert (status, code) == (400, "InvalidRetentionPeriod")


def test_tags_come_back_sorted_with_empty_values(raw, s3, bucket):
    r = raw("PUT", "/%s/t" % bucket, headers={"x-amz-tagging": "foo=bar&bar"}, body=b"x")
    assert r.status == 200, r
    assert s3.get_object_tagging(Bucket=bucket, Key="t")["TagSet"] == [{"Key": "bar", "Value": ""},
                                                                       {"Key": "foo", "Value": "bar"}]


def test_list_echoes(s3, bucket):
    for k in ("bar", "baz", "foo"):
        s3.put_object(Bucket=bucket, Key=k, Body=b"")
    r = s3.list_objects_v2(Bucket=bucket, ContinuationToken="")
    assert r["ContinuationToken"] == "" and [o["Key"] for o in r["Contents"]] == ["bar", "baz", "foo"]
    # ListObjects (v1) echoes its prefix as sent, even though boto3 asks for encoding-type=url
    s3.put_object(Bucket=bucket, Key="\nunreadable", Body=b"")
    assert s3.list_objects(Bucket=bucket, Prefix="\n")["Prefix"] == "\n"
    assert s3.list_objects_v2(Bucket=bucket, Prefix="\n")["Prefix"] == "\n"


def test_content_encoding_keeps_its_list_form(raw, s3, bucket):
    body = b"5\r\nhello\r\n0\r\n\r\n"
    r = raw("PUT", "/%s/enc" % bucket, headers={"Content-Encoding": "aws-chunked, deflate, gzip",
                                                "x-amz-decoded-content-length": "5"},
            body=body, content_sha="STREAMING-UNSIGNED-PAYLOAD-TRAILER")
    if r.status != 200:   # unsigned streaming needs a trailer; plain chunk framing is enough here
        pytest.fail("streaming PUT refused: %r" % r)
    assert s3.head_object(Bucket=bucket, Key="enc")["ContentEncoding"] == "deflate, gzip"


def test_expected_bucket_owner(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    owner = s3.list_buckets()["Owner"]["ID"]
    s3.list_objects(Bucket=bucket, ExpectedBucketOwner=owner)
    for call in (lambda: s3.list_objects(Bucket=bucket, ExpectedBucketOwner=owner + "foo"),
                 lambda: s3.put_object(Bucket=bucket, Key="k2", Body=b"y", ExpectedBucketOwner="123456789012")):
        (status, code), _ = _err(call)
        assert (status, code) == (403, "AccessDenied")
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["k"]


def test_anonymous_form_upload_where_the_bucket_policy_allows(s3, server, bucket):
    url = "%s/%s" % (server.endpoint, bucket)
    status, _, body = post(url, {"key": "anon.txt"}, "a.txt", b"hello")
    assert status == 403 and error_code(body) == "AccessDenied"
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::%s/anon*" % bucket}]}))
    status, _, body = post(url, {"key": "anon.txt"}, "a.txt", b"hello")
    assert status == 204, body
    assert s3.get_object(Bucket=bucket, Key="anon.txt")["Body"].read() == b"hello"
    status, _, body = post(url, {"key": "other.txt"}, "a.txt", b"no")
    assert status == 403
    tagging = "<Tagging><TagSet><Tag><Key>team</Key><Value>catalog</Value></Tag></TagSet></Tagging>"
    status, _, body = post(url, {"key": "anon-tagged.txt", "tagging": tagging}, "a.txt", b"t")
    assert status == 204, body
    assert s3.get_object_tagging(Bucket=bucket, Key="anon-tagged.txt")["TagSet"] == [{"Key": "team", "Value": "catalog"}]
    # SigV2 forms are refused like every SigV2 request
    status, _, body = post(url, {"key": "anon2.txt", "AWSAccessKeyId": "x", "signature": "y", "policy": "e30="},
                           "a.txt", b"v2")
    assert status == 400 and error_code(body) == "InvalidRequest"
    s3.delete_bucket_policy(Bucket=bucket)


def test_list_buckets_pages(raw, s3, make_bucket):
    names = sorted(make_bucket("pagedlist") for _ in range(3))
    prefix = names[0][:len("t-pagedlist")]
    seen, token = [], None
    for _ in range(5):
        q = "max-buckets=2&prefix=" + prefix + ("&continuation-token=" + token if token else "")
        r = raw("GET", "/", q)
        assert r.status == 200, r
        seen += [e.text for e in s3util.xml_find_all(r.body, "Name")]
        tokens = s3util.xml_find_all(r.body, "ContinuationToken")
        if not tokens:
            break
        token = tokens[0].text
    assert [n for n in seen if n in names] == names
    s3util.assert_error(raw("GET", "/", "max-buckets=0"), 400, "InvalidArgument")


def test_complete_checks_the_declared_object_checksum(s3, bucket):
    """x-amz-checksum-* on CompleteMultipartUpload states the object's
    checksum (COMPOSITE with or without its -N), not the XML body's."""
    import base64
    import hashlib
    data = b"A" * 1024
    part_sum = base64.b64encode(hashlib.sha256(data).digest()).decode()
    composite = base64.b64encode(hashlib.sha256(hashlib.sha256(data).digest()).digest()).decode()
    for key, declared, ok in (("bad", "bad", False), ("with-n", composite + "-1", True), ("bare", composite, True)):
        up = s3.create_multipart_upload(Bucket=bucket, Key=key, ChecksumAlgorithm="SHA256")
        p = s3.upload_part(Bucket=bucket, Key=key, UploadId=up["UploadId"], PartNumber=1, Body=data,
                           ChecksumAlgorithm="SHA256", ChecksumSHA256=part_sum)
        call = lambda: s3.complete_multipart_upload(  # noqa: E731
            Bucket=bucket, Key=key, UploadId=up["UploadId"], ChecksumSHA256=declared,
            MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": p["ETag"], "ChecksumSHA256": part_sum}]})
        if ok:
            assert call()["ChecksumSHA256"] == composite + "-1"
        else:
            (status, code), _ = _err(call)
            assert (status, code) == (400, "BadDigest")
            s3.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=up["UploadId"])


def test_ownership_controls(s3, make_bucket):
    b = make_bucket("own")
    (status, code), _ = _err(lambda: s3.get_bucket_ownership_controls(Bucket=b))
    assert (status, code) == (404, "OwnershipControlsNotFoundError")
    s3.put_bucket_acl(Bucket=b, ACL="public-read")
    enforced = {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    (status, code), _ = _err(lambda: s3.put_bucket_ownership_controls(Bucket=b, OwnershipControls=enforced))
    assert (status, code) == (400, "InvalidBucketAclWithObjectOwnership")
    s3.put_bucket_acl(Bucket=b, ACL="private")
    s3.put_bucket_ownership_controls(Bucket=b, OwnershipControls=enforced)
    got = s3.get_bucket_ownership_controls(Bucket=b)["OwnershipControls"]["Rules"]
    assert got == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    # ACLs are disabled: setting one fails, bucket-owner-full-control and reading still work
    for call in (lambda: s3.put_object(Bucket=b, Key="k", Body=b"x", ACL="private"),
                 lambda: s3.put_bucket_acl(Bucket=b, ACL="private")):
        (status, code), _ = _err(call)
        assert (status, code) == (400, "AccessControlListNotSupported")
    s3.put_object(Bucket=b, Key="k", Body=b"x", ACL="bucket-owner-full-control")
    assert s3.get_bucket_acl(Bucket=b)["Grants"][0]["Permission"] == "FULL_CONTROL"
    s3.delete_bucket_ownership_controls(Bucket=b)
    s3.put_object(Bucket=b, Key="k2", Body=b"x", ACL="private")
    s3.delete_object(Bucket=b, Key="k")
    s3.delete_object(Bucket=b, Key="k2")
    # at creation, with a public ACL it cannot have
    name = b + "-2"
    (status, code), _ = _err(lambda: s3.create_bucket(Bucket=name, ACL="public-read",
                                                       ObjectOwnership="BucketOwnerEnforced"))
    assert (status, code) == (400, "InvalidBucketAclWithObjectOwnership")
    s3.create_bucket(Bucket=name, ObjectOwnership="ObjectWriter")
    assert s3.get_bucket_ownership_controls(Bucket=name)["OwnershipControls"]["Rules"] == [
        {"ObjectOwnership": "ObjectWriter"}]
    s3.delete_bucket(Bucket=name)


def test_owner_is_the_same_whoever_asks(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    owners = {(o["ID"], o["DisplayName"]) for o in (s3.list_buckets()["Owner"],
                                                      s3.get_bucket_acl(Bucket=bucket)["Owner"],
                                                      s3.list_objects(Bucket=bucket)["Contents"][0]["Owner"])}
    assert len(owners) == 1 and s3util.AK not in owners.pop()   # no access key shown as the owner


def test_checksum_headers_name_their_type_and_parts(s3, bucket):
    import base64
    import hashlib
    parts = [b"A" * (5 * 1024 * 1024), b"B" * 1024]
    sums = [base64.b64encode(hashlib.sha256(p).digest()).decode() for p in parts]
    up = s3.create_multipart_upload(Bucket=bucket, Key="mp", ChecksumAlgorithm="SHA256")
    etags = [s3.upload_part(Bucket=bucket, Key="mp", UploadId=up["UploadId"], PartNumber=i + 1, Body=p,
                            ChecksumAlgorithm="SHA256", ChecksumSHA256=sums[i])["ETag"] for i, p in enumerate(parts)]
    s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=up["UploadId"], MultipartUpload={"Parts": [
        {"PartNumber": i + 1, "ETag": e, "ChecksumSHA256": sums[i]} for i, e in enumerate(etags)]})
    h = s3.head_object(Bucket=bucket, Key="mp", ChecksumMode="ENABLED")["ResponseMetadata"]["HTTPHeaders"]
    assert h["x-amz-checksum-type"] == "COMPOSITE" and h["x-amz-checksum-sha256"].endswith("-2")
    assert "x-amz-checksum-sha256" not in s3.head_object(Bucket=bucket, Key="mp")["ResponseMetadata"]["HTTPHeaders"]
    for n in (1, 2):   # a part as uploaded: its own checksum
        g = s3.get_object(Bucket=bucket, Key="mp", PartNumber=n)
        assert g["ResponseMetadata"]["HTTPHeaders"]["x-amz-checksum-sha256"] == sums[n - 1]
        assert g["Body"].read() == parts[n - 1]
    r = s3.get_object(Bucket=bucket, Key="mp", Range="bytes=0-9", ChecksumMode="ENABLED")
    assert "x-amz-checksum-sha256" not in r["ResponseMetadata"]["HTTPHeaders"]   # a range has none


def test_conditional_deletes(raw, s3, bucket):
    """If-Match / x-amz-if-match-size / -last-modified-time on DeleteObject,
    ETag / Size / LastModifiedTime in DeleteObjects entries: a delete that
    no longer targets what the client saw is refused, nothing removed."""
    etag = s3.put_object(Bucket=bucket, Key="k", Body=b"12345")["ETag"]
    mtime = s3.head_object(Bucket=bucket, Key="k")["ResponseMetadata"]["HTTPHeaders"]["last-modified"]
    path = "/%s/k" % bucket
    for headers in ({"If-Match": '"0123456789abcdef0123456789abcdef"'}, {"x-amz-if-match-size": "4"},
                    {"x-amz-if-match-last-modified-time": "Thu, 01 Jan 2015 00:00:00 GMT"}):
        s3util.assert_error(raw("DELETE", path, headers=headers), 412, "PreconditionFailed")
        assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"12345"
    s3util.assert_error(raw("DELETE", path, headers={"x-amz-if-match-size": "five"}), 400, "InvalidArgument")
    r = raw("DELETE", path, headers={"If-Match": etag, "x-amz-if-match-size": "5",
                                      "x-amz-if-match-last-modified-time": mtime})
    assert r.status == 204, r
    assert raw("DELETE", path, headers={"If-Match": etag}).status == 204   # nothing there: nothing to refuse
    s3.put_object(Bucket=bucket, Key="m", Body=b"x")
    body = ('<Delete><Object><Key>m</Key><ETag>"nope"</ETag></Object>'
            '<Object><Key>gone</Key><Size>1</Size></Object></Delete>').encode()
    r = raw("POST", "/" + bucket, "delete", body=body, headers={"Content-MD5": s3util.b64md5(body)})
    assert r.status == 200, r
    errors = [(e.find("{*}Key").text, e.find("{*}Code").text) for e in s3util.xml_find_all(r.body, "Error")]
    assert errors == [("m", "PreconditionFailed")]
    assert [e.find("{*}Key").text for e in s3util.xml_find_all(r.body, "Deleted")] == ["gone"]
    assert s3.get_object(Bucket=bucket, Key="m")["Body"].read() == b"x"
