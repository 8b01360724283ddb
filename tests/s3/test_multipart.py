"""Multipart uploads as AWS S3 documents them: boto3's transfer manager,
awscli, rclone and s3cmd uploading large files; the part list rules of
CompleteMultipartUpload; ListParts and ListMultipartUploads paging;
UploadPartCopy; GET by part number; COMPOSITE and FULL_OBJECT checksums;
abort and the stale-upload sweeper giving the space back."""

import base64
import hashlib
import os
import random
import subprocess
import time
import zlib
import xml.etree.ElementTree as ET

import pytest
from boto3.s3.transfer import TransferConfig
from botocore.exceptions import ClientError

import s3util
from s3util import AK, SK, make_client

MIB = 1024 * 1024


def rand(n, seed):
    return random.Random(seed).randbytes(n)


def multipart_etag(parts):
    digest = hashlib.md5(b"".join(hashlib.md5(p).digest() for p in parts)).hexdigest()
    return '"%s-%d"' % (digest, len(parts))


def b64(raw):
    return base64.b64encode(raw).decode()


def crc32_b64(data):
    return b64(zlib.crc32(data).to_bytes(4, "big"))


def crc64nvme(data):
    poly, crc = 0x9A6C9329AC4BC9B5, 0xFFFFFFFFFFFFFFFF
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ poly if c & 1 else c >> 1
        table.append(c)
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFFFFFFFFFF


def upload(s3, bucket, key, parts, **create):
    uid = s3.create_multipart_upload(Bucket=bucket, Key=key, **create)["UploadId"]
    done = []
    for i, body in enumerate(parts, 1):
        kw = {"ChecksumAlgorithm": create["ChecksumAlgorithm"]} if "ChecksumAlgorithm" in create else {}
        r = s3.upload_part(Bucket=bucket, Key=key, UploadId=uid, PartNumber=i, Body=body, **kw)
        entry = {"PartNumber": i, "ETag": r["ETag"]}
        for k in ("ChecksumCRC32", "ChecksumCRC32C", "ChecksumSHA256", "ChecksumSHA1", "ChecksumCRC64NVME"):
            if r.get(k):
                entry[k] = r[k]
        done.append(entry)
    return uid, done


def data_files(server):
    n = 0
    for _, _, files in os.walk(os.path.join(server.datadir, ".cairn.sys", "data")):
        n += len(files)
    return n


def test_transfer_manager_round_trip_and_etag(s3, bucket, tmp_path):
    data = rand(17 * MIB + 333, 1)
    f = tmp_path / "big"
    f.write_bytes(data)
    cfg = TransferConfig(multipart_threshold=5 * MIB, multipart_chunksize=5 * MIB, max_concurrency=4)
    s3.upload_file(str(f), bucket, "videos/big.mp4", Config=cfg)
    chunks = [data[i:i + 5 * MIB] for i in range(0, len(data), 5 * MIB)]
    head = s3.head_object(Bucket=bucket, Key="videos/big.mp4")
    assert head["ETag"] == multipart_etag(chunks)
    assert head["ContentLength"] == len(data)
    out = tmp_path / "back"
    s3.download_file(bucket, "videos/big.mp4", str(out), Config=cfg)
    assert out.read_bytes() == data
    listed = s3.list_objects_v2(Bucket=bucket)["Contents"][0]
    assert listed["ETag"] == head["ETag"] and listed["Size"] == len(data)


def test_get_and_head_by_part_number(s3, bucket):
    parts = [rand(5 * MIB, 2), rand(5 * MIB, 3), rand(1234, 4)]
    uid, done = upload(s3, bucket, "p", parts)
    s3.complete_multipart_upload(Bucket=bucket, Key="p", UploadId=uid, MultipartUpload={"Parts": done})
    for n, body in enumerate(parts, 1):
        r = s3.get_object(Bucket=bucket, Key="p", PartNumber=n)
        assert r["ResponseMetadata"]["HTTPStatusCode"] == 206
        assert r["PartsCount"] == 3
        assert r["ContentLength"] == len(body)
        assert r["Body"].read() == body
    h = s3.head_object(Bucket=bucket, Key="p", PartNumber=3)
    assert h["ContentLength"] == 1234 and h["PartsCount"] == 3
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket, Key="p", PartNumber=4)
    assert s3util.client_error(e.value) == (416, "InvalidPartNumber")
    # a range across a part boundary
    r = s3.get_object(Bucket=bucket, Key="p", Range="bytes=%d-%d" % (5 * MIB - 10, 5 * MIB + 9))
    assert r["Body"].read() == (parts[0] + parts[1])[5 * MIB - 10:5 * MIB + 10]


def test_parts_may_be_skipped_and_reuploaded(make_server):
    # a private server: counting its data files must not see other tests'
    server = make_server()
    s3 = make_client(server.endpoint)
    bucket = "reupload"
    s3.create_bucket(Bucket=bucket)
    uid = s3.create_multipart_upload(Bucket=bucket, Key="r")["UploadId"]
    first = rand(5 * MIB, 5)
    s3.upload_part(Bucket=bucket, Key="r", UploadId=uid, PartNumber=1, Body=rand(5 * MIB, 99))
    e1 = s3.upload_part(Bucket=bucket, Key="r", UploadId=uid, PartNumber=1, Body=first)["ETag"]  # re-upload wins
    s3.upload_part(Bucket=bucket, Key="r", UploadId=uid, PartNumber=2, Body=b"unused part")
    e7 = s3.upload_part(Bucket=bucket, Key="r", UploadId=uid, PartNumber=7, Body=b"tail")["ETag"]
    parts = s3.list_parts(Bucket=bucket, Key="r", UploadId=uid)["Parts"]
    assert [p["PartNumber"] for p in parts] == [1, 2, 7]
    s3.complete_multipart_upload(Bucket=bucket, Key="r", UploadId=uid, MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": e1}, {"PartNumber": 7, "ETag": e7}]})
    assert s3.get_object(Bucket=bucket, Key="r")["Body"].read() == first + b"tail"
    assert s3.head_object(Bucket=bucket, Key="r")["ETag"] == multipart_etag([first, b"tail"])
    # the replaced part 1 and the unused part 2 are gone from disk: 2 files remain
    deadline = time.monotonic() + 5
    while data_files(server) > 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert data_files(server) == 2


def test_complete_errors(s3, bucket):
    uid, done = upload(s3, bucket, "e", [rand(5 * MIB, 6), b"small", b"last"])

    def complete(parts):
        with pytest.raises(ClientError) as e:
            s3.complete_multipart_upload(Bucket=bucket, Key="e", UploadId=uid, MultipartUpload={"Parts": parts})
        return s3util.client_error(e.value)

    assert complete([done[1], done[0]]) == (400, "InvalidPartOrder")
    assert complete([done[0], done[0]]) == (400, "InvalidPartOrder")
    assert complete([done[0], {"PartNumber": 2, "ETag": '"0123456789abcdef0123456789abcdef"'}]) == (400, "InvalidPart")
    assert complete([done[0], {"PartNumber": 9, "ETag": done[1]["ETag"]}]) == (400, "InvalidPart")
    assert complete(done) == (400, "EntityTooSmall")       # part 2 is under 5 MiB and not last
    # the failures left the upload intact: a valid list completes it
    first = s3.complete_multipart_upload(Bucket=bucket, Key="e", UploadId=uid,
                                         MultipartUpload={"Parts": [done[0], done[2]]})
    # a retried Complete (the first answer lost on the way) gets the same answer
    again = s3.complete_multipart_upload(Bucket=bucket, Key="e", UploadId=uid,
                                         MultipartUpload={"Parts": [done[0], done[2]]})
    assert again["ETag"] == first["ETag"] and again["Key"] == "e"
    # but the upload is gone for everything else
    with pytest.raises(ClientError) as e:
        s3.upload_part(Bucket=bucket, Key="e", UploadId=uid, PartNumber=3, Body=b"late")
    assert s3util.client_error(e.value) == (404, "NoSuchUpload")
    with pytest.raises(ClientError) as e:
        s3.list_parts(Bucket=bucket, Key="e", UploadId=uid)
    assert s3util.client_error(e.value) == (404, "NoSuchUpload")
    assert "Uploads" not in s3.list_multipart_uploads(Bucket=bucket)
    with pytest.raises(ClientError) as e:
        s3.abort_multipart_upload(Bucket=bucket, Key="e", UploadId=uid)
    assert s3util.client_error(e.value) == (404, "NoSuchUpload")


def test_complete_malformed_xml(raw, s3, bucket):
    uid = s3.create_multipart_upload(Bucket=bucket, Key="x")["UploadId"]
    for body in (b"", b"<CompleteMultipartUpload></CompleteMultipartUpload>", b"<nope/>",
                 b"<CompleteMultipartUpload><Part><PartNumber>zero</PartNumber></Part></CompleteMultipartUpload>"):
        r = raw("POST", "/%s/x" % bucket, "uploadId=" + uid, body=body)
        s3util.assert_error(r, 400, "MalformedXML")


def test_part_number_and_upload_id_validation(s3, bucket):
    uid = s3.create_multipart_upload(Bucket=bucket, Key="v")["UploadId"]
    for n in (0, 10001):
        with pytest.raises(ClientError) as e:
            s3.upload_part(Bucket=bucket, Key="v", UploadId=uid, PartNumber=n, Body=b"x")
        assert s3util.client_error(e.value) == (400, "InvalidArgument")
    with pytest.raises(ClientError) as e:
        s3.upload_part(Bucket=bucket, Key="v", UploadId="0" * 32, PartNumber=1, Body=b"x")
    assert s3util.client_error(e.value) == (404, "NoSuchUpload")
    with pytest.raises(ClientError) as e:
        s3.upload_part(Bucket=bucket, Key="other-key", UploadId=uid, PartNumber=1, Body=b"x")
    assert s3util.client_error(e.value) == (404, "NoSuchUpload")
    with pytest.raises(ClientError) as e:
        s3.list_parts(Bucket=bucket, Key="v", UploadId="nonsense")
    assert s3util.client_error(e.value) == (404, "NoSuchUpload")


def test_abort_gives_space_back(s3, bucket, server):
    before = data_files(server)
    uid, _ = upload(s3, bucket, "a", [rand(MIB, 7), rand(MIB, 8)])
    assert data_files(server) == before + 2
    r = s3.abort_multipart_upload(Bucket=bucket, Key="a", UploadId=uid)
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 204
    deadline = time.monotonic() + 5
    while data_files(server) > before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert data_files(server) == before
    with pytest.raises(ClientError) as e:
        s3.abort_multipart_upload(Bucket=bucket, Key="a", UploadId=uid)
    assert s3util.client_error(e.value) == (404, "NoSuchUpload")
    assert "Uploads" not in s3.list_multipart_uploads(Bucket=bucket)


def test_list_parts_paging(s3, bucket):
    uid, done = upload(s3, bucket, "lp", [b"p%d" % i for i in range(7)])
    seen, marker = [], 0
    for _ in range(10):
        r = s3.list_parts(Bucket=bucket, Key="lp", UploadId=uid, MaxParts=3, PartNumberMarker=marker)
        seen += [p["PartNumber"] for p in r.get("Parts", [])]
        assert r["MaxParts"] == 3
        if not r["IsTruncated"]:
            break
        marker = r["NextPartNumberMarker"]
    assert seen == list(range(1, 8))
    one = s3.list_parts(Bucket=bucket, Key="lp", UploadId=uid)["Parts"][1]
    assert one["ETag"] == done[1]["ETag"] and one["Size"] == 2
    s3.abort_multipart_upload(Bucket=bucket, Key="lp", UploadId=uid)


def test_list_multipart_uploads_prefix_delimiter_markers(s3, bucket):
    ids = {}
    for key in ("a/1", "a/2", "b/1", "c", "c"):
        ids.setdefault(key, []).append(s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"])
    r = s3.list_multipart_uploads(Bucket=bucket)
    got = [(u["Key"], u["UploadId"]) for u in r["Uploads"]]
    assert sorted(k for k, _ in got) == ["a/1", "a/2", "b/1", "c", "c"]
    r = s3.list_multipart_uploads(Bucket=bucket, Prefix="a/")
    assert [u["Key"] for u in r["Uploads"]] == ["a/1", "a/2"]
    r = s3.list_multipart_uploads(Bucket=bucket, Delimiter="/")
    assert [p["Prefix"] for p in r["CommonPrefixes"]] == ["a/", "b/"]
    assert [u["Key"] for u in r["Uploads"]] == ["c", "c"]
    # paging by key-marker / upload-id-marker visits each upload once
    seen, kw = [], {}
    for _ in range(10):
        r = s3.list_multipart_uploads(Bucket=bucket, MaxUploads=2, **kw)
        seen += [(u["Key"], u["UploadId"]) for u in r.get("Uploads", [])]
        if not r["IsTruncated"]:
            break
        kw = {"KeyMarker": r["NextKeyMarker"], "UploadIdMarker": r["NextUploadIdMarker"]}
    assert sorted(seen) == sorted(got)
    for key, uids in ids.items():
        for u in uids:
            s3.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=u)


def test_upload_part_copy_with_range(s3, bucket):
    src = rand(7 * MIB, 9)
    s3.put_object(Bucket=bucket, Key="src", Body=src)
    uid = s3.create_multipart_upload(Bucket=bucket, Key="dst")["UploadId"]
    r1 = s3.upload_part_copy(Bucket=bucket, Key="dst", UploadId=uid, PartNumber=1,
                             CopySource={"Bucket": bucket, "Key": "src"}, CopySourceRange="bytes=0-5242879")
    r2 = s3.upload_part_copy(Bucket=bucket, Key="dst", UploadId=uid, PartNumber=2,
                             CopySource={"Bucket": bucket, "Key": "src"}, CopySourceRange="bytes=6291456-7340031")
    assert r1["CopyPartResult"]["ETag"] == '"%s"' % hashlib.md5(src[:5 * MIB]).hexdigest()
    with pytest.raises(ClientError) as e:
        s3.upload_part_copy(Bucket=bucket, Key="dst", UploadId=uid, PartNumber=3,
                            CopySource={"Bucket": bucket, "Key": "src"}, CopySourceRange="bytes=0-99999999")
    assert s3util.client_error(e.value) == (416, "InvalidRange")   # well formed, beyond the source
    s3.complete_multipart_upload(Bucket=bucket, Key="dst", UploadId=uid, MultipartUpload={"Parts": [
        {"PartNumber": 1, "ETag": r1["CopyPartResult"]["ETag"]},
        {"PartNumber": 2, "ETag": r2["CopyPartResult"]["ETag"]}]})
    assert s3.get_object(Bucket=bucket, Key="dst")["Body"].read() == src[:5 * MIB] + src[6 * MIB:7 * MIB]


def test_composite_checksum_crc32(s3, bucket):
    parts = [rand(5 * MIB, 10), rand(100, 11)]
    uid, done = upload(s3, bucket, "ck", parts, ChecksumAlgorithm="CRC32")
    assert [d["ChecksumCRC32"] for d in done] == [crc32_b64(p) for p in parts]
    r = s3.complete_multipart_upload(Bucket=bucket, Key="ck", UploadId=uid, MultipartUpload={"Parts": done})
    raw = b"".join(zlib.crc32(p).to_bytes(4, "big") for p in parts)
    want = "%s-2" % crc32_b64(raw)
    assert r["ChecksumCRC32"] == want
    h = s3.head_object(Bucket=bucket, Key="ck", ChecksumMode="ENABLED")
    assert h["ChecksumCRC32"] == want
    a = s3.get_object_attributes(Bucket=bucket, Key="ck", ObjectAttributes=["Checksum", "ObjectParts", "ObjectSize", "ETag"])
    assert a["Checksum"]["ChecksumCRC32"] == want
    assert a["ObjectParts"]["TotalPartsCount"] == 2 and a["ObjectSize"] == 5 * MIB + 100
    assert '"%s"' % a["ETag"] == multipart_etag(parts)


def test_composite_checksum_sha256(s3, bucket):
    parts = [rand(5 * MIB, 12), rand(7, 13)]
    uid, done = upload(s3, bucket, "sha", parts, ChecksumAlgorithm="SHA256")
    r = s3.complete_multipart_upload(Bucket=bucket, Key="sha", UploadId=uid, MultipartUpload={"Parts": done})
    raw = b"".join(hashlib.sha256(p).digest() for p in parts)
    assert r["ChecksumSHA256"] == "%s-2" % b64(hashlib.sha256(raw).digest())


@pytest.mark.parametrize("algo", ["CRC32", "CRC64NVME"])
def test_full_object_checksum(raw, s3, bucket, algo):
    parts = [rand(5 * MIB, 14), rand(5 * MIB, 15), rand(999, 16)]
    # Debian's botocore predates ChecksumType and CRC64NVME: send the headers ourselves
    r = raw("POST", "/%s/full" % bucket, "uploads",
            headers={"x-amz-checksum-algorithm": algo, "x-amz-checksum-type": "FULL_OBJECT"})
    assert r.status == 200, r
    assert r.headers.get("x-amz-checksum-type") == "FULL_OBJECT"
    uid = s3util.xml_text(ET.fromstring(r.body), "UploadId")
    done = []
    for i, body in enumerate(parts, 1):
        r = s3.upload_part(Bucket=bucket, Key="full", UploadId=uid, PartNumber=i, Body=body)
        done.append({"PartNumber": i, "ETag": r["ETag"]})
    r = s3.complete_multipart_upload(Bucket=bucket, Key="full", UploadId=uid, MultipartUpload={"Parts": done})
    whole = b"".join(parts)
    h = raw("HEAD", "/%s/full" % bucket, headers={"x-amz-checksum-mode": "ENABLED"})
    if algo == "CRC32":
        want = crc32_b64(whole)
    else:
        want = b64(crc64nvme(whole).to_bytes(8, "big"))
    assert h.headers.get("x-amz-checksum-" + algo.lower()) == want, h.headers
    assert h.headers.get("x-amz-checksum-type") == "FULL_OBJECT"


def test_wrong_part_checksum_is_rejected(raw, s3, bucket):
    uid = s3.create_multipart_upload(Bucket=bucket, Key="bad", ChecksumAlgorithm="CRC32")["UploadId"]
    r = raw("PUT", "/%s/bad" % bucket, "partNumber=1&uploadId=" + uid, body=b"hello",
            headers={"x-amz-checksum-crc32": crc32_b64(b"other")})
    s3util.assert_error(r, 400, ("BadDigest", "InvalidRequest"))
    assert "Parts" not in s3.list_parts(Bucket=bucket, Key="bad", UploadId=uid)


def test_stale_uploads_are_swept(make_server):
    srv = make_server(env_extra={"CAIRN_STALE_UPLOADS_EXPIRY": "1", "CAIRN_STALE_UPLOADS_CLEANUP_INTERVAL": "1"})
    c = make_client(srv.endpoint)
    c.create_bucket(Bucket="stale")
    uid = c.create_multipart_upload(Bucket="stale", Key="k")["UploadId"]
    c.upload_part(Bucket="stale", Key="k", UploadId=uid, PartNumber=1, Body=rand(MIB, 17))
    deadline = time.monotonic() + 8
    while time.monotonic() < deadline and c.list_multipart_uploads(Bucket="stale").get("Uploads"):
        time.sleep(0.2)
    assert not c.list_multipart_uploads(Bucket="stale").get("Uploads")
    deadline = time.monotonic() + 5
    while data_files(srv) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert data_files(srv) == 0


def test_delete_bucket_with_upload_in_progress(s3, server):
    name = "mp-del-%d" % random.randrange(10 ** 9)
    s3.create_bucket(Bucket=name)
    before = data_files(server)
    uid = s3.create_multipart_upload(Bucket=name, Key="k")["UploadId"]
    s3.upload_part(Bucket=name, Key="k", UploadId=uid, PartNumber=1, Body=b"orphan?")
    s3.delete_bucket(Bucket=name)
    deadline = time.monotonic() + 5
    while data_files(server) > before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert data_files(server) == before


# ------------------------------------------------------- real tools, large files

def run(cmd, env, timeout=180):
    r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    assert r.returncode == 0, (cmd, r.stdout[-2000:], r.stderr[-2000:])
    return r


def test_awscli_multipart_cp(server, s3, bucket, tmp_path):
    home = tmp_path / "aws"
    home.mkdir()
    (home / "config").write_text("[default]\nregion = us-east-1\ns3 =\n    addressing_style = path\n"
                                 "    multipart_threshold = 8MB\n    multipart_chunksize = 8MB\n")
    env = s3util.clean_env({"HOME": str(home), "AWS_CONFIG_FILE": str(home / "config"),
                            "AWS_SHARED_CREDENTIALS_FILE": str(home / "none"),
                            "AWS_ACCESS_KEY_ID": AK, "AWS_SECRET_ACCESS_KEY": SK,
                            "AWS_EC2_METADATA_DISABLED": "true", "AWS_PAGER": ""})
    data = rand(20 * MIB + 5, 18)
    f = tmp_path / "model.bin"
    f.write_bytes(data)
    run(["/usr/bin/aws", "--endpoint-url", server.endpoint, "s3", "cp", str(f), "s3://%s/ml/model.bin" % bucket], env)
    etag = s3.head_object(Bucket=bucket, Key="ml/model.bin")["ETag"]
    assert etag.endswith('-3"'), etag
    back = tmp_path / "back.bin"
    run(["/usr/bin/aws", "--endpoint-url", server.endpoint, "s3", "cp", "s3://%s/ml/model.bin" % bucket, str(back)], env)
    assert back.read_bytes() == data


def test_rclone_multipart(server, bucket, tmp_path):
    data = rand(12 * MIB + 7, 19)
    f = tmp_path / "video.mp4"
    f.write_bytes(data)
    env = s3util.clean_env({
        "RCLONE_CONFIG": str(tmp_path / "none.conf"),
        "RCLONE_CONFIG_C_TYPE": "s3", "RCLONE_CONFIG_C_PROVIDER": "Other",
        "RCLONE_CONFIG_C_ENDPOINT": server.endpoint, "RCLONE_CONFIG_C_ACCESS_KEY_ID": AK,
        "RCLONE_CONFIG_C_SECRET_ACCESS_KEY": SK, "RCLONE_CONFIG_C_FORCE_PATH_STYLE": "true",
        "RCLONE_CONFIG_C_REGION": "us-east-1"})
    run(["/usr/bin/rclone", "copyto", "--s3-upload-cutoff", "5M", "--s3-chunk-size", "5M",
         str(f), "c:%s/v/video.mp4" % bucket], env)
    run(["/usr/bin/rclone", "check", str(tmp_path), "c:%s/v" % bucket, "--include", "video.mp4"], env)
    out = tmp_path / "out.mp4"
    run(["/usr/bin/rclone", "copyto", "c:%s/v/video.mp4" % bucket, str(out)], env)
    assert out.read_bytes() == data


def test_s3cmd_multipart(server, bucket, tmp_path):
    cfg = tmp_path / "s3cfg"
    cfg.write_text("[default]\naccess_key = %s\nsecret_key = %s\nhost_base = %s\nhost_bucket = %s\n"
                   "use_https = False\nsignature_v2 = False\nbucket_location = us-east-1\n"
                   "multipart_chunk_size_mb = 5\n" % (AK, SK, server.hostport, server.hostport))
    data = rand(11 * MIB + 1, 20)
    f = tmp_path / "doc.pdf"
    f.write_bytes(data)
    env = s3util.clean_env({"HOME": str(tmp_path)})
    run(["/usr/bin/s3cmd", "-c", str(cfg), "put", str(f), "s3://%s/docs/doc.pdf" % bucket], env)
    out = tmp_path / "got.pdf"
    run(["/usr/bin/s3cmd", "-c", str(cfg), "get", "s3://%s/docs/doc.pdf" % bucket, str(out)], env)
    assert out.read_bytes() == data
