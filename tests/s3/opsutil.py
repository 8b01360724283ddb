"""Helpers for the operator tests (health, metrics, access log, admin API):
plain HTTP GETs, the `cairn admin` CLI, SigV4-signed admin requests.

Everything talks to 127.0.0.1; every wait is bounded."""

import json
import os
import subprocess
import time
import urllib.error
import urllib.request

import s3util

PROMTOOL = "/usr/bin/promtool"
PROMETHEUS = "/usr/bin/prometheus"


def http_get(url, headers=None, timeout=10, method="GET"):
    """(status, headers dict lower-cased, body bytes); never raises on HTTP errors."""
    req = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()


def cli(srv, *args, creds=None, env_extra=None, timeout=30):
    """Run `cairn admin --endpoint <srv> ARGS`; returns CompletedProcess (text)."""
    ak, sk = creds or srv.creds
    env = s3util.clean_env({"CAIRN_ROOT_USER": ak, "CAIRN_ROOT_PASSWORD": sk})
    env.update(env_extra or {})
    cmd = [s3util.cairn_bin(), "admin", "--endpoint", srv.endpoint] + list(args)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)


def cli_json(srv, *args, **kw):
    r = cli(srv, "--json", *args, **kw)
    assert r.returncode == 0, "cairn admin %s failed (%s):\n%s%s" % (args, r.returncode, r.stdout, r.stderr)
    return json.loads(r.stdout)


def token(srv, ttl=None):
    args = ["prometheus", "token"] + (["--ttl", str(ttl)] if ttl else [])
    return cli_json(srv, *args)["token"]


def scrape(srv, path="/minio/v2/metrics/cluster", tok=None):
    hdrs = {"Authorization": "Bearer " + tok} if tok else {}
    return http_get(srv.endpoint + path, hdrs)


def parse_metrics(text):
    """{(name, frozenset(labels.items())): value} for every sample line."""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        name_labels, _, value = line.rpartition(" ")
        if "{" in name_labels:
            name, _, rest = name_labels.partition("{")
            labels = {}
            for part in _split_labels(rest.rstrip("}")):
                k, _, v = part.partition("=")
                labels[k] = v.strip('"')
        else:
            name, labels = name_labels, {}
        out[(name, frozenset(labels.items()))] = float(value)
    return out


def _split_labels(s):
    parts, cur, inq = [], "", False
    for ch in s:
        if ch == '"':
            inq = not inq
        if ch == "," and not inq:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    if cur:
        parts.append(cur)
    return parts


def metric(samples, name, **labels):
    """The value of the one sample of name whose labels include `labels` (None if absent)."""
    want = set(labels.items())
    found = [v for (n, ls), v in samples.items() if n == name and want <= set(ls)]
    assert len(found) <= 1, "%s%r matches %d samples" % (name, labels, len(found))
    return found[0] if found else None


def admin_raw(srv, method, op, query="", body=b"", signed=True, sk=None, headers=None):
    """A hand-made request to /minio/admin/v3/<op> on a fresh connection."""
    return s3util.raw_request(srv.hostport, method, "/minio/admin/v3/" + op, query, headers, body,
                              signed=signed, ak=srv.creds[0], sk=sk or srv.creds[1])


def wait_for(pred, timeout=10.0, step=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(step)
    return pred()


def read_lines(path):
    if not os.path.exists(path):
        return []
    with open(path, "rb") as f:
        return [json.loads(l) for l in f.read().decode("utf-8").splitlines() if l.strip()]
