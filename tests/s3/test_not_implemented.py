"""Operations outside the core API answer a clean 501 NotImplemented XML
error: never a crash, never a silent success."""

import pytest
from botocore.exceptions import ClientError

from s3util import assert_error, b64md5, client_error


def _expect_501(call):
    with pytest.raises(ClientError) as ei:
        call()
    assert client_error(ei.value) == (501, "NotImplemented")


def test_put_bucket_versioning_mfa_delete(s3, bucket):
    _expect_501(lambda: s3.put_bucket_versioning(
        Bucket=bucket, VersioningConfiguration={"Status": "Enabled", "MFADelete": "Enabled"}))


def test_put_bucket_encryption(s3, bucket):
    _expect_501(lambda: s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]}))


def test_put_bucket_acl_explicit_grants(s3, bucket):
    # grants beyond the canned ACLs must not "succeed" while doing nothing
    _expect_501(lambda: s3.put_bucket_acl(Bucket=bucket, GrantRead='uri="http://acs.amazonaws.com/groups/global/AllUsers"'))


def test_put_bucket_notification(s3, bucket):
    _expect_501(lambda: s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={
        "QueueConfigurations": [{"QueueArn": "arn:aws:sqs:us-east-1:1:q", "Events": ["s3:ObjectCreated:*"]}]}))


def test_raw_not_implemented_has_xml_and_request_id(raw, bucket):
    body = (b'<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault>'
            b'<SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule>'
            b'</ServerSideEncryptionConfiguration>')
    r = raw("PUT", "/" + bucket, "encryption", body=body, headers={"Content-MD5": b64md5(body)})
    assert_error(r, 501, "NotImplemented")


def test_not_implemented_needs_auth_first(raw, bucket):
    # unauthenticated callers learn nothing: auth is checked before routing to 501
    r = raw("PUT", "/" + bucket, "encryption", body=b"<x/>", signed=False)
    assert_error(r, 403, "AccessDenied")


def test_server_side_encryption_is_refused_not_faked(s3, bucket):
    # objects would be stored in the clear while the client believes them encrypted
    key = b"k" * 32
    for call in (lambda: s3.put_object(Bucket=bucket, Key="a", Body=b"x", ServerSideEncryption="AES256"),
                 lambda: s3.put_object(Bucket=bucket, Key="a", Body=b"x", ServerSideEncryption="aws:kms"),
                 lambda: s3.put_object(Bucket=bucket, Key="a", Body=b"x", SSECustomerAlgorithm="AES256",
                                       SSECustomerKey=key),
                 lambda: s3.create_multipart_upload(Bucket=bucket, Key="a", SSECustomerAlgorithm="AES256",
                                                    SSECustomerKey=key)):
        _expect_501(call)
    s3.put_object(Bucket=bucket, Key="plain", Body=b"x")
    _expect_501(lambda: s3.copy_object(Bucket=bucket, Key="c", CopySource={"Bucket": bucket, "Key": "plain"},
                                       ServerSideEncryption="AES256"))
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["plain"]
    with pytest.raises(ClientError) as ei:
        s3.get_object(Bucket=bucket, Key="plain", SSECustomerAlgorithm="AES256", SSECustomerKey=key)
    assert client_error(ei.value) == (400, "InvalidRequest")
