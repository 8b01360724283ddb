"""Access control with real clients: the platform's example (docs/iam.md,
set up by docs/examples/iam/setup.sh) through boto3 and awscli as several
users, anonymous access through a bucket policy, policy conditions,
temporary credentials (STS AssumeRole), service accounts, disabled users,
canned ACLs, and malformed policies refused with nothing stored.

Every denial must be AccessDenied (or the documented code) and must leave
the data as it was."""

import json
import os
import subprocess
import time
import urllib.error
import urllib.request

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

import s3util
from opsutil import cli, cli_json

EXAMPLE = os.path.join(s3util.REPO, "docs", "examples", "iam")
SECRETS = {
    "user-svc": "user-svc-secret-0001",
    "product-svc": "product-svc-secret-0001",
    "order-svc": "order-svc-secret-0001",
    "ops-readonly": "ops-readonly-secret-0001",
}


@pytest.fixture(scope="module")
def iam_server(tmp_path_factory):
    d = tmp_path_factory.mktemp("iam")
    srv = s3util.CairnServer(str(d / "data"), log_path=str(d / "server.log"),
                             env_extra={"CAIRN_TEST_STS_MIN_DURATION": "1"})
    srv.start()
    env = s3util.clean_env({"CAIRN_ROOT_USER": srv.creds[0], "CAIRN_ROOT_PASSWORD": srv.creds[1],
                            "CAIRN": s3util.cairn_bin(),
                            "USER_SVC_SECRET": SECRETS["user-svc"],
                            "PRODUCT_SVC_SECRET": SECRETS["product-svc"],
                            "ORDER_SVC_SECRET": SECRETS["order-svc"],
                            "OPS_READONLY_SECRET": SECRETS["ops-readonly"]})
    r = subprocess.run([os.path.join(EXAMPLE, "setup.sh"), srv.endpoint], env=env, capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    root = s3util.make_client(srv.endpoint, *srv.creds)
    for b in ("user-profiles", "product-catalog", "product-images", "order-history"):
        root.create_bucket(Bucket=b)
        root.put_object(Bucket=b, Key="seed.txt", Body=b"seed of " + b.encode())
    with open(os.path.join(EXAMPLE, "product-images-public.json")) as f:
        root.put_bucket_policy(Bucket="product-images", Policy=f.read())
    yield srv
    alive = srv.alive()
    srv.stop(10)
    assert alive, srv.log_tail()


@pytest.fixture(scope="module")
def root(iam_server):
    return s3util.make_client(iam_server.endpoint, *iam_server.creds)


def client(srv, user, secret=None, token=None):
    if token:
        c = boto3.session.Session().client(
            "s3", endpoint_url=srv.endpoint, aws_access_key_id=user, aws_secret_access_key=secret,
            aws_session_token=token, region_name="us-east-1",
            config=Config(signature_version="s3v4", s3={"addressing_style": "path"},
                          retries={"total_max_attempts": 1}))
        return c
    return s3util.make_client(srv.endpoint, user, secret or SECRETS[user])


def denied(call, code="AccessDenied", status=403):
    with pytest.raises(ClientError) as ei:
        call()
    assert s3util.client_error(ei.value) == (status, code), ei.value.response
    return ei.value


def anon(srv, method, path, body=None):
    req = urllib.request.Request(srv.endpoint + path, data=body, method=method)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def exists(root, bucket, key):
    try:
        root.head_object(Bucket=bucket, Key=key)
        return True
    except ClientError as e:
        assert e.response["ResponseMetadata"]["HTTPStatusCode"] == 404
        return False


def admin(srv, *args, creds=None):
    return cli(srv, *args, creds=creds)


# ---------------------------------------------------------------- the example

@pytest.mark.parametrize("user,own,other", [
    ("user-svc", "user-profiles", "order-history"),
    ("product-svc", "product-catalog", "user-profiles"),
    ("order-svc", "order-history", "product-catalog"),
])
def test_service_users_own_domain_only(iam_server, root, user, own, other):
    c = client(iam_server, user)
    c.put_object(Bucket=own, Key="k", Body=b"mine")
    assert c.get_object(Bucket=own, Key="k")["Body"].read() == b"mine"
    assert [o["Key"] for o in c.list_objects_v2(Bucket=own)["Contents"]] == ["k", "seed.txt"]
    c.delete_object(Bucket=own, Key="k")
    assert not exists(root, own, "k")
    # the other domain: every path refused, nothing changed
    denied(lambda: c.put_object(Bucket=other, Key="intruder", Body=b"x"))
    assert not exists(root, other, "intruder")
    denied(lambda: c.get_object(Bucket=other, Key="seed.txt"))
    denied(lambda: c.list_objects_v2(Bucket=other))
    denied(lambda: c.delete_object(Bucket=other, Key="seed.txt"))
    assert exists(root, other, "seed.txt")
    with pytest.raises(ClientError) as ei:   # HEAD answers carry no body: the status says it
        c.head_bucket(Bucket=other)
    assert ei.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    denied(lambda: c.delete_bucket(Bucket=other))
    denied(lambda: c.put_bucket_policy(Bucket=other, Policy=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                                                "Resource": "arn:aws:s3:::%s/*" % other}]})))
    # ListBuckets shows the domain's buckets only
    names = [b["Name"] for b in c.list_buckets()["Buckets"]]
    assert own in names and other not in names
    assert all(n.startswith(own.split("-")[0] + "-") for n in names), names


def test_service_user_creates_only_domain_buckets(iam_server, root):
    c = client(iam_server, "order-svc")
    c.create_bucket(Bucket="order-archive")
    denied(lambda: c.create_bucket(Bucket="product-stolen"))
    names = [b["Name"] for b in root.list_buckets()["Buckets"]]
    assert "order-archive" in names and "product-stolen" not in names
    c.delete_bucket(Bucket="order-archive")


def test_ops_readonly_reads_and_lists_everything_changes_nothing(iam_server, root):
    c = client(iam_server, "ops-readonly")
    names = {b["Name"] for b in c.list_buckets()["Buckets"]}
    assert {"user-profiles", "product-catalog", "order-history"} <= names
    for b in ("user-profiles", "order-history"):
        assert c.get_object(Bucket=b, Key="seed.txt")["Body"].read() == b"seed of " + b.encode()
        assert c.list_objects_v2(Bucket=b)["KeyCount"] >= 1
        denied(lambda: c.put_object(Bucket=b, Key="ops-wrote", Body=b"x"))
        denied(lambda: c.delete_object(Bucket=b, Key="seed.txt"))
        assert exists(root, b, "seed.txt") and not exists(root, b, "ops-wrote")
    denied(lambda: c.create_bucket(Bucket="ops-bucket"))
    # the admin API is not a readonly user's
    r = admin(iam_server, "info", creds=("ops-readonly", SECRETS["ops-readonly"]))
    assert r.returncode != 0 and "AccessDenied" in r.stderr, r.stderr


def test_anonymous_only_on_public_bucket(iam_server, root):
    root.put_object(Bucket="product-images", Key="shoe.jpg", Body=b"JPEG")
    assert anon(iam_server, "GET", "/product-images/shoe.jpg") == (200, b"JPEG")
    # the policy grants GetObject only: no listing, no writes
    assert anon(iam_server, "GET", "/product-images")[0] == 403
    assert anon(iam_server, "PUT", "/product-images/anon.jpg", b"x")[0] == 403
    assert anon(iam_server, "DELETE", "/product-images/shoe.jpg")[0] == 403
    assert exists(root, "product-images", "shoe.jpg") and not exists(root, "product-images", "anon.jpg")
    status, body = anon(iam_server, "GET", "/product-catalog/seed.txt")
    assert status == 403 and b"<Code>AccessDenied</Code>" in body and b"<RequestId>" in body
    assert anon(iam_server, "GET", "/")[0] == 403
    st = root.get_bucket_policy_status(Bucket="product-images")["PolicyStatus"]
    assert st["IsPublic"] is True
    assert root.get_bucket_policy_status(Bucket="product-catalog")["PolicyStatus"]["IsPublic"] is False
    acl = root.get_object_acl(Bucket="product-images", Key="shoe.jpg")
    uris = [g["Grantee"].get("URI") for g in acl["Grants"]]
    assert "http://acs.amazonaws.com/groups/global/AllUsers" in uris


def test_awscli_as_service_user(iam_server, tmp_path):
    env = s3util.clean_env({"AWS_ACCESS_KEY_ID": "product-svc", "AWS_SECRET_ACCESS_KEY": SECRETS["product-svc"],
                            "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": str(tmp_path / "none"),
                            "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none")})
    f = tmp_path / "up.txt"
    f.write_bytes(b"from awscli")
    aws = ["/usr/bin/aws", "--endpoint-url", iam_server.endpoint]
    ok = subprocess.run(aws + ["s3", "cp", str(f), "s3://product-catalog/cli.txt"], env=env, capture_output=True,
                        text=True, timeout=60)
    assert ok.returncode == 0, ok.stderr
    ls = subprocess.run(aws + ["s3", "ls", "s3://product-catalog/"], env=env, capture_output=True, text=True,
                        timeout=60)
    assert ls.returncode == 0 and "cli.txt" in ls.stdout, ls.stdout + ls.stderr
    bad = subprocess.run(aws + ["s3", "cp", str(f), "s3://order-history/cli.txt"], env=env, capture_output=True,
                         text=True, timeout=60)
    assert bad.returncode != 0 and "AccessDenied" in bad.stderr, bad.stderr


# ---------------------------------------------------------------- conditions

def test_prefix_condition_limits_listing(iam_server, root, tmp_path):
    pol = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::user-profiles",
         "Condition": {"StringLike": {"s3:prefix": ["home/${aws:username}/*", "home/${aws:username}/"]}}},
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
         "Resource": "arn:aws:s3:::user-profiles/home/${aws:username}/*"}]}
    p = tmp_path / "home.json"
    p.write_text(json.dumps(pol))
    assert admin(iam_server, "policy", "create", "home-folder", str(p)).returncode == 0
    assert admin(iam_server, "user", "add", "alice", "alice-secret-0001").returncode == 0
    assert admin(iam_server, "policy", "set", "home-folder", "--user", "alice").returncode == 0
    root.put_object(Bucket="user-profiles", Key="home/alice/notes", Body=b"a")
    root.put_object(Bucket="user-profiles", Key="home/bob/notes", Body=b"b")
    c = client(iam_server, "alice", "alice-secret-0001")
    got = c.list_objects_v2(Bucket="user-profiles", Prefix="home/alice/")
    assert [o["Key"] for o in got["Contents"]] == ["home/alice/notes"]
    denied(lambda: c.list_objects_v2(Bucket="user-profiles"))
    denied(lambda: c.list_objects_v2(Bucket="user-profiles", Prefix="home/bob/"))
    c.put_object(Bucket="user-profiles", Key="home/alice/more", Body=b"x")
    denied(lambda: c.put_object(Bucket="user-profiles", Key="home/bob/evil", Body=b"x"))
    assert not exists(root, "user-profiles", "home/bob/evil")


def test_source_ip_condition(iam_server, tmp_path):
    for name, op in (("from-loopback", "IpAddress"), ("not-loopback", "NotIpAddress")):
        pol = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::product-catalog/*",
             "Condition": {op: {"aws:SourceIp": "127.0.0.0/8"}}}]}
        p = tmp_path / (name + ".json")
        p.write_text(json.dumps(pol))
        assert admin(iam_server, "policy", "create", name, str(p)).returncode == 0
        assert admin(iam_server, "user", "add", name, name + "-secret").returncode == 0
        assert admin(iam_server, "policy", "set", name, "--user", name).returncode == 0
    ok = client(iam_server, "from-loopback", "from-loopback-secret")
    assert ok.get_object(Bucket="product-catalog", Key="seed.txt")["Body"].read() == b"seed of product-catalog"
    no = client(iam_server, "not-loopback", "not-loopback-secret")
    denied(lambda: no.get_object(Bucket="product-catalog", Key="seed.txt"))


def test_explicit_deny_in_bucket_policy_beats_user_allow(iam_server, root):
    root.create_bucket(Bucket="order-locked")
    root.put_object(Bucket="order-locked", Key="ledger", Body=b"1")
    root.put_bucket_policy(Bucket="order-locked", Policy=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Deny", "Principal": {"AWS": ["order-svc"]}, "Action": "s3:DeleteObject",
             "Resource": "arn:aws:s3:::order-locked/*"}]}))
    c = client(iam_server, "order-svc")
    assert c.get_object(Bucket="order-locked", Key="ledger")["Body"].read() == b"1"
    denied(lambda: c.delete_object(Bucket="order-locked", Key="ledger"))
    # DeleteObjects decides per key
    r = c.delete_objects(Bucket="order-locked", Delete={"Objects": [{"Key": "ledger"}]})
    assert [e["Code"] for e in r.get("Errors", [])] == ["AccessDenied"], r
    assert exists(root, "order-locked", "ledger")
    root.delete_bucket_policy(Bucket="order-locked")
    c.delete_object(Bucket="order-locked", Key="ledger")
    c.delete_bucket(Bucket="order-locked")


def test_copy_needs_read_on_source(iam_server, root):
    c = client(iam_server, "product-svc")
    denied(lambda: c.copy_object(Bucket="product-catalog", Key="copied",
                                 CopySource={"Bucket": "order-history", "Key": "seed.txt"}))
    assert not exists(root, "product-catalog", "copied")
    c.copy_object(Bucket="product-catalog", Key="copied", CopySource={"Bucket": "product-catalog", "Key": "seed.txt"})
    c.delete_object(Bucket="product-catalog", Key="copied")


# ---------------------------------------------------------------- groups, keys, tokens

def test_group_policy_applies_to_members(iam_server, root):
    assert admin(iam_server, "user", "add", "analyst", "analyst-secret-01").returncode == 0
    c = client(iam_server, "analyst", "analyst-secret-01")
    denied(lambda: c.get_object(Bucket="order-history", Key="seed.txt"))
    assert admin(iam_server, "group", "add", "analysts", "analyst").returncode == 0
    assert admin(iam_server, "policy", "set", "readonly", "--group", "analysts").returncode == 0
    assert c.get_object(Bucket="order-history", Key="seed.txt")["Body"].read() == b"seed of order-history"
    assert admin(iam_server, "group", "disable", "analysts").returncode == 0
    denied(lambda: c.get_object(Bucket="order-history", Key="seed.txt"))
    info = cli_json(iam_server, "group", "info", "analysts")
    assert info["status"] == "disabled" and info["members"] == ["analyst"]


def test_disabled_user_refused_at_once_and_enabled_again(iam_server):
    assert admin(iam_server, "user", "add", "temp-worker", "temp-worker-secret").returncode == 0
    assert admin(iam_server, "policy", "set", "readwrite", "--user", "temp-worker").returncode == 0
    c = client(iam_server, "temp-worker", "temp-worker-secret")
    c.list_buckets()
    assert admin(iam_server, "user", "disable", "temp-worker").returncode == 0
    e = denied(lambda: c.list_buckets(), code="InvalidAccessKeyId")
    assert "disabled" in e.response["Error"]["Message"]
    assert admin(iam_server, "user", "enable", "temp-worker").returncode == 0
    c.list_buckets()
    # rotation: the old secret stops working, the new one works
    assert admin(iam_server, "user", "rotate", "temp-worker", "temp-worker-secret-2").returncode == 0
    denied(lambda: c.list_buckets(), code="SignatureDoesNotMatch")
    client(iam_server, "temp-worker", "temp-worker-secret-2").list_buckets()
    assert admin(iam_server, "user", "remove", "temp-worker").returncode == 0
    denied(lambda: client(iam_server, "temp-worker", "temp-worker-secret-2").list_buckets(), code="InvalidAccessKeyId")


def test_service_account_narrowed_policy(iam_server, root, tmp_path):
    root.put_object(Bucket="product-catalog", Key="public/a.txt", Body=b"pub")
    narrow = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::product-catalog/public/*"}]}
    p = tmp_path / "narrow.json"
    p.write_text(json.dumps(narrow))
    creds = cli_json(iam_server, "svcacct", "add", "product-svc", "--policy", str(p))["credentials"]
    k = s3util.make_client(iam_server.endpoint, creds["accessKey"], creds["secretKey"])
    assert k.get_object(Bucket="product-catalog", Key="public/a.txt")["Body"].read() == b"pub"
    denied(lambda: k.get_object(Bucket="product-catalog", Key="seed.txt"))
    denied(lambda: k.put_object(Bucket="product-catalog", Key="public/b.txt", Body=b"x"))
    # the narrowing never widens: the parent cannot read order-history, nor can its key
    denied(lambda: k.get_object(Bucket="order-history", Key="seed.txt"))
    listing = cli_json(iam_server, "svcacct", "list", "product-svc")["accounts"]
    assert creds["accessKey"] in [a["accessKey"] for a in listing]
    assert "secretKey" not in json.dumps(listing) and creds["secretKey"] not in json.dumps(listing)
    assert admin(iam_server, "svcacct", "disable", creds["accessKey"]).returncode == 0
    denied(lambda: k.get_object(Bucket="product-catalog", Key="public/a.txt"), code="InvalidAccessKeyId")
    assert admin(iam_server, "svcacct", "remove", creds["accessKey"]).returncode == 0


def test_service_account_expires(iam_server):
    creds = cli_json(iam_server, "svcacct", "add", "product-svc", "--expiry", "2")["credentials"]
    k = s3util.make_client(iam_server.endpoint, creds["accessKey"], creds["secretKey"])
    k.get_object(Bucket="product-catalog", Key="seed.txt")
    time.sleep(3)
    denied(lambda: k.get_object(Bucket="product-catalog", Key="seed.txt"), code="ExpiredToken", status=400)


def sts_client(srv, user, secret):
    return boto3.session.Session().client(
        "sts", endpoint_url=srv.endpoint, aws_access_key_id=user, aws_secret_access_key=secret,
        region_name="us-east-1", config=Config(retries={"total_max_attempts": 1}, parameter_validation=False))


def test_temporary_credentials_work_then_expire(iam_server, root):
    sts = sts_client(iam_server, "product-svc", SECRETS["product-svc"])
    session = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::*"}]}
    c = sts.assume_role(RoleArn="arn:aws:iam::cairn:role/any", RoleSessionName="catalog-reader",
                        DurationSeconds=900, Policy=json.dumps(session))["Credentials"]
    t = client(iam_server, c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"])
    assert t.get_object(Bucket="product-catalog", Key="seed.txt")["Body"].read() == b"seed of product-catalog"
    # the session policy narrows the parent's power, never widens it
    denied(lambda: t.put_object(Bucket="product-catalog", Key="tmp", Body=b"x"))
    denied(lambda: t.get_object(Bucket="order-history", Key="seed.txt"))
    # a token that was tampered with is refused
    bad = client(iam_server, c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"][:-8] + "AAAAAAA=")
    denied(lambda: bad.get_object(Bucket="product-catalog", Key="seed.txt"), code="InvalidToken", status=400)
    # expiry (the test server allows 1-second sessions; production's minimum is 900)
    short = sts.assume_role(RoleArn="arn:aws:iam::cairn:role/any", RoleSessionName="short-lived",
                            DurationSeconds=2)["Credentials"]
    s = client(iam_server, short["AccessKeyId"], short["SecretAccessKey"], short["SessionToken"])
    s.get_object(Bucket="product-catalog", Key="seed.txt")
    time.sleep(3)
    denied(lambda: s.get_object(Bucket="product-catalog", Key="seed.txt"), code="ExpiredToken", status=400)


def test_assume_role_bad_input(iam_server):
    sts = sts_client(iam_server, "product-svc", SECRETS["product-svc"])
    for kw, code in ((dict(DurationSeconds=43201), "InvalidParameterValue"),
                     (dict(Policy="{not json"), "MalformedPolicyDocument"),
                     (dict(Policy=json.dumps({"Version": "2012-10-17", "Statement": [
                         {"Effect": "Allow", "Action": "s3:Nope", "Resource": "*"}]})), "MalformedPolicyDocument")):
        with pytest.raises(ClientError) as ei:
            sts.assume_role(RoleArn="arn:aws:iam::cairn:role/any", RoleSessionName="bad-input", **kw)
        assert ei.value.response["Error"]["Code"] == code, ei.value.response
    wrong = sts_client(iam_server, "product-svc", "wrong-secret-000")
    with pytest.raises(ClientError) as ei:
        wrong.assume_role(RoleArn="arn:aws:iam::cairn:role/any", RoleSessionName="wrong-secret")
    assert ei.value.response["Error"]["Code"] == "SignatureDoesNotMatch"


# ---------------------------------------------------------------- bucket policies, ACLs, bad input

def test_malformed_bucket_policies_refused_nothing_stored(iam_server, root):
    root.create_bucket(Bucket="product-policy-tests")
    cases = [
        "{not json",
        json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                                                           "Resource": "arn:aws:s3:::product-policy-tests/*"}]}),
        json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*",
                                                           "Action": "s3:GetObjekt",
                                                           "Resource": "arn:aws:s3:::product-policy-tests/*"}]}),
        json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*",
                                                           "Action": "s3:GetObject",
                                                           "Resource": "arn:aws:s3:::some-other-bucket/*"}]}),
        json.dumps({"Version": "2012-10-17", "Statement": [
            {"Sid": "s%d" % i, "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
             "Resource": "arn:aws:s3:::product-policy-tests/%s/*" % ("x" * 200)} for i in range(200)]}),
    ]
    for doc in cases:
        e = denied(lambda: root.put_bucket_policy(Bucket="product-policy-tests", Policy=doc),
                   code="MalformedPolicy", status=400)
        assert e.response["Error"]["Message"], e.response
        denied(lambda: root.get_bucket_policy(Bucket="product-policy-tests"), code="NoSuchBucketPolicy", status=404)
    root.delete_bucket(Bucket="product-policy-tests")


def test_malformed_iam_policies_refused(iam_server, tmp_path):
    for name, doc in (("bad-json", "{"), ("bad-action", json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:Teleport", "Resource": "*"}]})),
            ("with-principal", json.dumps({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}]}))):
        p = tmp_path / (name + ".json")
        p.write_text(doc)
        r = admin(iam_server, "policy", "create", name, str(p))
        assert r.returncode != 0 and "MalformedPolicy" in r.stderr, r.stderr
        r = admin(iam_server, "policy", "info", name)
        assert r.returncode != 0 and "404" in r.stderr
    big = tmp_path / "big.json"
    big.write_text(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/" + "y" * 30000}]}))
    r = admin(iam_server, "policy", "create", "too-big", str(big))
    assert r.returncode != 0 and "MalformedPolicy" in r.stderr, r.stderr
    # built-ins are not replaceable, attached policies not removable
    ok = tmp_path / "ok.json"
    ok.write_text(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}))
    assert "Conflict" in admin(iam_server, "policy", "create", "readwrite", str(ok)).stderr
    assert "Conflict" in admin(iam_server, "policy", "remove", "product-domain").stderr


def test_canned_acls_map_onto_bucket_policy(iam_server, root):
    root.create_bucket(Bucket="product-cdn", ACL="public-read")
    root.put_object(Bucket="product-cdn", Key="logo.png", Body=b"PNG")
    # as on AWS, a public-read bucket lists for anyone; its objects stay private
    status, body = anon(iam_server, "GET", "/product-cdn")
    assert status == 200 and b"<Key>logo.png</Key>" in body
    assert anon(iam_server, "GET", "/product-cdn/logo.png")[0] == 403
    assert anon(iam_server, "PUT", "/product-cdn/x", b"x")[0] == 403
    grants = root.get_bucket_acl(Bucket="product-cdn")["Grants"]
    assert {(g["Grantee"].get("URI"), g["Permission"]) for g in grants if g["Grantee"].get("URI")} == {
        ("http://acs.amazonaws.com/groups/global/AllUsers", "READ")}
    # the owner's own statement survives a canned change
    pol = json.loads(root.get_bucket_policy(Bucket="product-cdn")["Policy"])
    pol["Statement"].append({"Sid": "OwnerRule", "Effect": "Deny", "Principal": "*", "Action": "s3:DeleteBucket",
                             "Resource": "arn:aws:s3:::product-cdn"})
    root.put_bucket_policy(Bucket="product-cdn", Policy=json.dumps(pol))
    root.put_bucket_acl(Bucket="product-cdn", ACL="private")
    assert anon(iam_server, "GET", "/product-cdn")[0] == 403
    sids = [s.get("Sid") for s in json.loads(root.get_bucket_policy(Bucket="product-cdn")["Policy"])["Statement"]]
    assert sids == ["OwnerRule"]
    root.put_bucket_acl(Bucket="product-cdn", ACL="authenticated-read")
    assert anon(iam_server, "GET", "/product-cdn")[0] == 403
    assert [o["Key"] for o in client(iam_server, "order-svc").list_objects_v2(Bucket="product-cdn")["Contents"]] == ["logo.png"]
    denied(lambda: root.put_bucket_acl(Bucket="product-cdn", ACL="everyone-please"), code="InvalidArgument", status=400)
    root.delete_bucket_policy(Bucket="product-cdn")
    root.delete_object(Bucket="product-cdn", Key="logo.png")
    root.delete_bucket(Bucket="product-cdn")


def test_admin_api_for_users(iam_server, tmp_path):
    assert admin(iam_server, "user", "add", "ops-admin", "ops-admin-secret").returncode == 0
    assert admin(iam_server, "policy", "set", "consoleAdmin", "--user", "ops-admin").returncode == 0
    j = cli_json(iam_server, "info", creds=("ops-admin", "ops-admin-secret"))
    assert j["mode"] == "online"
    # a user without admin power manages its own keys, and only its own
    mine = cli_json(iam_server, "svcacct", "add", "order-svc", creds=("order-svc", SECRETS["order-svc"]))
    assert mine["credentials"]["accessKey"]
    r = admin(iam_server, "svcacct", "add", "product-svc", creds=("order-svc", SECRETS["order-svc"]))
    assert r.returncode != 0 and "AccessDenied" in r.stderr
    r = admin(iam_server, "user", "add", "sneaky", "sneaky-secret", creds=("order-svc", SECRETS["order-svc"]))
    assert r.returncode != 0 and "AccessDenied" in r.stderr
    users = cli_json(iam_server, "user", "list")["users"]
    assert "sneaky" not in users and users["order-svc"]["policies"] == ["order-domain"]
    # no admin answer carries a secret
    dump = json.dumps(users) + json.dumps(cli_json(iam_server, "svcacct", "list"))
    for s in SECRETS.values():
        assert s not in dump


def test_iam_survives_restart_and_secrets_sealed_at_rest(tmp_path):
    srv = s3util.CairnServer(str(tmp_path / "data"), log_path=str(tmp_path / "log"))
    srv.start()
    try:
        secret = "restart-user-secret-41"
        assert cli(srv, "user", "add", "restart-user", secret).returncode == 0
        assert cli(srv, "policy", "set", "readwrite", "--user", "restart-user").returncode == 0
        # a service account with no name, description or policy is stored
        # with those as null: the state must still read back
        svc = cli_json(srv, "svcacct", "add", "restart-user")["credentials"]
        srv.stop(10)
        srv.start()
        c = s3util.make_client(srv.endpoint, "restart-user", secret)
        c.create_bucket(Bucket="after-restart")
        k = s3util.make_client(srv.endpoint, svc["accessKey"], svc["secretKey"])
        assert [b["Name"] for b in k.list_buckets()["Buckets"]] == ["after-restart"]
        c.delete_bucket(Bucket="after-restart")
    finally:
        srv.stop(10)
    for dirpath, _, files in os.walk(str(tmp_path / "data")):
        for f in files:
            with open(os.path.join(dirpath, f), "rb") as fh:
                assert secret.encode() not in fh.read(), f
    # another root secret without CAIRN_KMS_SECRET_KEY cannot read them: refused, not ignored
    other = s3util.CairnServer(str(tmp_path / "data"), creds=(s3util.AK, "a-different-root-secret-000"),
                               log_path=str(tmp_path / "log2"))
    with pytest.raises(RuntimeError) as ei:
        other.start()
    assert "CAIRN_KMS_SECRET_KEY" in str(ei.value)
    other.kill9()


def test_public_object_acl_accepted_where_the_bucket_policy_already_grants_it(iam_server, root):
    # product-images is readable by anyone: uploads that ask for public-read get what they ask
    c = client(iam_server, "product-svc")
    c.put_object(Bucket="product-images", Key="acl-public.jpg", Body=b"J", ACL="public-read")
    assert anon(iam_server, "GET", "/product-images/acl-public.jpg") == (200, b"J")
    c.put_object_acl(Bucket="product-images", Key="acl-public.jpg", ACL="public-read")
    c.delete_object(Bucket="product-images", Key="acl-public.jpg")


def test_object_acls_only_owner_only(iam_server, root):
    root.put_object(Bucket="product-catalog", Key="acl-private", Body=b"x", ACL="private")
    root.put_object_acl(Bucket="product-catalog", Key="acl-private", ACL="bucket-owner-full-control")
    # one public object would be a silent lie: cairn has no per-object grants
    denied(lambda: root.put_object(Bucket="product-catalog", Key="acl-public", Body=b"x", ACL="public-read"),
           code="NotImplemented", status=501)
    assert not exists(root, "product-catalog", "acl-public")
    denied(lambda: root.put_object_acl(Bucket="product-catalog", Key="acl-private", ACL="public-read"),
           code="NotImplemented", status=501)
    assert anon(iam_server, "GET", "/product-catalog/acl-private")[0] == 403
    denied(lambda: root.put_object_acl(Bucket="product-catalog", Key="no-such-key", ACL="private"),
           code="NoSuchKey", status=404)
    root.delete_object(Bucket="product-catalog", Key="acl-private")


def test_presigned_urls_carry_the_signer_s_rights(iam_server):
    c = client(iam_server, "product-svc")
    ok = c.generate_presigned_url("get_object", Params={"Bucket": "product-catalog", "Key": "seed.txt"}, ExpiresIn=60)
    with urllib.request.urlopen(ok, timeout=10) as r:
        assert r.read() == b"seed of product-catalog"
    bad = c.generate_presigned_url("get_object", Params={"Bucket": "order-history", "Key": "seed.txt"}, ExpiresIn=60)
    with pytest.raises(urllib.error.HTTPError) as ei:
        urllib.request.urlopen(bad, timeout=10)
    assert ei.value.code == 403 and b"AccessDenied" in ei.value.read()


def test_users_wait_while_identities_are_unreadable(tmp_path):
    """With too few drives to read the IAM document, root is served, users
    get a retryable 503 and IAM changes are refused; when the drives come
    back, the users work again and nothing was overwritten."""
    drives = [str(tmp_path / ("d%d" % i)) for i in range(1, 5)]
    srv = s3util.CairnServer(drives[0], args=drives[1:], log_path=str(tmp_path / "log"))
    srv.start()
    try:
        assert cli(srv, "user", "add", "patient", "patient-secret-1").returncode == 0
        assert cli(srv, "policy", "set", "readwrite", "--user", "patient").returncode == 0
        srv.stop(10)
        hidden = [d + ".away" for d in drives[:3]]
        for d, h in zip(drives[:3], hidden):
            os.rename(d, h)
            os.makedirs(d)
        srv.start()
        assert cli_json(srv, "info")["drivesOnline"]["offline"] == 3   # root is served
        u = s3util.make_client(srv.endpoint, "patient", "patient-secret-1")
        with pytest.raises(ClientError) as ei:
            u.list_buckets()
        assert ei.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503, ei.value.response
        assert "identity store" in ei.value.response["Error"]["Message"]
        r = cli(srv, "user", "add", "newcomer", "newcomer-secret-1")
        assert r.returncode != 0 and "503" in r.stderr, r.stderr
        srv.stop(10)
        for d, h in zip(drives[:3], hidden):
            s3util.rmtree(d)
            os.rename(h, d)
        srv.start()
        s3util.make_client(srv.endpoint, "patient", "patient-secret-1").list_buckets()
        assert "newcomer" not in cli_json(srv, "user", "list")["users"]
    finally:
        srv.stop(10)


def test_tag_and_acl_condition_keys(iam_server, root, tmp_path):
    """s3:ExistingObjectTag/<key> reads the object's tags; s3:x-amz-acl the request's canned ACL."""
    pol = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::order-history/*",
         "Condition": {"StringEquals": {"s3:ExistingObjectTag/classification": "shareable"}}},
        {"Effect": "Allow", "Action": "s3:CreateBucket", "Resource": "arn:aws:s3:::order-*",
         "Condition": {"StringEquals": {"s3:x-amz-acl": "private"}}}]}
    p = tmp_path / "tags.json"
    p.write_text(json.dumps(pol))
    assert admin(iam_server, "policy", "create", "tagged-reads", str(p)).returncode == 0
    assert admin(iam_server, "user", "add", "auditor", "auditor-secret-01").returncode == 0
    assert admin(iam_server, "policy", "set", "tagged-reads", "--user", "auditor").returncode == 0
    root.put_object(Bucket="order-history", Key="shared.csv", Body=b"s", Tagging="classification=shareable")
    root.put_object(Bucket="order-history", Key="secret.csv", Body=b"x", Tagging="classification=internal")
    c = client(iam_server, "auditor", "auditor-secret-01")
    assert c.get_object(Bucket="order-history", Key="shared.csv")["Body"].read() == b"s"
    denied(lambda: c.get_object(Bucket="order-history", Key="secret.csv"))
    denied(lambda: c.get_object(Bucket="order-history", Key="seed.txt"))   # no tags at all
    denied(lambda: c.create_bucket(Bucket="order-audit"))                  # no x-amz-acl header
    c.create_bucket(Bucket="order-audit", ACL="private")
    root.delete_bucket(Bucket="order-audit")


def test_missing_key_is_404_only_for_callers_who_may_list(iam_server, root):
    """AWS: without s3:ListBucket a missing key answers 403, so a caller
    learns nothing about what exists; with it (here for one prefix), 404."""
    root.create_bucket(Bucket="product-probe")
    root.put_bucket_policy(Bucket="product-probe", Policy=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "s3:ListBucket",
             "Resource": "arn:aws:s3:::product-probe", "Condition": {"StringLike": {"s3:prefix": "public/*"}}}]}))
    c = client(iam_server, "order-svc")
    for key, status in (("public/none", 404), ("private/none", 403)):
        with pytest.raises(ClientError) as ei:
            c.head_object(Bucket="product-probe", Key=key)
        assert ei.value.response["ResponseMetadata"]["HTTPStatusCode"] == status, key
    root.put_object(Bucket="product-probe", Key="public/there", Body=b"x")
    denied(lambda: c.get_object(Bucket="product-probe", Key="public/there"))   # listing is not reading
    root.delete_object(Bucket="product-probe", Key="public/there")
    root.delete_bucket_policy(Bucket="product-probe")
    root.delete_bucket(Bucket="product-probe")


def test_bucket_policy_edge_cases(iam_server, root):
    root.create_bucket(Bucket="product-edge")
    # a wildcard resource that covers the bucket is accepted (as RGW and MinIO do)
    root.put_bucket_policy(Bucket="product-edge", Policy=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:ListBucket",
                                               "Resource": "arn:aws:s3:::*"}]}))
    assert anon(iam_server, "GET", "/product-edge")[0] == 200
    # "allow everyone except X" is refused, as AWS refuses NotPrincipal with Allow
    denied(lambda: root.put_bucket_policy(Bucket="product-edge", Policy=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotPrincipal": {"AWS": "order-svc"},
                                               "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::product-edge"}]})),
           code="MalformedPolicy", status=400)
    # authenticated-read is public for PolicyStatus, as AWS counts it
    root.put_bucket_acl(Bucket="product-edge", ACL="authenticated-read")
    root.delete_bucket_policy(Bucket="product-edge")
    assert root.get_bucket_policy_status(Bucket="product-edge")["PolicyStatus"]["IsPublic"] is False
    root.put_bucket_acl(Bucket="product-edge", ACL="authenticated-read")
    assert root.get_bucket_policy_status(Bucket="product-edge")["PolicyStatus"]["IsPublic"] is True
    # s3:RequestObjectTag reads the request's x-amz-tagging
    root.put_bucket_policy(Bucket="product-edge", Policy=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:PutObject",
                                               "Resource": "arn:aws:s3:::product-edge/*",
                                               "Condition": {"StringEquals": {"s3:RequestObjectTag/security": "public"}}}]}))
    c = client(iam_server, "order-svc")
    denied(lambda: c.put_object(Bucket="product-edge", Key="t", Body=b"x"))
    c.put_object(Bucket="product-edge", Key="t", Body=b"x", Tagging="security=public")
    root.delete_object(Bucket="product-edge", Key="t")
    root.delete_bucket_policy(Bucket="product-edge")
    root.delete_bucket(Bucket="product-edge")


def test_public_access_block(iam_server, root):
    """BlockPublicPolicy refuses public policies, BlockPublicAcls public
    ACLs, IgnorePublicAcls drops what canned ACLs granted, and
    RestrictPublicBuckets takes a public policy away from anonymous callers."""
    b = "product-pab"
    root.create_bucket(Bucket=b)
    root.put_object(Bucket=b, Key="k", Body=b"x")
    denied(lambda: root.get_public_access_block(Bucket=b), code="NoSuchPublicAccessBlockConfiguration", status=404)
    public = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::%s/*" % b}]})
    from_vpn = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::%s/*" % b,
         "Condition": {"IpAddress": {"aws:SourceIp": "10.8.0.0/16"}}}]})

    def pab(**flags):
        conf = {k: flags.get(k, False) for k in ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy",
                                                  "RestrictPublicBuckets")}
        root.put_public_access_block(Bucket=b, PublicAccessBlockConfiguration=conf)
        assert root.get_public_access_block(Bucket=b)["PublicAccessBlockConfiguration"] == conf

    pab(BlockPublicPolicy=True, BlockPublicAcls=True)
    denied(lambda: root.put_bucket_policy(Bucket=b, Policy=public))
    denied(lambda: root.get_bucket_policy(Bucket=b), code="NoSuchBucketPolicy", status=404)
    root.put_bucket_policy(Bucket=b, Policy=from_vpn)          # conditioned on the source: not public
    denied(lambda: root.put_bucket_acl(Bucket=b, ACL="public-read"))
    root.put_bucket_acl(Bucket=b, ACL="private")
    denied(lambda: root.put_object(Bucket=b, Key="p", Body=b"x", ACL="public-read"))

    pab(RestrictPublicBuckets=True)
    root.put_bucket_policy(Bucket=b, Policy=public)
    assert anon(iam_server, "GET", "/%s/k" % b)[0] == 403
    pab()
    assert anon(iam_server, "GET", "/%s/k" % b) == (200, b"x")

    root.delete_bucket_policy(Bucket=b)
    root.put_bucket_acl(Bucket=b, ACL="public-read")
    assert anon(iam_server, "GET", "/" + b)[0] == 200
    pab(IgnorePublicAcls=True)
    assert anon(iam_server, "GET", "/" + b)[0] == 403
    root.delete_public_access_block(Bucket=b)
    assert anon(iam_server, "GET", "/" + b)[0] == 200
    root.put_bucket_acl(Bucket=b, ACL="private")
    root.delete_object(Bucket=b, Key="k")
    root.delete_bucket(Bucket=b)
