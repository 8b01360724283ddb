"""Real command-line clients: awscli v2 (/usr/bin/aws), s3cmd, rclone.
Each runs with an isolated HOME and config, so no user configuration leaks
in, and with a timeout."""

import filecmp
import os
import random
import subprocess
import time

import pytest
from botocore.exceptions import ClientError

import s3util
from s3util import AK, SK, md5hex
from conftest import unique_bucket_name

AWS = "/usr/bin/aws"
S3CMD = "/usr/bin/s3cmd"
RCLONE = "/usr/bin/rclone"
MIB = 1024 * 1024


def run(cmd, env, timeout=120, check=True, cwd=None):
    r = subprocess.run(cmd, env=env, capture_output=True, timeout=timeout, cwd=cwd)
    out = r.stdout.decode("utf-8", "replace")
    err = r.stderr.decode("utf-8", "replace")
    if check:
        assert r.returncode == 0, "%s -> %s\nstdout:\n%s\nstderr:\n%s" % (
            cmd, r.returncode, out[-3000:], err[-3000:])
    return r.returncode, out, err


def write_random(path, n, seed=0):
    path.write_bytes(random.Random(seed + n).randbytes(n))
    return path


# ------------------------------------------------------------------ awscli

@pytest.fixture
def awscli(server, tmp_path):
    assert s3util.which_ok(AWS), "awscli missing: apt-get install awscli"
    home = tmp_path / "awshome"
    home.mkdir()
    cfg = home / "config"
    cfg.write_text("[default]\nregion = us-east-1\noutput = json\n"
                   "s3 =\n    addressing_style = path\n    multipart_threshold = 64MB\n"
                   "    multipart_chunksize = 16MB\n")
    creds = home / "credentials"
    creds.write_text("")
    env = s3util.clean_env({
        "HOME": str(home), "AWS_CONFIG_FILE": str(cfg),
        "AWS_SHARED_CREDENTIALS_FILE": str(creds),
        "AWS_ACCESS_KEY_ID": AK, "AWS_SECRET_ACCESS_KEY": SK,
        "AWS_DEFAULT_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_PAGER": "", "AWS_RETRY_MODE": "standard", "AWS_MAX_ATTEMPTS": "1",
    })

    def aws(*args, check=True, timeout=120):
        # a response that stalls for 20 s is a failure, not a slow pass
        return run([AWS, "--endpoint-url", server.endpoint, "--cli-read-timeout", "20",
                    "--cli-connect-timeout", "5"] + list(args), env,
                   timeout=timeout, check=check)
    return aws


def test_awscli_s3_high_level(awscli, s3, tmp_path):
    b = unique_bucket_name("awscli")
    awscli("s3", "mb", "s3://" + b)
    try:
        small = write_random(tmp_path / "small.txt", 1234)
        big = write_random(tmp_path / "big.bin", 20 * MIB)
        awscli("s3", "cp", str(small), "s3://%s/dir/small.txt" % b)
        awscli("s3", "cp", str(big), "s3://%s/dir/big.bin" % b, timeout=180)
        _, out, _ = awscli("s3", "ls", "s3://%s/dir/" % b)
        assert "small.txt" in out and "big.bin" in out and str(20 * MIB) in out, out
        _, out, _ = awscli("s3", "ls")
        assert b in out
        down = tmp_path / "down"
        down.mkdir()
        awscli("s3", "cp", "s3://%s/dir/big.bin" % b, str(down / "big.bin"), timeout=180)
        awscli("s3", "cp", "s3://%s/dir/small.txt" % b, str(down / "small.txt"))
        assert filecmp.cmp(big, down / "big.bin", shallow=False)
        assert filecmp.cmp(small, down / "small.txt", shallow=False)
        assert s3.head_object(Bucket=b, Key="dir/big.bin")["ETag"] == \
            '"%s"' % md5hex(big.read_bytes())
        awscli("s3", "rm", "s3://%s/dir/small.txt" % b)
        with pytest.raises(ClientError):
            s3.head_object(Bucket=b, Key="dir/small.txt")
        awscli("s3", "rm", "--recursive", "s3://%s/" % b)
        assert s3.list_objects_v2(Bucket=b)["KeyCount"] == 0
        awscli("s3", "rb", "s3://" + b)
        b = None
    finally:
        if b:
            from conftest import _cleanup_bucket
            _cleanup_bucket(s3, b)


def test_awscli_sync_both_ways(awscli, s3, bucket, tmp_path):
    src = tmp_path / "src"
    (src / "sub" / "deeper").mkdir(parents=True)
    files = {"a.txt": 10, "sub/b.bin": 200 * 1024, "sub/deeper/c.dat": 1,
             "sub/space name.txt": 33, "empty": 0}
    old = time.time() - 3600  # older than any LastModified: sync compares mtimes
    for rel, n in files.items():
        write_random(src / rel, n)
        os.utime(src / rel, (old, old))
    awscli("s3", "sync", str(src), "s3://%s/tree" % bucket)
    listed = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"])
    assert listed == sorted("tree/" + k for k in files)
    # second sync uploads nothing
    _, out, _ = awscli("s3", "sync", str(src), "s3://%s/tree" % bucket)
    assert "upload:" not in out, out
    # change one object on the server, sync down into a fresh directory
    s3.put_object(Bucket=bucket, Key="tree/new-on-server.txt", Body=b"server side")
    dst = tmp_path / "dst"
    awscli("s3", "sync", "s3://%s/tree" % bucket, str(dst))
    for rel in files:
        assert filecmp.cmp(src / rel, dst / rel, shallow=False), rel
    assert (dst / "new-on-server.txt").read_bytes() == b"server side"
    # sync --delete removes what is gone locally
    (src / "a.txt").unlink()
    awscli("s3", "sync", "--delete", str(src), "s3://%s/tree" % bucket)
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    assert "tree/a.txt" not in keys and "tree/new-on-server.txt" not in keys


def test_awscli_s3api(awscli, bucket, tmp_path):
    f = write_random(tmp_path / "obj", 4096)
    import json
    _, out, _ = awscli("s3api", "put-object", "--bucket", bucket, "--key", "api/obj",
                       "--body", str(f), "--content-type", "text/x-api",
                       "--metadata", "k1=v1")
    assert json.loads(out)["ETag"] == '"%s"' % md5hex(f.read_bytes())
    _, out, _ = awscli("s3api", "head-object", "--bucket", bucket, "--key", "api/obj")
    h = json.loads(out)
    assert h["ContentLength"] == 4096 and h["ContentType"] == "text/x-api"
    assert h["Metadata"] == {"k1": "v1"}
    _, out, _ = awscli("s3api", "list-objects-v2", "--bucket", bucket, "--prefix", "api/")
    assert [o["Key"] for o in json.loads(out)["Contents"]] == ["api/obj"]
    rc, out, err = awscli("s3api", "head-object", "--bucket", bucket, "--key", "missing",
                          check=False)
    assert rc != 0 and "404" in err, (rc, err)
    out_file = tmp_path / "got"
    awscli("s3api", "get-object", "--bucket", bucket, "--key", "api/obj", str(out_file))
    assert out_file.read_bytes() == f.read_bytes()


def test_multipart_create_and_abort(s3, bucket):
    """CreateMultipartUpload answers an upload id that AbortMultipartUpload
    accepts (multipart behaviour in depth: test_multipart.py)."""
    r = s3.create_multipart_upload(Bucket=bucket, Key="mp")
    assert r.get("UploadId"), r
    assert r["Key"] == "mp" and r["Bucket"] == bucket
    a = s3.abort_multipart_upload(Bucket=bucket, Key="mp", UploadId=r["UploadId"])
    assert a["ResponseMetadata"]["HTTPStatusCode"] == 204


# ------------------------------------------------------------------ s3cmd

@pytest.fixture
def s3cmd(server, tmp_path):
    assert s3util.which_ok(S3CMD), "s3cmd missing: apt-get install s3cmd"
    home = tmp_path / "s3cmdhome"
    home.mkdir()
    cfg = home / "s3cfg"
    cfg.write_text("\n".join([
        "[default]",
        "access_key = " + AK,
        "secret_key = " + SK,
        "host_base = " + server.hostport,
        "host_bucket = " + server.hostport,
        "bucket_location = us-east-1",
        "use_https = False",
        "signature_v2 = False",
        "check_ssl_certificate = False",
        "guess_mime_type = True",
        "",
    ]))
    env = s3util.clean_env({"HOME": str(home)})

    def cmd(*args, check=True):
        return run([S3CMD, "-c", str(cfg), "--no-progress"] + list(args), env, check=check)
    return cmd


def test_s3cmd(s3cmd, s3, tmp_path):
    b = unique_bucket_name("s3cmd")
    s3cmd("mb", "s3://" + b)
    try:
        f = write_random(tmp_path / "file.bin", 300 * 1024 + 5)
        s3cmd("put", str(f), "s3://%s/x/file.bin" % b)
        _, out, _ = s3cmd("ls", "s3://%s/x/" % b)
        assert "s3://%s/x/file.bin" % b in out, out
        _, out, _ = s3cmd("ls")
        assert "s3://" + b in out
        got = tmp_path / "got.bin"
        s3cmd("get", "s3://%s/x/file.bin" % b, str(got))
        assert got.read_bytes() == f.read_bytes()
        _, out, _ = s3cmd("info", "s3://%s/x/file.bin" % b)
        assert md5hex(f.read_bytes()) in out, out
        s3cmd("del", "s3://%s/x/file.bin" % b)
        assert s3.list_objects_v2(Bucket=b)["KeyCount"] == 0
        s3cmd("rb", "s3://" + b)
        assert b not in [x["Name"] for x in s3.list_buckets()["Buckets"]]
        b = None
    finally:
        if b:
            from conftest import _cleanup_bucket
            _cleanup_bucket(s3, b)


# ------------------------------------------------------------------ rclone

@pytest.fixture
def rclone(server, tmp_path):
    assert s3util.which_ok(RCLONE), "rclone missing: apt-get install rclone"
    home = tmp_path / "rclonehome"
    home.mkdir()
    env = s3util.clean_env({
        "HOME": str(home),
        "RCLONE_CONFIG": str(home / "rclone.conf"),
        "RCLONE_CONFIG_CAIRN_TYPE": "s3",
        "RCLONE_CONFIG_CAIRN_PROVIDER": "Minio",
        "RCLONE_CONFIG_CAIRN_ENV_AUTH": "false",
        "RCLONE_CONFIG_CAIRN_ACCESS_KEY_ID": AK,
        "RCLONE_CONFIG_CAIRN_SECRET_ACCESS_KEY": SK,
        "RCLONE_CONFIG_CAIRN_ENDPOINT": server.endpoint,
        "RCLONE_CONFIG_CAIRN_REGION": "us-east-1",
        "RCLONE_CONFIG_CAIRN_FORCE_PATH_STYLE": "true",
    })

    def cmd(*args, check=True):
        return run([RCLONE, "--retries", "1", "--low-level-retries", "1",
                    "--contimeout", "5s", "--timeout", "60s"] + list(args), env, check=check)
    cmd.env = env
    return cmd


def test_rclone(rclone, s3, tmp_path):
    b = unique_bucket_name("rclone")
    rclone("mkdir", "cairn:" + b)
    try:
        assert b in [x["Name"] for x in s3.list_buckets()["Buckets"]]
        src = tmp_path / "src"
        (src / "d").mkdir(parents=True)
        (src / "one.txt").write_bytes(b"hello rclone\n" * 8)
        write_random(src / "d" / "two.bin", 1 * MIB + 1)
        write_random(src / "d" / "three.bin", 0)
        rclone("copy", str(src), "cairn:%s/up" % b)
        _, out, _ = rclone("ls", "cairn:%s/up" % b)
        assert "one.txt" in out and "d/two.bin" in out and "d/three.bin" in out, out
        _, out, _ = rclone("cat", "cairn:%s/up/one.txt" % b)
        assert out == "hello rclone\n" * 8
        r = subprocess.run([RCLONE, "cat", "cairn:%s/up/d/two.bin" % b],
                           env=rclone.env, capture_output=True, timeout=60)
        assert r.returncode == 0 and r.stdout == (src / "d" / "two.bin").read_bytes()
        rclone("check", str(src), "cairn:%s/up" % b)  # sizes and MD5s match
        # check must notice a difference
        s3.put_object(Bucket=b, Key="up/one.txt", Body=b"changed behind rclone's back")
        rc, _, _ = rclone("check", str(src), "cairn:%s/up" % b, check=False)
        assert rc != 0, "rclone check did not notice a changed object"
        rclone("delete", "cairn:%s/up/one.txt" % b)
        keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=b)["Contents"])
        assert keys == ["up/d/three.bin", "up/d/two.bin"]
        rclone("purge", "cairn:" + b)
        assert b not in [x["Name"] for x in s3.list_buckets()["Buckets"]]
        b = None
    finally:
        if b:
            from conftest import _cleanup_bucket
            _cleanup_bucket(s3, b)

