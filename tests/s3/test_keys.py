"""Object keys: any UTF-8 up to 1024 bytes round-trips and lists; 1025 bytes
is KeyTooLongError; nothing is ever created outside the data directory."""

import os

import pytest
from botocore.exceptions import ClientError

from s3util import assert_error, client_error, obj_path

ODD_KEYS = [
    "a//b",
    "//leading-double",
    "/leading",
    "..",
    ".",
    "../escape",
    "../../etc/passwd",
    "../../../../../../../../tmp/cairn-escape",
    "a/../b",
    "a/./b",
    "dir/..",
    "trailing/",
    "sp ace/and  two",
    "plus+plus",
    "percent%2F%00%",
    "ünïcödé/日本語/🙂",
    "back\\slash",
    "semi;colon,comma",
    "tilde~star*",
    "x" * 1024,
    "é" * 512,              # 1024 bytes of UTF-8
    "🙂" * 256,             # 1024 bytes of UTF-8
]


def _ids(k):
    return repr(k[:24]) + ("..%d" % len(k.encode()) if len(k) > 24 else "")


@pytest.mark.parametrize("key", ODD_KEYS, ids=[_ids(k) for k in ODD_KEYS])
def test_odd_key_round_trip(s3, bucket, key):
    body = ("body of " + key).encode()
    s3.put_object(Bucket=bucket, Key=key, Body=body)
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == body
    assert s3.head_object(Bucket=bucket, Key=key)["ContentLength"] == len(body)
    listed = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    assert listed == [key]
    listed = [o["Key"] for o in s3.list_objects(Bucket=bucket)["Contents"]]
    assert listed == [key]
    s3.delete_object(Bucket=bucket, Key=key)
    with pytest.raises(ClientError) as ei:
        s3.head_object(Bucket=bucket, Key=key)
    assert client_error(ei.value)[0] == 404


def test_odd_keys_coexist(s3, bucket):
    """All of them in one bucket: distinct objects, listed in UTF-8 byte order."""
    for k in ODD_KEYS:
        s3.put_object(Bucket=bucket, Key=k, Body=k.encode())
    got = []
    for page in s3.get_paginator("list_objects_v2").paginate(
            Bucket=bucket, PaginationConfig={"PageSize": 7}):
        got += [o["Key"] for o in page.get("Contents", [])]
    assert got == sorted(ODD_KEYS, key=lambda k: k.encode())
    for k in ODD_KEYS:
        assert s3.get_object(Bucket=bucket, Key=k)["Body"].read() == k.encode(), k


@pytest.mark.parametrize("key", ["y" * 1025, "é" * 512 + "z"], ids=["ascii1025", "utf8-1025"])
def test_key_too_long(raw, s3, bucket, key):
    r = raw("PUT", obj_path(bucket, key), body=b"x")
    assert_error(r, 400, "KeyTooLongError")
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


def test_nothing_outside_datadir(server, s3, bucket):
    for k in ODD_KEYS:
        s3.put_object(Bucket=bucket, Key=k, Body=b"escape?")
    s3.copy_object(Bucket=bucket, Key="../../copied", CopySource={"Bucket": bucket, "Key": "../escape"})
    data = os.path.realpath(server.datadir)
    stray = []
    for d, dirs, files in os.walk(server.jail):
        for name in dirs + files:
            p = os.path.realpath(os.path.join(d, name))
            if p == data or p.startswith(data + os.sep):
                continue
            if os.path.isdir(p) and data.startswith(p + os.sep):
                continue  # an ancestor of the data dir
            stray.append(p)
    assert not stray, "files outside the data directory: %r" % stray
    assert not os.path.exists("/tmp/cairn-escape")
    with open("/etc/passwd", "rb") as f:
        assert b"escape?" not in f.read()
