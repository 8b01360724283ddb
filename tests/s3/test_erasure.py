"""Erasure coding across drives (directories) on one machine: objects
survive the loss, corruption or truncation of up to the parity count of
drives, are rebuilt onto replaced drives, stale drives never win, and
beyond the parity reads and writes fail with a clear 503 until the drives
come back."""

import hashlib
import os
import random
import shutil
import threading
import time

import pytest
from boto3.s3.transfer import TransferConfig
from botocore.exceptions import ClientError

import s3util
from s3util import make_client

MIB = 1024 * 1024
SIZES = [0, 1, 4096, 128 * 1024 + 1, 700 * 1024, 3 * MIB + 17]


class Deployment:
    def __init__(self, make_server, root, n, env=None):
        self.root = root
        self.n = n
        self.drives = [os.path.join(root, "d%d" % i) for i in range(1, n + 1)]
        for d in self.drives:
            os.makedirs(d, exist_ok=True)
        self.env = dict(env or {})
        self.srv = make_server(datadir=self.drives[-1], args=self.drives[:-1], env_extra=self.env, start=False)
        self.objects = {}

    def start(self):
        self.srv.start(timeout=30)
        self.c = make_client(self.srv.endpoint, max_pool_connections=16)
        return self

    def stop(self):
        ok, _ = self.srv.stop(15)
        assert ok, "cairn did not stop"

    def fill(self, bucket="ec-bucket", prefix="o", seed=0):
        rng = random.Random(seed)
        try:
            self.c.create_bucket(Bucket=bucket)
        except ClientError:
            pass
        for i, size in enumerate(SIZES):
            key = "%s/%d" % (prefix, i)
            body = rng.randbytes(size)
            self.c.put_object(Bucket=bucket, Key=key, Body=body)
            self.objects[(bucket, key)] = hashlib.md5(body).hexdigest()
        # a multipart object: each part is coded on its own
        body = rng.randbytes(11 * MIB + 3)
        cfg = TransferConfig(multipart_threshold=5 * MIB, multipart_chunksize=5 * MIB)
        import io
        self.c.upload_fileobj(io.BytesIO(body), bucket, prefix + "/multipart", Config=cfg)
        self.objects[(bucket, prefix + "/multipart")] = hashlib.md5(body).hexdigest()

    def check_all(self, ignore_prefix=None):
        listed = set()
        for b in {b for b, _ in self.objects}:
            for page in self.c.get_paginator("list_objects_v2").paginate(Bucket=b):
                listed |= {(b, o["Key"]) for o in page.get("Contents", [])
                           if not (ignore_prefix and o["Key"].startswith(ignore_prefix))}
        assert listed == set(self.objects), "listing incomplete: %r" % (set(self.objects) ^ listed)
        for (b, k), md5 in self.objects.items():
            got = self.c.get_object(Bucket=b, Key=k)["Body"].read()
            assert hashlib.md5(got).hexdigest() == md5, "%s/%s differs" % (b, k)

    def shard_files(self, i):
        out = []
        for dirpath, _, files in os.walk(os.path.join(self.drives[i], ".cairn.sys", "data")):
            out += [os.path.join(dirpath, f) for f in files]
        return out

    def wait_healed(self, timeout=30):
        """Every drive holds the same number of shard files (healing done)."""
        deadline = time.monotonic() + timeout
        counts = None
        while time.monotonic() < deadline:
            counts = [len(self.shard_files(i)) for i in range(self.n)]
            if len(set(counts)) == 1 and counts[0] > 0:
                return counts[0]
            time.sleep(0.2)
        raise AssertionError("healing did not finish: shard files per drive %r" % counts)


def parity(n):
    return 1 if n <= 3 else 2 if n <= 5 else 3 if n <= 7 else 4


@pytest.fixture(params=[4, 6], ids=["4drives", "6drives"])
def dep(request, make_server, tmp_path):
    d = Deployment(make_server, str(tmp_path / "drives"), request.param).start()
    d.fill()
    return d


def test_blank_replacements_are_rebuilt_completely(dep):
    m = parity(dep.n)
    dep.stop()
    for i in range(m):                       # the first m drives die and are replaced
        shutil.rmtree(dep.drives[i])
        os.makedirs(dep.drives[i])
    dep.start()
    dep.check_all()                          # served from the survivors
    dep.wait_healed()
    dep.stop()
    for i in range(dep.n - m, dep.n):        # now the last m: only rebuilt data is left
        shutil.rmtree(dep.drives[i])
        os.makedirs(dep.drives[i])
    dep.start()
    dep.check_all()


def test_corrupt_and_truncated_shards_are_reconstructed_and_healed(dep):
    m = parity(dep.n)
    rng = random.Random(5)
    damaged = {}
    for i in range(m):
        for path in dep.shard_files(i):
            damaged[path] = os.stat(path).st_ino
            size = os.path.getsize(path)
            if not size:
                continue
            with open(path, "r+b") as f:
                if i % 2 == 0:
                    pos = rng.randrange(size)
                    f.seek(pos)
                    b = f.read(1)
                    f.seek(pos)
                    f.write(bytes([b[0] ^ 0x5A]))
                else:
                    f.truncate(size // 2)
    dep.check_all()                           # bitrot detected, rebuilt from parity
    # Reads heal what they met; parity shards a read never touches are found
    # by the scrubbing scan, which verifies every checksum.
    dep.stop()
    dep.srv.env_extra = {"CAIRN_HEAL_DEEP_SCAN": "1"}
    dep.start()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        left = [p for p, ino in damaged.items() if os.path.exists(p) and os.stat(p).st_ino == ino]
        if not left:
            break
        time.sleep(0.2)
    assert not left, "damaged shards not rewritten: %r" % left[:5]
    dep.stop()
    for i in range(dep.n - m, dep.n):
        shutil.rmtree(dep.drives[i])
        os.makedirs(dep.drives[i])
    dep.start()
    dep.check_all()


def test_deleted_shard_files_and_metadata(dep):
    m = parity(dep.n)
    for path in dep.shard_files(0):
        os.unlink(path)
    dep.check_all()
    dep.stop()
    shutil.rmtree(os.path.join(dep.drives[1], ".cairn.sys", "meta"))
    dep.start()
    dep.check_all()
    dep.wait_healed()                         # the scanner puts drive 0's shards back
    dep.stop()
    for i in range(2, 2 + m):
        shutil.rmtree(dep.drives[i])
        os.makedirs(dep.drives[i])
    dep.start()
    dep.check_all()


def test_beyond_parity_fails_cleanly_then_recovers(make_server, tmp_path):
    dep = Deployment(make_server, str(tmp_path / "drives"), 4).start()
    dep.fill()
    dep.stop()
    aside = str(tmp_path / "aside")
    os.makedirs(aside)
    for i in range(3):                        # m = 2: three drives gone is one too many
        shutil.move(dep.drives[i], os.path.join(aside, "d%d" % i))
    dep.start()
    with pytest.raises(ClientError) as e:
        dep.c.get_object(Bucket="ec-bucket", Key="o/5")
    assert s3util.client_error(e.value) == (503, "SlowDownRead")
    with pytest.raises(ClientError) as e:
        dep.c.put_object(Bucket="ec-bucket", Key="new", Body=b"x" * 300000)
    assert s3util.client_error(e.value)[0] == 503
    dep.stop()
    for i in range(3):
        if os.path.isdir(dep.drives[i]):      # what the server saw there: an empty directory
            assert not os.path.exists(os.path.join(dep.drives[i], ".cairn.sys", "format.json")), \
                "a blank drive was formatted into a deployment below read quorum"
            shutil.rmtree(dep.drives[i])
        shutil.move(os.path.join(aside, "d%d" % i), dep.drives[i])
    dep.start()
    dep.check_all()
    dep.c.put_object(Bucket="ec-bucket", Key="new", Body=b"back")
    assert dep.c.get_object(Bucket="ec-bucket", Key="new")["Body"].read() == b"back"


def test_stale_drive_never_wins(make_server, tmp_path):
    """A drive that was away while objects were overwritten and deleted
    comes back with old records and shards: the quorum's state wins."""
    dep = Deployment(make_server, str(tmp_path / "drives"), 4).start()
    dep.fill()
    dep.stop()
    away = str(tmp_path / "away")
    shutil.move(dep.drives[0], away)
    os.makedirs(dep.drives[0])
    dep.start()
    dep.c.put_object(Bucket="ec-bucket", Key="o/2", Body=b"new version")
    dep.objects[("ec-bucket", "o/2")] = hashlib.md5(b"new version").hexdigest()
    dep.c.delete_object(Bucket="ec-bucket", Key="o/3")
    del dep.objects[("ec-bucket", "o/3")]
    dep.wait_healed()
    dep.stop()
    shutil.rmtree(dep.drives[0])
    shutil.move(away, dep.drives[0])          # the old drive is back
    dep.start()
    dep.check_all()
    with pytest.raises(ClientError) as e:
        dep.c.head_object(Bucket="ec-bucket", Key="o/3")
    assert s3util.client_error(e.value)[0] == 404


def test_one_drive_out_of_space_keeps_quorum(make_server, tmp_path):
    root = str(tmp_path / "drives")
    env = {"CAIRN_FAULT_INJECT": "enospc_after=1000000", "CAIRN_FAULT_INJECT_PATH": os.path.join(root, "d2")}
    dep = Deployment(make_server, root, 4, env=env).start()
    dep.fill()                                # d2 fills up part-way: the others keep quorum
    dep.check_all()
    dep.stop()
    dep.srv.env_extra = {}
    dep.start()
    dep.wait_healed()                         # what d2 missed is rebuilt once it has room
    dep.stop()
    for i in (0, 2):
        shutil.rmtree(dep.drives[i])
        os.makedirs(dep.drives[i])
    dep.start()
    dep.check_all()


def test_all_drives_full_fails_cleanly(make_server, tmp_path):
    dep = Deployment(make_server, str(tmp_path / "drives"), 4,
                     env={"CAIRN_FAULT_INJECT": "enospc_after=6000000"}).start()
    dep.c.create_bucket(Bucket="full")
    dep.c.put_object(Bucket="full", Key="kept", Body=b"k" * 2 * MIB)
    with pytest.raises(ClientError) as e:
        dep.c.put_object(Bucket="full", Key="kept", Body=b"n" * 8 * MIB)
    assert s3util.client_error(e.value)[0] in (503, 507)
    assert dep.c.get_object(Bucket="full", Key="kept")["Body"].read() == b"k" * 2 * MIB


def test_kill9_during_puts_and_healing(make_server, tmp_path):
    dep = Deployment(make_server, str(tmp_path / "drives"), 4).start()
    dep.fill()
    stop = threading.Event()
    sent = {}

    def writer():
        c = make_client(dep.srv.endpoint, read_timeout=5)
        rng = random.Random(9)
        deadline = time.monotonic() + 10
        while not stop.is_set() and time.monotonic() < deadline:
            key = "w/%d" % rng.randrange(8)
            body = rng.randbytes(rng.choice([10, 200 * 1024, 2 * MIB + 5]))
            sent.setdefault(key, set()).add(hashlib.md5(body).hexdigest())
            try:
                c.put_object(Bucket="ec-bucket", Key=key, Body=body)
            except Exception:
                return
    t = threading.Thread(target=writer, daemon=True)
    t.start()
    time.sleep(1.5)
    dep.srv.kill9()
    stop.set()
    t.join(10)
    # replace two drives, start (healing begins), kill again mid-heal
    for i in (0, 1):
        shutil.rmtree(dep.drives[i])
        os.makedirs(dep.drives[i])
    dep.start()
    time.sleep(0.3)
    dep.srv.kill9()
    dep.start()
    dep.check_all(ignore_prefix="w/")
    for key, versions in sent.items():
        try:
            got = dep.c.get_object(Bucket="ec-bucket", Key=key)["Body"].read()
        except ClientError as e:
            assert s3util.client_error(e)[0] == 404
            continue
        assert hashlib.md5(got).hexdigest() in versions, key
    dep.wait_healed()


def test_reduced_redundancy_uses_less_parity(make_server, tmp_path):
    """x-amz-storage-class: REDUCED_REDUNDANCY codes with EC:1: it survives
    one lost drive of four, not two; STANDARD (EC:2) survives two."""
    dep = Deployment(make_server, str(tmp_path / "drives"), 4).start()
    c = dep.c
    c.create_bucket(Bucket="rrs-bucket")
    std, rrs = os.urandom(3 * MIB), os.urandom(3 * MIB)
    c.put_object(Bucket="rrs-bucket", Key="std", Body=std)
    c.put_object(Bucket="rrs-bucket", Key="rrs", Body=rrs, StorageClass="REDUCED_REDUNDANCY")
    assert c.head_object(Bucket="rrs-bucket", Key="rrs")["StorageClass"] == "REDUCED_REDUNDANCY"
    assert "StorageClass" not in c.head_object(Bucket="rrs-bucket", Key="std")
    classes = {o["Key"]: o["StorageClass"] for o in c.list_objects_v2(Bucket="rrs-bucket")["Contents"]}
    assert classes == {"rrs": "REDUCED_REDUNDANCY", "std": "STANDARD"}
    with pytest.raises(ClientError) as e:
        c.put_object(Bucket="rrs-bucket", Key="g", Body=b"x", StorageClass="GLACIER")
    assert s3util.client_error(e.value) == (400, "InvalidStorageClass")
    dep.stop()
    aside = str(tmp_path / "aside")
    os.makedirs(aside)
    shutil.move(dep.drives[0], os.path.join(aside, "d0"))
    with open(dep.drives[0], "w") as f:        # a path that cannot be a drive
        f.write("not a directory")
    dep.start()
    assert dep.c.get_object(Bucket="rrs-bucket", Key="rrs")["Body"].read() == rrs
    assert dep.c.get_object(Bucket="rrs-bucket", Key="std")["Body"].read() == std
    dep.stop()
    shutil.move(dep.drives[1], os.path.join(aside, "d1"))
    with open(dep.drives[1], "w") as f:
        f.write("not a directory")
    dep.start()
    assert dep.c.get_object(Bucket="rrs-bucket", Key="std")["Body"].read() == std
    with pytest.raises(ClientError) as e:
        dep.c.get_object(Bucket="rrs-bucket", Key="rrs")
    assert s3util.client_error(e.value) == (503, "SlowDownRead")
    dep.stop()
    for i in (0, 1):
        os.unlink(dep.drives[i])
        shutil.move(os.path.join(aside, "d%d" % i), dep.drives[i])
    dep.start()
    assert dep.c.get_object(Bucket="rrs-bucket", Key="rrs")["Body"].read() == rrs


@pytest.mark.parametrize("fault", ["short_writes", "eio_after=2500000"])
def test_short_writes_and_eio_on_one_drive(make_server, tmp_path, fault):
    """Short writes are completed; a drive returning EIO is taken offline
    while the others keep the write quorum, and nothing stored is harmed."""
    root = str(tmp_path / "drives")
    env = {"CAIRN_FAULT_INJECT": fault}
    if fault.startswith("eio"):
        env["CAIRN_FAULT_INJECT_PATH"] = os.path.join(root, "d3")
    dep = Deployment(make_server, root, 4, env=env).start()
    dep.fill()
    dep.check_all()


def test_noncurrent_versions_are_healed(make_server, tmp_path):
    dep = Deployment(make_server, str(tmp_path / "drives"), 4).start()
    c = dep.c
    c.create_bucket(Bucket="vers-bucket")
    c.put_bucket_versioning(Bucket="vers-bucket", VersioningConfiguration={"Status": "Enabled"})
    old, new = os.urandom(3 * MIB), os.urandom(2 * MIB)
    v1 = c.put_object(Bucket="vers-bucket", Key="model", Body=old)["VersionId"]
    c.put_object(Bucket="vers-bucket", Key="model", Body=new)
    dep.stop()
    for i in (0, 1):
        shutil.rmtree(dep.drives[i])
        os.makedirs(dep.drives[i])
    dep.start()
    dep.wait_healed()
    dep.stop()
    for i in (2, 3):
        shutil.rmtree(dep.drives[i])
        os.makedirs(dep.drives[i])
    dep.start()
    assert dep.c.get_object(Bucket="vers-bucket", Key="model")["Body"].read() == new
    assert dep.c.get_object(Bucket="vers-bucket", Key="model", VersionId=v1)["Body"].read() == old


def test_sigterm_during_background_work_exits_cleanly(make_server, tmp_path):
    """A stop while replaced data is being removed, or a heal runs, waits
    for those workers instead of pulling the drives from under them."""
    dep = Deployment(make_server, str(tmp_path / "drives"), 4).start()
    dep.c.create_bucket(Bucket="bg-bucket")
    body = os.urandom(16 * MIB)
    for round in range(3):
        for _ in range(3):
            dep.c.put_object(Bucket="bg-bucket", Key="same", Body=body)   # each replaces the last
        ok, _ = dep.srv.stop(15)
        assert ok and dep.srv.proc.returncode == 0, "exit %s:\n%s" % (dep.srv.proc.returncode, dep.srv.log_tail())
        if round == 1:
            shutil.rmtree(dep.drives[0])          # the next start heals it while we stop it again
            os.makedirs(dep.drives[0])
        dep.start()
    assert dep.c.get_object(Bucket="bg-bucket", Key="same")["Body"].read() == body
