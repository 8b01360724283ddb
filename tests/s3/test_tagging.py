"""Object and bucket tagging as the S3 API reference documents it: the tag
set APIs, x-amz-tagging on PUT, CopyObject (COPY/REPLACE directive) and
CreateMultipartUpload, x-amz-tagging-count, and the limits."""

import pytest
from botocore.exceptions import ClientError

import s3util


def tagset(d):
    return [{"Key": k, "Value": v} for k, v in d.items()]


def as_dict(r):
    return {t["Key"]: t["Value"] for t in r["TagSet"]}


def test_object_tagging_put_get_delete(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"] == []
    tags = {"domain": "order", "kind": "receipt/pdf", "ünïcode": "välue 1", "empty": ""}
    s3.put_object_tagging(Bucket=bucket, Key="k", Tagging={"TagSet": tagset(tags)})
    assert as_dict(s3.get_object_tagging(Bucket=bucket, Key="k")) == tags
    h = s3.head_object(Bucket=bucket, Key="k")
    assert h["ResponseMetadata"]["HTTPHeaders"]["x-amz-tagging-count"] == "4"
    assert s3.get_object(Bucket=bucket, Key="k")["TagCount"] == 4
    # the body and metadata are untouched by tagging
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"x"
    r = s3.delete_object_tagging(Bucket=bucket, Key="k")
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"] == []
    assert "x-amz-tagging-count" not in s3.head_object(Bucket=bucket, Key="k")["ResponseMetadata"]["HTTPHeaders"]


def test_tagging_header_on_put_copy_and_multipart(s3, bucket):
    s3.put_object(Bucket=bucket, Key="src", Body=b"data" * 100000, Tagging="a=1&b=two%20words")
    assert as_dict(s3.get_object_tagging(Bucket=bucket, Key="src")) == {"a": "1", "b": "two words"}
    s3.copy_object(Bucket=bucket, Key="copied", CopySource={"Bucket": bucket, "Key": "src"})
    assert as_dict(s3.get_object_tagging(Bucket=bucket, Key="copied")) == {"a": "1", "b": "two words"}
    s3.copy_object(Bucket=bucket, Key="replaced", CopySource={"Bucket": bucket, "Key": "src"},
                   TaggingDirective="REPLACE", Tagging="c=3")
    assert as_dict(s3.get_object_tagging(Bucket=bucket, Key="replaced")) == {"c": "3"}
    uid = s3.create_multipart_upload(Bucket=bucket, Key="mp", Tagging="team=ml")["UploadId"]
    e = s3.upload_part(Bucket=bucket, Key="mp", UploadId=uid, PartNumber=1, Body=b"p")["ETag"]
    s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=uid,
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": e}]})
    assert as_dict(s3.get_object_tagging(Bucket=bucket, Key="mp")) == {"team": "ml"}


@pytest.mark.parametrize("tags,why", [
    ({"k%d" % i: "v" for i in range(11)}, "more than 10"),
    ({"k" * 129: "v"}, "key too long"),
    ({"k": "v" * 257}, "value too long"),
    ({"aws:reserved": "v"}, "aws: prefix"),
    ({"bad#char": "v"}, "character outside the allowed set"),
])
def test_tag_limits(s3, bucket, tags, why):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    with pytest.raises(ClientError) as e:
        s3.put_object_tagging(Bucket=bucket, Key="k", Tagging={"TagSet": tagset(tags)})
    assert s3util.client_error(e.value) == (400, "InvalidTag"), why
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket=bucket, Key="k2", Body=b"x",
                      Tagging="&".join("%s=%s" % (k, v) for k, v in tags.items()))
    assert s3util.client_error(e.value)[0] == 400, why
    assert s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"] == []


def test_duplicate_tag_keys(raw, bucket, s3):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    body = (b"<Tagging><TagSet><Tag><Key>a</Key><Value>1</Value></Tag>"
            b"<Tag><Key>a</Key><Value>2</Value></Tag></TagSet></Tagging>")
    r = raw("PUT", "/%s/k" % bucket, "tagging", body=body)
    s3util.assert_error(r, 400, "InvalidTag")
    r = raw("PUT", "/%s/k" % bucket, "tagging", body=b"<Tagging><oops/></Tagging>")
    s3util.assert_error(r, 400, "MalformedXML")


def test_tagging_missing_object(s3, bucket):
    with pytest.raises(ClientError) as e:
        s3.get_object_tagging(Bucket=bucket, Key="nope")
    assert s3util.client_error(e.value) == (404, "NoSuchKey")
    with pytest.raises(ClientError) as e:
        s3.put_object_tagging(Bucket=bucket, Key="nope", Tagging={"TagSet": tagset({"a": "b"})})
    assert s3util.client_error(e.value) == (404, "NoSuchKey")


def test_bucket_tagging(s3, bucket):
    with pytest.raises(ClientError) as e:
        s3.get_bucket_tagging(Bucket=bucket)
    assert s3util.client_error(e.value) == (404, "NoSuchTagSet")
    tags = {"env": "dev", "domain": "user"}
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": tagset(tags)})
    assert as_dict(s3.get_bucket_tagging(Bucket=bucket)) == tags
    s3.delete_bucket_tagging(Bucket=bucket)
    with pytest.raises(ClientError) as e:
        s3.get_bucket_tagging(Bucket=bucket)
    assert s3util.client_error(e.value) == (404, "NoSuchTagSet")


def test_tagging_by_version(s3, bucket):
    """Tags belong to one version: tagging an older version leaves the
    current one alone, and the current version's tags stay the same whether
    it is read as the key or by its version id (and after it becomes
    current again when a newer version is deleted)."""
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    v1 = s3.put_object(Bucket=bucket, Key="k", Body=b"1", Tagging="gen=1")["VersionId"]
    v2 = s3.put_object(Bucket=bucket, Key="k", Body=b"2", Tagging="gen=2")["VersionId"]

    r = s3.get_object_tagging(Bucket=bucket, Key="k", VersionId=v1)
    assert as_dict(r) == {"gen": "1"} and r["VersionId"] == v1
    r = s3.put_object_tagging(Bucket=bucket, Key="k", VersionId=v1, Tagging={"TagSet": tagset({"old": "yes"})})
    assert r["VersionId"] == v1
    assert as_dict(s3.get_object_tagging(Bucket=bucket, Key="k", VersionId=v1)) == {"old": "yes"}
    assert as_dict(s3.get_object_tagging(Bucket=bucket, Key="k")) == {"gen": "2"}

    # tagging the current version is seen through both views
    s3.put_object_tagging(Bucket=bucket, Key="k", Tagging={"TagSet": tagset({"cur": "2"})})
    assert as_dict(s3.get_object_tagging(Bucket=bucket, Key="k", VersionId=v2)) == {"cur": "2"}
    assert s3.head_object(Bucket=bucket, Key="k", VersionId=v2)["ResponseMetadata"]["HTTPHeaders"]["x-amz-tagging-count"] == "1"

    # deleting the newest version makes v1 current, with v1's own tags
    s3.delete_object(Bucket=bucket, Key="k", VersionId=v2)
    assert as_dict(s3.get_object_tagging(Bucket=bucket, Key="k")) == {"old": "yes"}
    s3.delete_object_tagging(Bucket=bucket, Key="k", VersionId=v1)
    assert s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"] == []

    with pytest.raises(ClientError) as e:
        s3.get_object_tagging(Bucket=bucket, Key="k", VersionId=v2)
    assert s3util.client_error(e.value) == (404, "NoSuchVersion")
    with pytest.raises(ClientError) as e:
        s3.put_object_tagging(Bucket=bucket, Key="k", VersionId="0" * 32, Tagging={"TagSet": tagset({"a": "b"})})
    assert s3util.client_error(e.value) == (404, "NoSuchVersion")

    # a delete marker has no tag set
    marker = s3.delete_object(Bucket=bucket, Key="k")["VersionId"]
    with pytest.raises(ClientError) as e:
        s3.get_object_tagging(Bucket=bucket, Key="k", VersionId=marker)
    assert s3util.client_error(e.value)[0] == 405
    with pytest.raises(ClientError) as e:
        s3.put_object_tagging(Bucket=bucket, Key="k", VersionId=marker, Tagging={"TagSet": tagset({"a": "b"})})
    assert s3util.client_error(e.value)[0] == 405


def test_tagging_null_version_unversioned_bucket(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", Tagging="a=1")
    assert as_dict(s3.get_object_tagging(Bucket=bucket, Key="k", VersionId="null")) == {"a": "1"}
    s3.put_object_tagging(Bucket=bucket, Key="k", VersionId="null", Tagging={"TagSet": tagset({"b": "2"})})
    assert as_dict(s3.get_object_tagging(Bucket=bucket, Key="k")) == {"b": "2"}
    with pytest.raises(ClientError) as e:
        s3.put_object_tagging(Bucket=bucket, Key="k", VersionId="0" * 32, Tagging={"TagSet": tagset({"a": "b"})})
    assert s3util.client_error(e.value) == (404, "NoSuchVersion")
