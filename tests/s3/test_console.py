"""The web console (server/console.c, console/): its HTTP API with plain
requests, and the whole operator journey in headless Chromium
(tests/clients/console_browser.mjs).

Security properties checked here: every state change is refused without a
session, and with a session but without the right CSRF token or from a
foreign origin; logins are rate limited; the cookie is HttpOnly,
SameSite=Strict, Secure over TLS; no response ever carries the secret key.
"""

import concurrent.futures
import hashlib
import json
import os
import shutil
import socket
import ssl
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid

import pytest
import requests
from botocore.exceptions import ClientError

import s3util
from s3util import AK, SK, CairnServer, make_client

CLIENTS = os.path.join(s3util.REPO, "tests", "clients")
CHROMIUM = "/usr/bin/chromium"


class Console:
    """A console's base URL, with helpers that remember every response so
    the no-secret check can look at all of them."""

    def __init__(self, srv, scheme="http", verify=True):
        self.srv = srv
        self.base = "%s://127.0.0.1:%d" % (scheme, srv.console_port)
        self.verify = verify
        self.seen = []

    def req(self, method, path, session=None, **kw):
        s = session or requests
        kw.setdefault("timeout", 30)
        kw.setdefault("allow_redirects", False)
        r = s.request(method, self.base + path, verify=self.verify, **kw)
        self.seen.append(r)
        return r

    def login(self, ak=AK, sk=SK):
        """A logged-in requests.Session with .csrf set."""
        s = requests.Session()
        r = self.req("POST", "/api/login", s, json={"accessKey": ak, "secretKey": sk})
        assert r.status_code == 200, r.text
        s.csrf = r.json()["csrf"]
        return s


@pytest.fixture(scope="module")
def console_srv(tmp_path_factory):
    d = tmp_path_factory.mktemp("console")
    srv = CairnServer(str(d / "data"), log_path=str(d / "server.log"),
                      env_extra={"CAIRN_USAGE_SCAN_INTERVAL": "1"})
    srv.start()
    yield srv
    ok, _ = srv.stop(10)
    assert ok


@pytest.fixture
def con(console_srv):
    c = Console(console_srv)
    yield c
    for r in c.seen:
        assert_no_secret(r)


def assert_no_secret(r):
    assert SK not in r.text, "secret key in the body of %s %s" % (r.request.method, r.url)
    for k, v in r.headers.items():
        assert SK not in v, "secret key in header %s of %s" % (k, r.url)


def new_bucket():
    return "con-" + uuid.uuid4().hex[:12]


# ---- static pages ----------------------------------------------------------

def test_pages_are_embedded_with_security_headers(con):
    r = con.req("GET", "/")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/html")
    assert "<title>cairn console</title>" in r.text
    csp = r.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["Referrer-Policy"] == "no-referrer"
    # nothing is fetched from anywhere else: no absolute URLs in the page
    for asset in ("/", "/app.js", "/app.css"):
        body = con.req("GET", asset).text
        assert "http://" not in body.replace("http://www.w3.org/2000/svg", "") and "https://" not in body, asset
    js = con.req("GET", "/app.js")
    assert js.headers["Content-Type"].startswith("text/javascript")
    assert con.req("GET", "/app.css").headers["Content-Type"].startswith("text/css")
    assert con.req("GET", "/favicon.svg").headers["Content-Type"] == "image/svg+xml"
    etag = js.headers["ETag"]
    again = con.req("GET", "/app.js", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    missing = con.req("GET", "/nope.js")
    assert missing.status_code == 404 and missing.json()["error"] == "NotFound"
    assert con.req("POST", "/app.js").status_code == 405
    assert con.req("HEAD", "/").status_code == 200


# ---- login, cookie, session --------------------------------------------------

def test_login_sets_a_safe_cookie_and_no_secret(con):
    r = con.req("POST", "/api/login", json={"accessKey": AK, "secretKey": SK})
    assert r.status_code == 200, r.text
    cookie = r.headers["Set-Cookie"]
    parts = [p.strip() for p in cookie.split(";")]
    name, value = parts[0].split("=", 1)
    assert name == "cairn_session" and len(value) == 64
    assert "HttpOnly" in parts and "SameSite=Strict" in parts and "Path=/" in parts
    assert any(p.startswith("Max-Age=") and int(p[8:]) > 0 for p in parts)
    assert "Secure" not in parts   # plain HTTP here; see the TLS test
    assert SK not in cookie and AK not in cookie
    body = r.json()
    assert body["accessKey"] == AK and len(body["csrf"]) == 64
    s = requests.Session()
    s.cookies.set("cairn_session", value)
    me = con.req("GET", "/api/session", s)
    assert me.status_code == 200 and me.json()["accessKey"] == AK and me.json()["csrf"] == body["csrf"]


def test_form_login_works_too(con):
    r = con.req("POST", "/api/login", data={"accessKey": AK, "secretKey": SK})
    assert r.status_code == 200, r.text


def test_bad_password_and_unknown_user_are_refused(con):
    for ak, sk in ((AK, SK + "x"), (AK, ""), ("nobody", SK)):
        r = con.req("POST", "/api/login", json={"accessKey": ak, "secretKey": sk})
        assert r.status_code == 401, (ak, r.text)
        assert r.json()["error"] == "InvalidCredentials"
        assert "Set-Cookie" not in r.headers


def test_logout_ends_the_session(con):
    s = con.login()
    old_id = s.cookies.get("cairn_session")
    assert con.req("GET", "/api/session", s).status_code == 200
    r = con.req("POST", "/api/logout", s, headers={"X-Cairn-CSRF": s.csrf})
    assert r.status_code == 200
    assert "Max-Age=0" in r.headers["Set-Cookie"]
    # the server forgot it: the old cookie is worthless even if replayed
    stale = requests.Session()
    stale.cookies.set("cairn_session", old_id)
    s2 = con.login()
    assert con.req("GET", "/api/session", stale).status_code == 401
    assert con.req("POST", "/api/logout", stale, headers={"X-Cairn-CSRF": s.csrf}).status_code == 401
    assert con.req("GET", "/api/session", s2).status_code == 200


def test_reads_need_a_session(con):
    for path in ("/api/session", "/api/s3/", "/api/admin/info", "/api/admin/datausageinfo", "/api/metrics"):
        r = con.req("GET", path)
        assert r.status_code == 401, path
        assert r.json()["error"] == "Unauthenticated"
    bogus = requests.Session()
    for value in ("", "zz", "0" * 64, "g" * 64, "0" * 63, "a" * 200):
        bogus.cookies.set("cairn_session", value)
        assert con.req("GET", "/api/s3/", bogus).status_code == 401, value


# Every route that changes state, with what it would do.
STATE_CHANGES = [
    ("PUT", "/api/s3/{b}", b""),
    ("PUT", "/api/s3/{b}/k.txt", b"data"),
    ("DELETE", "/api/s3/{b}/k.txt", b""),
    ("DELETE", "/api/s3/{b}", b""),
    ("POST", "/api/s3/{b}?delete", b"<Delete><Object><Key>k.txt</Key></Object></Delete>"),
    ("POST", "/api/s3/{b}/big?uploads", b""),
    ("PUT", "/api/s3/{b}?versioning", b"<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>"),
    ("POST", "/api/share", b'{"bucket":"{b}","key":"k.txt","expires":60}'),
    ("POST", "/api/logout", b""),
    ("POST", "/api/admin/heal/", b""),
    ("PUT", "/api/admin/config", b'{"accessLog": false}'),
    ("POST", "/api/admin/service?action=stop", b""),
    # the identity pages' changes (the victim user, group, policy and key
    # exist: see _make_victims)
    ("PUT", "/api/admin/add-user?accessKey={b}-new", b'{"secretKey": "new-user-secret-1"}'),
    ("PUT", "/api/admin/set-user-status?accessKey={b}&status=disabled", b""),
    ("DELETE", "/api/admin/remove-user?accessKey={b}", b""),
    ("PUT", "/api/admin/update-group-members", b'{"group": "{b}-g", "members": ["{b}"], "isRemove": true}'),
    ("PUT", "/api/admin/set-group-status?group={b}-g&status=disabled", b""),
    ("PUT", "/api/admin/add-canned-policy?name={b}-p",
     b'{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}'),
    ("DELETE", "/api/admin/remove-canned-policy?name={b}-p", b""),
    ("PUT", "/api/admin/set-user-or-group-policy?policyName=consoleAdmin&userOrGroup={b}&isGroup=false", b""),
    ("PUT", "/api/admin/add-service-account", b'{"targetUser": "{b}"}'),
    ("POST", "/api/admin/update-service-account?accessKey={b}-key", b'{"newStatus": "disabled"}'),
    ("DELETE", "/api/admin/delete-service-account?accessKey={b}-key", b""),
]

VICTIM_POLICY = {"Version": "2012-10-17",
                 "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::nothing/*"]}]}


def _admin(con, s, method, op, body=None):
    r = con.req(method, "/api/admin/" + op, s, headers={"X-Cairn-CSRF": s.csrf},
                **({"json": body} if body is not None else {}))
    assert r.status_code == 200, (op, r.text)
    return r.json()


def _make_victims(con, s, name):
    """A user, group, custom policy and service account for the state-change
    test to fail to change."""
    _admin(con, s, "PUT", "add-user?accessKey=" + name, {"secretKey": "victim-secret-" + name})
    _admin(con, s, "PUT", "add-canned-policy?name=%s-p" % name, VICTIM_POLICY)
    _admin(con, s, "PUT", "set-user-or-group-policy?policyName=%s-p&userOrGroup=%s&isGroup=false" % (name, name))
    _admin(con, s, "PUT", "update-group-members", {"group": name + "-g", "members": [name], "isRemove": False})
    _admin(con, s, "PUT", "add-service-account", {"targetUser": name, "accessKey": name + "-key"})


def _victims_unchanged(con, s, name):
    u = _admin(con, s, "GET", "user-info?accessKey=" + name)
    assert (u["status"], u["policies"], u["memberOf"]) == ("enabled", [name + "-p"], [name + "-g"]), u
    g = _admin(con, s, "GET", "group?group=%s-g" % name)
    assert (g["status"], g["members"]) == ("enabled", [name]), g
    assert _admin(con, s, "GET", "info-canned-policy?name=%s-p" % name)["policy"] == VICTIM_POLICY
    keys = _admin(con, s, "GET", "list-service-accounts?user=" + name)["accounts"]
    assert [(k["accessKey"], k["status"]) for k in keys] == [(name + "-key", "enabled")], keys
    assert con.req("GET", "/api/admin/user-info?accessKey=%s-new" % name, s).status_code == 404


def _remove_victims(con, s, name):
    h = {"X-Cairn-CSRF": s.csrf}
    con.req("PUT", "/api/admin/update-group-members", s, headers=h,
            json={"group": name + "-g", "members": [name], "isRemove": True})
    con.req("PUT", "/api/admin/update-group-members", s, headers=h,
            json={"group": name + "-g", "members": [], "isRemove": True})
    for op in ("remove-user?accessKey=" + name, "remove-user?accessKey=%s-new" % name,
               "remove-canned-policy?name=%s-p" % name):
        con.req("DELETE", "/api/admin/" + op, s, headers=h)


def test_state_changes_refused_without_session_or_csrf(con, console_srv):
    s3 = make_client(console_srv.endpoint)
    victim = new_bucket()
    s3.create_bucket(Bucket=victim)
    s3.put_object(Bucket=victim, Key="k.txt", Body=b"keep me")
    s = con.login()
    other = con.login()   # a second session: its token is not this one's
    _make_victims(con, s, victim)
    try:
        for method, path, body in STATE_CHANGES:
            path = path.replace("{b}", victim)
            body = body.replace(b"{b}", victim.encode())
            what = "%s %s" % (method, path)
            r = con.req(method, path, data=body)
            assert r.status_code == 401 and r.json()["error"] == "Unauthenticated", (what, r.text)
            r = con.req(method, path, s, data=body)
            assert r.status_code == 403 and r.json()["error"] == "InvalidCSRFToken", (what, r.text)
            r = con.req(method, path, s, data=body, headers={"X-Cairn-CSRF": "0" * 64})
            assert r.status_code == 403 and r.json()["error"] == "InvalidCSRFToken", (what, r.text)
            r = con.req(method, path, s, data=body, headers={"X-Cairn-CSRF": other.csrf})
            assert r.status_code == 403, (what, r.text)
            r = con.req(method, path, s, data=body,
                        headers={"X-Cairn-CSRF": s.csrf, "Origin": "http://evil.example"})
            assert r.status_code == 403 and r.json()["error"] == "CrossOrigin", (what, r.text)
            r = con.req(method, path, s, data=body,
                        headers={"X-Cairn-CSRF": s.csrf, "Sec-Fetch-Site": "cross-site"})
            assert r.status_code == 403 and r.json()["error"] == "CrossOrigin", (what, r.text)
        # nothing changed
        assert s3.get_object(Bucket=victim, Key="k.txt")["Body"].read() == b"keep me"
        assert s3.get_bucket_versioning(Bucket=victim).get("Status") is None
        _victims_unchanged(con, s, victim)
        assert con.req("GET", "/api/session", s).status_code == 200   # not logged out
        assert console_srv.alive()
        # and the same session with its token is allowed
        ok = con.req("PUT", "/api/s3/%s/new.txt" % victim, s, data=b"x",
                     headers={"X-Cairn-CSRF": s.csrf, "Origin": con.base})
        assert ok.status_code == 200, ok.text
    finally:
        _remove_victims(con, s, victim)
        for o in s3.list_objects_v2(Bucket=victim).get("Contents", []):
            s3.delete_object(Bucket=victim, Key=o["Key"])
        for u in s3.list_multipart_uploads(Bucket=victim).get("Uploads", []):
            s3.abort_multipart_upload(Bucket=victim, Key=u["Key"], UploadId=u["UploadId"])
        s3.delete_bucket(Bucket=victim)


def test_login_refuses_foreign_origin(con):
    r = con.req("POST", "/api/login", json={"accessKey": AK, "secretKey": SK},
                headers={"Origin": "http://evil.example"})
    assert r.status_code == 403 and "Set-Cookie" not in r.headers


# ---- S3 and admin through the session ------------------------------------------

def test_s3_through_the_console(con):
    s = con.login()
    h = {"X-Cairn-CSRF": s.csrf}
    b = new_bucket()
    assert con.req("PUT", "/api/s3/" + b, s, headers=h).status_code == 200
    data = os.urandom(300 * 1024)
    r = con.req("PUT", "/api/s3/%s/dir/a%%20b.bin" % b, s, data=data, headers=h)
    assert r.status_code == 200, r.text
    got = con.req("GET", "/api/s3/%s/dir/a%%20b.bin" % b, s)
    assert got.status_code == 200 and got.content == data
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    lst = con.req("GET", "/api/s3/%s?list-type=2&delimiter=/&max-keys=10" % b, s)
    assert "<Prefix>dir/</Prefix>" in lst.text
    assert con.req("DELETE", "/api/s3/%s/dir/a%%20b.bin" % b, s, headers=h).status_code == 204
    assert con.req("DELETE", "/api/s3/" + b, s, headers=h).status_code == 204
    missing = con.req("GET", "/api/s3/%s/nothing" % b, s)
    assert missing.status_code == 404 and "<Code>NoSuchBucket</Code>" in missing.text


def test_admin_and_metrics_through_the_console(con):
    s = con.login()
    info = con.req("GET", "/api/admin/info", s)
    assert info.status_code == 200 and info.json()["servers"][0]["drives"][0]["state"] == "ok"
    assert con.req("GET", "/api/admin/datausageinfo", s).status_code == 200
    assert con.req("GET", "/api/admin/heal/status", s).status_code == 200
    m1 = con.req("GET", "/api/metrics", s).json()
    for _ in range(3):
        con.req("GET", "/api/s3/", s)
    m2 = con.req("GET", "/api/metrics", s).json()
    assert m2["requests"] >= m1["requests"] + 3 and m2["time"] > m1["time"]
    assert set(m2) >= {"requests", "errors", "rxBytes", "txBytes", "inflight"}


def test_share_link_works_without_a_session(con, console_srv):
    s = con.login()
    h = {"X-Cairn-CSRF": s.csrf}
    b = new_bucket()
    con.req("PUT", "/api/s3/" + b, s, headers=h)
    key = "reports/2026 Q3+final.txt"
    con.req("PUT", "/api/s3/%s/%s" % (b, urllib.request.quote(key)), s, data=b"quarterly", headers=h)
    r = con.req("POST", "/api/share", s, json={"bucket": b, "key": key, "expires": 600}, headers=h)
    assert r.status_code == 200, r.text
    url = r.json()["url"]
    assert url.startswith(console_srv.endpoint + "/")       # the S3 port, not the console's
    assert "X-Amz-Expires=600" in url and AK in url and SK not in url
    with urllib.request.urlopen(url, timeout=10) as resp:    # no cookie, no credentials
        assert resp.read() == b"quarterly"
    for bad in ({"bucket": b, "key": key, "expires": 604801}, {"bucket": b, "key": key, "expires": 0},
                {"bucket": b, "key": key, "expires": "soon"}, {"bucket": b}, {"key": key}, {}, []):
        r = con.req("POST", "/api/share", s, json=bad, headers=h)
        assert r.status_code == 400, (bad, r.text)
    assert con.req("POST", "/api/share", s, data=b"{not json", headers=h).status_code == 400
    con.req("DELETE", "/api/s3/%s/%s" % (b, urllib.request.quote(key)), s, headers=h)
    con.req("DELETE", "/api/s3/" + b, s, headers=h)


def test_malformed_requests_get_json_errors(con):
    for body, ctype in ((b"{not json", "application/json"), (b"[]", "application/json"),
                        (b'{"accessKey": 1, "secretKey": 2}', "application/json"),
                        (b"accessKey=%zz&secretKey=x", "application/x-www-form-urlencoded"),
                        (b"", "application/json")):
        r = con.req("POST", "/api/login", data=body, headers={"Content-Type": ctype})
        assert r.status_code == 400 and r.json()["error"] == "InvalidRequest", body
    big = con.req("POST", "/api/login", data=b"x" * 20000, headers={"Content-Type": "application/json"})
    assert big.status_code == 413
    assert con.req("GET", "/api/login").status_code == 405
    s = con.login()
    assert con.req("GET", "/api/nothing", s).status_code == 404
    assert con.req("GET", "/api/share", s).status_code == 405
    assert con.req("POST", "/api/metrics", s, headers={"X-Cairn-CSRF": s.csrf}).status_code == 405
    r = con.req("GET", "/api/admin/no-such-thing", s)
    assert r.status_code == 404 and r.json()["Code"]


def test_iam_users_log_in_with_their_own_keys(con):
    """Root adds a user through the console's admin route; the user logs
    in with its own key and can do what its policy allows, no more."""
    root = con.login()
    h = {"X-Cairn-CSRF": root.csrf}
    user, secret = "ops-" + uuid.uuid4().hex[:8], "user-secret-" + uuid.uuid4().hex
    r = con.req("PUT", "/api/admin/add-user?accessKey=" + user, root, json={"secretKey": secret}, headers=h)
    assert r.status_code == 200, r.text
    listed = con.req("GET", "/api/admin/list-users", root)
    assert listed.status_code == 200 and user in listed.text and secret not in listed.text
    try:
        u = con.login(user, secret)
        denied = con.req("PUT", "/api/s3/" + new_bucket(), u, headers={"X-Cairn-CSRF": u.csrf})
        assert denied.status_code == 403 and "AccessDenied" in denied.text
        r = con.req("PUT", "/api/admin/set-user-or-group-policy?policyName=readwrite&userOrGroup=%s&isGroup=false"
                    % user, root, headers=h)
        assert r.status_code == 200, r.text
        b = new_bucket()
        assert con.req("PUT", "/api/s3/" + b, u, headers={"X-Cairn-CSRF": u.csrf}).status_code == 200
        share = con.req("POST", "/api/share", u, json={"bucket": b, "key": "k"}, headers={"X-Cairn-CSRF": u.csrf})
        assert share.status_code == 200 and ("Credential=" + user) in share.json()["url"]
        assert secret not in share.text
        con.req("DELETE", "/api/s3/" + b, u, headers={"X-Cairn-CSRF": u.csrf})
        # a disabled user cannot log in
        r = con.req("PUT", "/api/admin/set-user-status?accessKey=%s&status=disabled" % user, root, headers=h)
        assert r.status_code == 200, r.text
        r = con.req("POST", "/api/login", json={"accessKey": user, "secretKey": secret})
        assert r.status_code == 401
    finally:
        con.req("DELETE", "/api/admin/remove-user?accessKey=" + user, root, headers=h)
    for r in con.seen:
        assert secret not in r.text


def test_no_response_contains_the_secret(con, console_srv):
    """Every console endpoint an operator's browser calls, answers and
    errors included (each response is checked by the `con` fixture)."""
    s = con.login()
    h = {"X-Cairn-CSRF": s.csrf}
    b = new_bucket()
    con.req("PUT", "/api/s3/" + b, s, headers=h)
    con.req("PUT", "/api/s3/%s/x" % b, s, data=b"x", headers=h)
    for path in ("/", "/app.js", "/app.css", "/api/session", "/api/metrics", "/api/s3/",
                 "/api/s3/%s?list-type=2" % b, "/api/s3/%s/x" % b, "/api/admin/info",
                 "/api/admin/datausageinfo", "/api/admin/config", "/api/admin/heal/status",
                 "/api/admin/list-users", "/api/admin/prometheus/token?ttl=60", "/api/nothing"):
        con.req("GET", path, s)
    con.req("POST", "/api/share", s, json={"bucket": b, "key": "x"}, headers=h)
    con.req("POST", "/api/login", json={"accessKey": AK, "secretKey": SK + "nope"})
    con.req("DELETE", "/api/s3/%s/x" % b, s, headers=h)
    con.req("DELETE", "/api/s3/" + b, s, headers=h)
    assert len(con.seen) > 20
    # and the server's own output (access log, error log)
    assert SK not in console_srv.output()


def test_identity_pages_answer_no_secret(con):
    """Every admin call the identity pages make (Users, a user's access keys,
    Groups, Policies), as root and as the user itself: no answer carries a
    user's or key's secret, except add-service-account's, once."""
    root = con.login()
    name = "sec-" + uuid.uuid4().hex[:8]
    user_secret = "user-secret-" + uuid.uuid4().hex
    group, pol = name + "-g", name + "-p"
    _admin(con, root, "PUT", "add-user?accessKey=" + name, {"secretKey": user_secret, "status": "enabled"})
    try:
        _admin(con, root, "PUT", "add-canned-policy?name=" + pol, VICTIM_POLICY)
        _admin(con, root, "PUT", "set-user-or-group-policy?policyName=readonly,%s&userOrGroup=%s&isGroup=false" % (pol, name))
        _admin(con, root, "PUT", "update-group-members", {"group": group, "members": [name], "isRemove": False})
        _admin(con, root, "PUT", "set-user-or-group-policy?policyName=readonly&userOrGroup=%s&isGroup=true" % group)
        created = con.req("PUT", "/api/admin/add-service-account", root, headers={"X-Cairn-CSRF": root.csrf},
                          json={"targetUser": name, "name": "ci", "policy": VICTIM_POLICY,
                                "expiration": int(time.time()) + 3600})
        assert created.status_code == 200, created.text
        key, key_secret = created.json()["credentials"]["accessKey"], created.json()["credentials"]["secretKey"]
        # what the pages read
        for op in ("list-users", "user-info?accessKey=" + name, "list-service-accounts?user=" + name,
                   "info-service-account?accessKey=" + key, "groups", "group?group=" + group,
                   "list-canned-policies", "info-canned-policy?name=" + pol):
            assert con.req("GET", "/api/admin/" + op, root).status_code == 200, op
        # and what they change
        for method, op, body in (("POST", "update-service-account?accessKey=" + key, {"newStatus": "disabled"}),
                                 ("POST", "update-service-account?accessKey=" + key, {"newStatus": "enabled"}),
                                 ("PUT", "set-user-status?accessKey=%s&status=disabled" % name, None),
                                 ("PUT", "set-user-status?accessKey=%s&status=enabled" % name, None),
                                 ("PUT", "set-group-status?group=%s&status=disabled" % group, None)):
            _admin(con, root, method, op, body)
        in_use = con.req("DELETE", "/api/admin/remove-canned-policy?name=" + pol, root,
                         headers={"X-Cairn-CSRF": root.csrf})
        assert in_use.status_code == 409 and "attached" in in_use.json()["Message"], in_use.text
        # the user itself: refused the identity lists, allowed its own keys
        me = con.login(name, user_secret)
        for op in ("list-users", "groups", "list-canned-policies"):
            r = con.req("GET", "/api/admin/" + op, me)
            assert r.status_code == 403 and r.json()["Code"] == "AccessDenied", (op, r.text)
        mine = con.req("GET", "/api/admin/list-service-accounts?user=" + name, me)
        assert mine.status_code == 200 and key in mine.text
        with_secret = [r for r in con.seen if key_secret in r.text]
        assert with_secret == [created], [r.url for r in with_secret]
        for r in con.seen:
            assert user_secret not in r.text and user_secret not in str(r.headers), r.url
            assert key_secret not in str(r.headers), r.url
    finally:
        _remove_victims(con, root, name)


# ---- login rate limit -------------------------------------------------------------

def _login_from(base, source_ip, sk):
    """POST /api/login from a chosen loopback source address."""
    host, port = base.split("//")[1].split(":")
    body = json.dumps({"accessKey": AK, "secretKey": sk}).encode()
    with socket.create_connection((host, int(port)), timeout=10, source_address=(source_ip, 0)) as c:
        c.sendall(b"POST /api/login HTTP/1.1\r\nHost: %s:%s\r\nContent-Type: application/json\r\n"
                  b"Content-Length: %d\r\nConnection: close\r\n\r\n" % (host.encode(), port.encode(), len(body)) + body)
        data = b""
        while True:
            chunk = c.recv(65536)
            if not chunk:
                break
            data += chunk
    head, _, payload = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ")[1])
    headers = dict(line.split(b": ", 1) for line in head.split(b"\r\n")[1:])
    assert SK.encode() not in data
    return status, headers, payload


def test_login_rate_limit(make_server):
    srv = make_server(env_extra={"CAIRN_CONSOLE_LOGIN_RATE": "3"})
    base = "http://127.0.0.1:%d" % srv.console_port
    statuses = [_login_from(base, "127.0.0.1", SK + "bad")[0] for _ in range(3)]
    assert statuses == [401, 401, 401]
    status, headers, body = _login_from(base, "127.0.0.1", SK + "bad")
    assert status == 429, body
    assert int(headers[b"Retry-After"]) >= 1
    assert json.loads(body)["error"] == "TooManyRequests"
    # while limited, even the right secret is not checked
    assert _login_from(base, "127.0.0.1", SK)[0] == 429
    # another client address has its own allowance
    assert _login_from(base, "127.0.0.2", SK)[0] == 200
    # successful logins cost nothing: an operator is never locked out by use
    for _ in range(6):
        assert _login_from(base, "127.0.0.3", SK)[0] == 200
    # all addresses together: 6x one address's allowance, then 429 for everyone
    codes = [_login_from(base, "127.0.1.%d" % (i // 3 + 1), SK + "bad")[0] for i in range(24)]
    assert codes.count(429) >= 1, codes
    assert _login_from(base, "127.0.9.9", SK)[0] == 429


def test_sessions_expire_when_idle(make_server):
    """CAIRN_CONSOLE_SESSION_TTL seconds without use end a session; the
    page's metrics polling is not use (an open tab does not live forever)."""
    srv = make_server(env_extra={"CAIRN_CONSOLE_SESSION_TTL": "2"})
    con = Console(srv)
    polled, used = con.login(), con.login()
    assert "Max-Age=2" in con.req("GET", "/api/session", used).headers["Set-Cookie"]
    end = time.monotonic() + 3.5
    while time.monotonic() < end:
        assert con.req("GET", "/api/metrics", polled).status_code in (200, 401)
        assert con.req("GET", "/api/s3/", used).status_code == 200   # in use: renewed
        time.sleep(0.4)
    assert con.req("GET", "/api/metrics", polled).status_code == 401
    assert con.req("GET", "/api/session", used).status_code == 200


# ---- TLS ------------------------------------------------------------------------------

def test_console_over_tls_sets_secure_cookie(tmp_path):
    from test_operators_tls import TlsServer, make_ca, make_cert
    d = str(tmp_path)
    ca = make_ca(d)
    certs = os.path.join(d, "certs")
    make_cert(d, certs)
    srv = TlsServer(os.path.join(d, "data"), args=["--certs-dir", certs], log_path=os.path.join(d, "server.log"))
    srv.ca = ca
    srv.start()
    try:
        con = Console(srv, scheme="https", verify=ca)
        r = con.req("POST", "/api/login", json={"accessKey": AK, "secretKey": SK})
        assert r.status_code == 200
        assert "Secure" in [p.strip() for p in r.headers["Set-Cookie"].split(";")]
        assert r.json()["tls"] is True
        s = con.login()
        share = con.req("POST", "/api/share", s, json={"bucket": "b", "key": "k"}, headers={"X-Cairn-CSRF": s.csrf})
        assert share.json()["url"].startswith("https://127.0.0.1:%d/" % srv.port)
        with pytest.raises(requests.exceptions.ConnectionError):   # no plain HTTP on the TLS console
            requests.get("http://127.0.0.1:%d/" % srv.console_port, timeout=3)
        for r in con.seen:
            assert_no_secret(r)
    finally:
        srv.stop(10)


def test_console_address_in_use_stops_the_start(tmp_path):
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen(1)
    try:
        port = busy.getsockname()[1]
        env = s3util.clean_env({"CAIRN_ROOT_USER": AK, "CAIRN_ROOT_PASSWORD": SK})
        r = subprocess.run([s3util.cairn_bin(), "server", "--address", "127.0.0.1:%d" % s3util.free_port(),
                            "--console-address", "127.0.0.1:%d" % port, str(tmp_path / "d")],
                           capture_output=True, env=env, timeout=30)
        assert r.returncode == 1 and b"--console-address" in r.stderr, r
    finally:
        busy.close()


# ---- the browser journey ------------------------------------------------------------------

def _fill_big_bucket(endpoint, bucket, n):
    s3 = make_client(endpoint)
    s3.create_bucket(Bucket=bucket)

    def put(i):
        s3.put_object(Bucket=bucket, Key="order-%06d.json" % i, Body=b"{}")
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        list(pool.map(put, range(n)))
    return s3


def _artifacts(tmp_path):
    d = os.environ.get("CAIRN_ARTIFACTS")
    # absolute: the browser script runs in tests/clients
    d = os.path.abspath(os.path.join(d, "console")) if d else str(tmp_path / "shots")
    os.makedirs(d, exist_ok=True)
    return d


BIG = 2000   # objects in the paging bucket: ten pages of the console's 200


def _run_journey(env, tmp_path, on_checkpoint, timeout=240):
    """Runs console_browser.mjs; at each {"checkpoint": ...} line it prints,
    calls on_checkpoint and answers {"ok": ...} on the script's stdin.
    Returns (exit code, the final facts, stderr)."""
    err_path = tmp_path / "browser-stderr.txt"
    with open(err_path, "w") as err:
        p = subprocess.Popen([shutil.which("node"), "console_browser.mjs"], cwd=CLIENTS, env=env, text=True,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err)
        timer = threading.Timer(timeout, p.kill)
        timer.start()
        last = ""
        try:
            for line in p.stdout:
                if line.startswith('{"checkpoint"'):
                    try:
                        on_checkpoint(json.loads(line))
                        answer = {"ok": True}
                    except Exception as e:   # the script stops with this as its error
                        answer = {"ok": False, "error": "%s: %r" % (type(e).__name__, e)}
                    p.stdin.write(json.dumps(answer) + "\n")
                    p.stdin.flush()
                elif line.strip():
                    last = line
            rc = p.wait()
        finally:
            timer.cancel()
            if p.poll() is None:
                p.kill()
                p.wait()
    try:
        facts = json.loads(last)
    except ValueError:
        facts = {"error": last}
    return rc, facts, err_path.read_text(errors="replace")


def _s3_error(call):
    with pytest.raises(ClientError) as ei:
        call()
    return ei.value.response["Error"]["Code"]


def _check_keys(endpoint, other_bucket, cp, seen):
    """What the S3 API does with the user and access key the browser made:
    the user's policy allows GetObject and ListBucket on the journey's
    bucket; the key's own policy narrows that to GetObject."""
    b = cp["bucket"]
    key = "holiday-photos/beach.jpg"
    user = make_client(endpoint, cp["user"], cp["userSecret"])
    svc = make_client(endpoint, cp["keyAk"], cp["keySk"])
    if cp["checkpoint"] == "key-created":
        assert len(svc.get_object(Bucket=b, Key=key)["Body"].read()) == 200 * 1024
        assert _s3_error(lambda: svc.list_objects_v2(Bucket=b)) == "AccessDenied"       # narrowed by its policy
        assert _s3_error(lambda: svc.put_object(Bucket=b, Key="x", Body=b"x")) == "AccessDenied"
        assert user.list_objects_v2(Bucket=b, Prefix="holiday-photos/")["KeyCount"] == 5
        assert _s3_error(lambda: user.put_object(Bucket=b, Key="x", Body=b"x")) == "AccessDenied"
        assert _s3_error(lambda: user.list_objects_v2(Bucket=other_bucket, MaxKeys=1)) == "AccessDenied"
    else:
        seen["disabled"] = {"user": _s3_error(lambda: user.list_objects_v2(Bucket=b)),
                            "key": _s3_error(lambda: svc.get_object(Bucket=b, Key=key))}


def test_browser_journey(console_srv, tmp_path):
    assert os.path.exists(CHROMIUM), "chromium missing: apt-get install chromium"
    from test_js_client import _ensure_node_modules
    _ensure_node_modules()
    folder = tmp_path / "holiday-photos"
    folder.mkdir()
    contents = {"readme.txt": b"pictures from the trip\n", "notes.txt": b"day 1: arrived\nday 2: hiked\n",
                "beach.jpg": os.urandom(200 * 1024), "sunset.png": os.urandom(90 * 1024),
                "video.mp4": os.urandom(48 * 1024 * 1024)}
    for name, data in contents.items():
        (folder / name).write_bytes(data)
    bucket = new_bucket()
    big = new_bucket()
    s3 = _fill_big_bucket(console_srv.endpoint, big, BIG)
    shots = _artifacts(tmp_path)
    env = s3util.clean_env({"CAIRN_CONSOLE_URL": "http://127.0.0.1:%d/" % console_srv.console_port,
                            "CAIRN_AK": AK, "CAIRN_SK": SK, "CAIRN_BUCKET": bucket,
                            "CAIRN_UPLOAD_DIR": str(folder), "CAIRN_BIG_BUCKET": big, "CAIRN_SHOTS": shots})
    env["CAIRN_CHECKPOINTS"] = "1"
    seen = {}
    try:
        rc, facts, err = _run_journey(env, tmp_path, lambda cp: _check_keys(console_srv.endpoint, big, cp, seen))
        assert rc == 0 and facts.get("ok"), (facts.get("failedStep"), facts.get("error"), err[-3000:])
        # the keys made in the browser, checked on the S3 API with boto3
        assert facts["checkpoints"] == ["key-created", "user-disabled"], facts.get("checkpoints")
        assert seen["disabled"] == {"user": "InvalidAccessKeyId", "key": "InvalidAccessKeyId"}, seen
        assert "MalformedPolicy" in facts["malformedMessage"]
        assert facts["adminAnswers"] > 10
        assert facts["phoneUsersOverflowPx"] <= 0 and facts["phonePoliciesOverflowPx"] <= 0, facts
        # the upload went to S3 as the folder, byte for byte
        for name, data in contents.items():
            if name == facts["downloaded"]:
                continue   # deleted in the journey
            got = s3.get_object(Bucket=bucket, Key="holiday-photos/" + name)["Body"].read()
            assert hashlib.sha256(got).digest() == hashlib.sha256(data).digest(), name
        assert facts["downloadName"] == facts["downloaded"]
        with pytest.raises(Exception):
            s3.head_object(Bucket=bucket, Key="holiday-photos/" + facts["downloaded"])
        assert facts["sawPartialProgress"], "the progress bar never showed a partial upload"
        # paging: the first screen is one page, the next comes on request
        assert facts["bigFirstPageRows"] == 200 and facts["bigSecondPageRows"] == 400, facts
        assert all("max-keys=200" in q for q in facts["bigListRequests"]), facts["bigListRequests"]
        assert sum("continuation-token=" in q for q in facts["bigListRequests"]) == 1
        assert facts["phoneOverflowPx"] <= 0 and facts["phoneBrowseOverflowPx"] <= 0, facts
        assert "Access key" in facts["usersPage"] and AK in facts["usersPage"]
        errors = [e for e in facts["consoleErrors"] if "Failed to load resource" not in e]
        assert not errors, errors
        for p in facts["shots"]:
            assert os.path.getsize(p) > 1000, p
    finally:
        for b in (bucket, big):
            try:
                keys = [o["Key"] for p in s3.get_paginator("list_objects_v2").paginate(Bucket=b)
                        for o in p.get("Contents", [])]
                for i in range(0, len(keys), 1000):
                    s3.delete_objects(Bucket=b, Delete={"Objects": [{"Key": k} for k in keys[i:i + 1000]],
                                                        "Quiet": True})
                s3.delete_bucket(Bucket=b)
            except Exception:
                pass
