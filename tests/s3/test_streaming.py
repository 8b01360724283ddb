"""Uploads beyond a single signed payload: boto3 file objects, hand-built
aws-chunked requests (STREAMING-AWS4-HMAC-SHA256-PAYLOAD with chunk
signatures, STREAMING-UNSIGNED-PAYLOAD-TRAILER with a CRC32 trailer)."""

import base64
import hashlib
import hmac
import io
import random
import zlib

import pytest
from boto3.s3.transfer import TransferConfig
from botocore.exceptions import ClientError

import s3util
from s3util import EMPTY_SHA256, REGION, SK, assert_error, md5hex, obj_path

MIB = 1024 * 1024


def data_of(n, seed=11):
    return random.Random(seed + n).randbytes(n)


def test_boto3_upload_fileobj_and_download(s3, bucket, tmp_path):
    data = data_of(5 * MIB + 3)
    s3.upload_fileobj(io.BytesIO(data), bucket, "fileobj")
    out = io.BytesIO()
    s3.download_fileobj(bucket, "fileobj", out)
    assert out.getvalue() == data
    assert s3.head_object(Bucket=bucket, Key="fileobj")["ETag"] == '"%s"' % md5hex(data)


def test_boto3_upload_file_20mib_single_put(s3, bucket, tmp_path):
    data = data_of(20 * MIB)
    p = tmp_path / "big.bin"
    p.write_bytes(data)
    cfg = TransferConfig(multipart_threshold=64 * MIB)
    s3.upload_file(str(p), bucket, "big", Config=cfg)
    q = tmp_path / "back.bin"
    s3.download_file(bucket, "big", str(q), Config=cfg)
    assert q.read_bytes() == data


def test_boto3_put_object_with_file_body(s3, bucket, tmp_path):
    data = data_of(700 * 1024)
    p = tmp_path / "f.bin"
    p.write_bytes(data)
    with open(p, "rb") as f:
        s3.put_object(Bucket=bucket, Key="f", Body=f)
    assert s3.get_object(Bucket=bucket, Key="f")["Body"].read() == data


# ------------------------------------------------------- hand-built aws-chunked

def _chunk_sig(key, ts, scope, prev, chunk):
    sts = "\n".join(["AWS4-HMAC-SHA256-PAYLOAD", ts, scope, prev, EMPTY_SHA256,
                     hashlib.sha256(chunk).hexdigest()])
    return hmac.new(key, sts.encode(), hashlib.sha256).hexdigest()


def signed_chunked_put(server, bucket, key, data, chunk_size=64 * 1024, corrupt_chunk=None,
                       tamper_data_chunk=None):
    """PUT with STREAMING-AWS4-HMAC-SHA256-PAYLOAD. corrupt_chunk=i flips a hex
    digit of chunk i's signature; tamper_data_chunk=i changes a byte of chunk
    i after signing it."""
    chunks = [data[i:i + chunk_size] for i in range(0, len(data), chunk_size)] + [b""]
    sig_len = 64
    enc_len = sum(len("%x" % len(c)) + len(";chunk-signature=") + sig_len + 2 + len(c) + 2
                  for c in chunks)
    path = obj_path(bucket, key)
    headers = {
        "Content-Encoding": "aws-chunked",
        "X-Amz-Decoded-Content-Length": str(len(data)),
        "Content-Length": str(enc_len),
        "Content-Type": "application/octet-stream",
    }
    hdrs, seed, ts = s3util.sign("PUT", server.hostport, path, "", headers,
                                 "STREAMING-AWS4-HMAC-SHA256-PAYLOAD")
    hdrs["Connection"] = "close"
    scope = "%s/%s/s3/aws4_request" % (ts[:8], REGION)
    key_bytes = s3util.signing_key(SK, ts[:8])
    body = b""
    prev = seed
    for i, c in enumerate(chunks):
        sig = _chunk_sig(key_bytes, ts, scope, prev, c)
        prev = sig
        if corrupt_chunk == i:
            sig = ("1" if sig[0] != "1" else "2") + sig[1:]
        if tamper_data_chunk == i and c:
            c = bytes([c[0] ^ 0xFF]) + c[1:]
        body += ("%x;chunk-signature=%s\r\n" % (len(c), sig)).encode() + c + b"\r\n"
    assert len(body) == enc_len
    s = s3util.connect(server.hostport)
    try:
        s.sendall(s3util.build_request("PUT", path, "", hdrs, body))
        return s3util.read_response(s.makefile("rb"), "PUT")
    finally:
        s.close()


@pytest.mark.parametrize("size", [0, 1, 64 * 1024, 200 * 1024 + 7, 3 * MIB + 5])
def test_streaming_signed_chunks(server, s3, bucket, size):
    data = data_of(size)
    r = signed_chunked_put(server, bucket, "chunked", data)
    assert r.status == 200, r
    assert r.headers.get("etag") == '"%s"' % md5hex(data)
    g = s3.get_object(Bucket=bucket, Key="chunked")
    assert g["Body"].read() == data
    assert g["ContentLength"] == size
    assert g.get("ContentEncoding") in (None, ""), "aws-chunked must not be stored"


@pytest.mark.parametrize("where", [0, 2, "final"])
def test_streaming_bad_chunk_signature_rejected(server, s3, bucket, where):
    data = data_of(200 * 1024 + 7)
    idx = 4 if where == "final" else where   # 4 chunks of data, then the final one
    r = signed_chunked_put(server, bucket, "new", data, corrupt_chunk=idx)
    assert_error(r, 403, "SignatureDoesNotMatch")
    with pytest.raises(ClientError) as ei:
        s3.head_object(Bucket=bucket, Key="new")
    assert s3util.client_error(ei.value)[0] == 404
    # an existing object is not overwritten
    s3.put_object(Bucket=bucket, Key="old", Body=b"old content")
    r = signed_chunked_put(server, bucket, "old", data, corrupt_chunk=idx)
    assert_error(r, 403, "SignatureDoesNotMatch")
    assert s3.get_object(Bucket=bucket, Key="old")["Body"].read() == b"old content"


def test_streaming_tampered_chunk_data_rejected(server, s3, bucket):
    data = data_of(200 * 1024)
    s3.put_object(Bucket=bucket, Key="old", Body=b"old content")
    r = signed_chunked_put(server, bucket, "old", data, tamper_data_chunk=1)
    assert_error(r, 403, "SignatureDoesNotMatch")
    assert s3.get_object(Bucket=bucket, Key="old")["Body"].read() == b"old content"


def crc32_b64(b):
    return base64.b64encode(zlib.crc32(b).to_bytes(4, "big")).decode()


def unsigned_trailer_put(server, bucket, key, data, crc=None, chunk_size=64 * 1024):
    chunks = [data[i:i + chunk_size] for i in range(0, len(data), chunk_size)]
    body = b"".join(("%x\r\n" % len(c)).encode() + c + b"\r\n" for c in chunks)
    body += b"0\r\n" + ("x-amz-checksum-crc32:%s\r\n" % (crc or crc32_b64(data))).encode() + b"\r\n"
    path = obj_path(bucket, key)
    headers = {
        "Content-Encoding": "aws-chunked",
        "X-Amz-Decoded-Content-Length": str(len(data)),
        "X-Amz-Trailer": "x-amz-checksum-crc32",
        "X-Amz-Sdk-Checksum-Algorithm": "CRC32",
        "Content-Length": str(len(body)),
    }
    hdrs, _, _ = s3util.sign("PUT", server.hostport, path, "", headers,
                             "STREAMING-UNSIGNED-PAYLOAD-TRAILER")
    hdrs["Connection"] = "close"
    s = s3util.connect(server.hostport)
    try:
        s.sendall(s3util.build_request("PUT", path, "", hdrs, body))
        return s3util.read_response(s.makefile("rb"), "PUT")
    finally:
        s.close()


@pytest.mark.parametrize("size", [0, 10, 300 * 1024 + 1])
def test_streaming_unsigned_trailer(server, s3, bucket, size):
    data = data_of(size)
    r = unsigned_trailer_put(server, bucket, "trailer", data)
    assert r.status == 200, r
    assert r.headers.get("etag") == '"%s"' % md5hex(data)
    assert s3.get_object(Bucket=bucket, Key="trailer")["Body"].read() == data


def test_streaming_unsigned_trailer_bad_crc(server, s3, bucket):
    data = data_of(300 * 1024)
    bad = crc32_b64(data + b"!")
    r = unsigned_trailer_put(server, bucket, "badcrc", data, crc=bad)
    # AWS answers a checksum mismatch with 400 BadDigest
    assert_error(r, 400, ("BadDigest", "InvalidRequest"))
    with pytest.raises(ClientError):
        s3.head_object(Bucket=bucket, Key="badcrc")
    s3.put_object(Bucket=bucket, Key="keep", Body=b"keep me")
    r = unsigned_trailer_put(server, bucket, "keep", data, crc=bad)
    assert_error(r, 400, ("BadDigest", "InvalidRequest"))
    assert s3.get_object(Bucket=bucket, Key="keep")["Body"].read() == b"keep me"


def test_checksum_crc32_header_mismatch(raw, s3, bucket):
    data = b"checksummed body"
    r = raw("PUT", obj_path(bucket, "crc"), body=data,
            headers={"x-amz-checksum-crc32": crc32_b64(b"different")})
    assert_error(r, 400, ("BadDigest", "InvalidRequest"))
    with pytest.raises(ClientError):
        s3.head_object(Bucket=bucket, Key="crc")
    r = raw("PUT", obj_path(bucket, "crc"), body=data,
            headers={"x-amz-checksum-crc32": crc32_b64(data)})
    assert r.status == 200, r
