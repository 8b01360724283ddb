"""Multipart at scale: bounded server memory under 16 concurrent multipart
uploads and 16 slow readers, a 1 GiB `aws s3 cp` both ways, ListParts paging
over 2,500 parts, and kill -9 during CompleteMultipartUpload."""

import concurrent.futures as cf
import hashlib
import os
import random
import subprocess
import threading
import time

import pytest
from boto3.s3.transfer import TransferConfig
from botocore.exceptions import ClientError

import s3util
from s3util import AK, SK, make_client

MIB = 1024 * 1024
RSS_BOUND_MIB = 256


class RandomStream:
    """A file-like object of n pseudo-random bytes, generated as read."""

    def __init__(self, n, seed):
        self.left = n
        self.rng = random.Random(seed)
        self.md5 = hashlib.md5()

    def read(self, size=-1):
        if size is None or size < 0 or size > self.left:
            size = self.left
        b = self.rng.randbytes(size)
        self.left -= size
        self.md5.update(b)
        return b


def test_memory_bounded_concurrent_uploads_and_slow_readers(make_server):
    # Sanitizers inflate memory several times over: measure the release build.
    srv = make_server(binary=s3util.release_bin())
    c = make_client(srv.endpoint, max_pool_connections=64)
    c.create_bucket(Bucket="mem")
    size = 64 * MIB
    cfg = TransferConfig(multipart_threshold=8 * MIB, multipart_chunksize=8 * MIB, max_concurrency=4)
    digests = {}

    def up(i):
        s = RandomStream(size, i)
        c.upload_fileobj(s, "mem", "obj%d" % i, Config=cfg)
        digests[i] = s.md5.hexdigest()

    with cf.ThreadPoolExecutor(16) as ex:
        list(ex.map(up, range(16)))
    peak_up = s3util.vm_kib(srv.proc.pid, "VmHWM") / 1024

    def slow_read(i):
        body = c.get_object(Bucket="mem", Key="obj%d" % i)["Body"]
        h, n, t0 = hashlib.md5(), 0, time.monotonic()
        while True:
            chunk = body.read(256 * 1024)
            if not chunk:
                break
            h.update(chunk)
            n += len(chunk)
            if time.monotonic() - t0 < 3:
                time.sleep(0.01)   # a slow client for the first seconds
        assert n == size and h.hexdigest() == digests[i]

    with cf.ThreadPoolExecutor(16) as ex:
        list(ex.map(slow_read, range(16)))
    peak = s3util.vm_kib(srv.proc.pid, "VmHWM") / 1024
    print("peak RSS: %.1f MiB after 16 concurrent multipart uploads, %.1f MiB after 16 slow readers" % (peak_up, peak))
    assert peak_up < RSS_BOUND_MIB, "peak RSS %.1f MiB during uploads" % peak_up
    assert peak < RSS_BOUND_MIB, "peak RSS %.1f MiB during slow reads" % peak


def test_awscli_1gib_both_ways(server, bucket, tmp_path):
    home = tmp_path / "aws"
    home.mkdir()
    (home / "config").write_text("[default]\nregion = us-east-1\ns3 =\n    addressing_style = path\n")
    env = s3util.clean_env({"HOME": str(home), "AWS_CONFIG_FILE": str(home / "config"),
                            "AWS_SHARED_CREDENTIALS_FILE": str(home / "none"),
                            "AWS_ACCESS_KEY_ID": AK, "AWS_SECRET_ACCESS_KEY": SK,
                            "AWS_EC2_METADATA_DISABLED": "true", "AWS_PAGER": ""})
    src = tmp_path / "gib.bin"
    h = hashlib.sha256()
    rng = random.Random(1)
    with open(src, "wb") as f:
        for _ in range(64):
            b = rng.randbytes(16 * MIB)
            h.update(b)
            f.write(b)
    aws = ["/usr/bin/aws", "--endpoint-url", server.endpoint, "s3", "cp"]
    r = subprocess.run(aws + [str(src), "s3://%s/big/gib.bin" % bucket], env=env, capture_output=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    src.unlink()
    dst = tmp_path / "back.bin"
    r = subprocess.run(aws + ["s3://%s/big/gib.bin" % bucket, str(dst)], env=env, capture_output=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    h2 = hashlib.sha256()
    with open(dst, "rb") as f:
        for b in iter(lambda: f.read(16 * MIB), b""):
            h2.update(b)
    assert h2.hexdigest() == h.hexdigest()
    assert dst.stat().st_size == 1024 * MIB
    dst.unlink()


def test_list_parts_pagination_over_2500_parts(s3, bucket):
    uid = s3.create_multipart_upload(Bucket=bucket, Key="many")["UploadId"]
    etags = {}

    def part(n):
        etags[n] = s3.upload_part(Bucket=bucket, Key="many", UploadId=uid, PartNumber=n,
                                  Body=b"%05d" % n)["ETag"]

    with cf.ThreadPoolExecutor(8) as ex:
        list(ex.map(part, range(1, 2501)))
    seen, marker, pages = [], 0, 0
    for _ in range(10):
        r = s3.list_parts(Bucket=bucket, Key="many", UploadId=uid, PartNumberMarker=marker)
        pages += 1
        seen += [(p["PartNumber"], p["ETag"]) for p in r.get("Parts", [])]
        if not r["IsTruncated"]:
            break
        marker = r["NextPartNumberMarker"]
    assert pages == 3
    assert seen == sorted(etags.items())
    s3.abort_multipart_upload(Bucket=bucket, Key="many", UploadId=uid)


def test_kill9_during_complete(make_server, tmp_path):
    """A crash at any point of CompleteMultipartUpload leaves the upload
    open and completable, or the whole object; never a part of it."""
    datadir = str(tmp_path / "d")
    env = {"CAIRN_TEST_MIN_PART_SIZE": "1"}
    rng = random.Random(int(os.environ.get("CAIRN_CRASH_SEED", "0")) or None)
    srv = make_server(datadir=datadir, env_extra=env)
    c = make_client(srv.endpoint, max_pool_connections=16)
    c.create_bucket(Bucket="crash")
    outcomes = set()
    for rnd in range(4):
        key = "obj%d" % rnd
        uid = c.create_multipart_upload(Bucket="crash", Key=key)["UploadId"]
        bodies = {n: rng.randbytes(rng.randrange(1, 64)) for n in range(1, 801)}
        with cf.ThreadPoolExecutor(8) as ex:
            etags = dict(zip(bodies, ex.map(
                lambda n: c.upload_part(Bucket="crash", Key=key, UploadId=uid, PartNumber=n, Body=bodies[n])["ETag"],
                bodies)))
        parts = [{"PartNumber": n, "ETag": etags[n]} for n in sorted(bodies)]
        whole = b"".join(bodies[n] for n in sorted(bodies))

        def complete():
            try:
                make_client(srv.endpoint, read_timeout=5).complete_multipart_upload(
                    Bucket="crash", Key=key, UploadId=uid, MultipartUpload={"Parts": parts})
            except Exception:
                pass
        t = threading.Thread(target=complete, daemon=True)
        t.start()
        time.sleep(rng.uniform(0, 0.08))
        srv.kill9()
        t.join(10)
        srv.start()
        c = make_client(srv.endpoint, max_pool_connections=16)
        try:
            got = c.get_object(Bucket="crash", Key=key)["Body"].read()
            assert got == whole, "object after crash is not the whole upload"
            outcomes.add("completed")
        except ClientError as e:
            assert s3util.client_error(e)[0] == 404, e
            listed = []
            for page in c.get_paginator("list_parts").paginate(Bucket="crash", Key=key, UploadId=uid):
                listed += [p["PartNumber"] for p in page.get("Parts", [])]
            assert listed == sorted(bodies), "upload not intact after crash"
            outcomes.add("open")
        # either way, completing (again) gives the whole object
        c.complete_multipart_upload(Bucket="crash", Key=key, UploadId=uid, MultipartUpload={"Parts": parts})
        assert c.get_object(Bucket="crash", Key=key)["Body"].read() == whole
    print("outcomes of kill -9 during Complete:", sorted(outcomes))
    assert outcomes, outcomes
