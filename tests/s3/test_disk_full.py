"""Disk full is an error reply, not corruption: with the storage I/O seam
injecting ENOSPC after a byte budget, an upload that cannot be written is
answered 507 XMinioStorageFull, the object it would have replaced is
intact, and the server keeps serving."""

import hashlib
import os

from botocore.exceptions import ClientError

import s3util
from s3util import make_client


def test_enospc_is_507_and_keeps_old_object(make_server):
    srv = make_server(env_extra={"CAIRN_FAULT_INJECT": "enospc_after=%d" % (3 * 1024 * 1024)})
    c = make_client(srv.endpoint)
    c.create_bucket(Bucket="full")
    old = os.urandom(2 * 1024 * 1024)               # fits the budget: stored in a data file
    c.put_object(Bucket="full", Key="k", Body=old)
    big = os.urandom(4 * 1024 * 1024)               # crosses it
    try:
        c.put_object(Bucket="full", Key="k", Body=big)
        raise AssertionError("an upload past the injected ENOSPC succeeded")
    except ClientError as e:
        status, code = s3util.client_error(e)[:2]
        assert status == 507 and code == "XMinioStorageFull", e.response
    got = c.get_object(Bucket="full", Key="k")["Body"].read()
    assert hashlib.md5(got).hexdigest() == hashlib.md5(old).hexdigest()
    # small objects live in metadata, which the seam does not fill: still served
    c.put_object(Bucket="full", Key="small", Body=b"still here")
    assert c.get_object(Bucket="full", Key="small")["Body"].read() == b"still here"
    assert [o["Key"] for o in c.list_objects_v2(Bucket="full")["Contents"]] == ["k", "small"]
    assert srv.alive()
