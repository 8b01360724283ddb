#!/usr/bin/env python3
"""SigV4 query-string presigning for S3 (standard library only).

Usage:
  presign.py [--endpoint URL] [--region R] [--expires SECONDS] METHOD PATH [PATH ...]
  presign.py --selftest

Credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or
CAIRN_ROOT_USER / CAIRN_ROOT_PASSWORD). PATH is "/bucket" or "/bucket/key"
(path-style). One presigned URL is printed per PATH, one per line. The
payload is UNSIGNED-PAYLOAD and the only signed header is host, so the URL
works for any body (curl --upload-file, wrk) without further signing.

Written from the AWS S3 API reference, "Authenticating Requests: Using Query
Parameters (AWS Signature Version 4)".
"""
import datetime
import hashlib
import hmac
import os
import sys
import urllib.parse

ALGORITHM = "AWS4-HMAC-SHA256"
UNRESERVED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"


def uri_encode(s, keep_slash=False):
    """RFC 3986 percent-encoding as SigV4 wants it: everything except the
    unreserved characters is %XX (upper-case hex); '/' kept in paths."""
    out = []
    for b in s.encode("utf-8"):
        c = chr(b)
        if c in UNRESERVED or (keep_slash and c == "/"):
            out.append(c)
        else:
            out.append("%%%02X" % b)
    return "".join(out)


def _hmac(key, msg):
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()


def signing_key(secret, date, region, service):
    k = _hmac(("AWS4" + secret).encode("utf-8"), date)
    k = _hmac(k, region)
    k = _hmac(k, service)
    return _hmac(k, "aws4_request")


def presign(method, endpoint, path, access_key, secret_key, region="us-east-1",
            expires=3600, now=None, service="s3", extra_query=None):
    """Return the presigned URL for METHOD on endpoint+path."""
    if now is None:
        now = datetime.datetime.now(datetime.timezone.utc)
    amz_date = now.strftime("%Y%m%dT%H%M%SZ")
    date = now.strftime("%Y%m%d")
    ep = urllib.parse.urlsplit(endpoint)
    host = ep.netloc  # includes :port when not the default; must match Host
    scope = "%s/%s/%s/aws4_request" % (date, region, service)

    params = dict(extra_query or {})
    params.update({
        "X-Amz-Algorithm": ALGORITHM,
        "X-Amz-Credential": "%s/%s" % (access_key, scope),
        "X-Amz-Date": amz_date,
        "X-Amz-Expires": str(int(expires)),
        "X-Amz-SignedHeaders": "host",
    })
    canonical_query = "&".join(
        "%s=%s" % (uri_encode(k), uri_encode(v))
        for k, v in sorted(params.items(), key=lambda kv: (uri_encode(kv[0]), uri_encode(kv[1]))))
    canonical_uri = uri_encode(path, keep_slash=True) or "/"
    canonical_request = "\n".join([
        method.upper(),
        canonical_uri,
        canonical_query,
        "host:%s\n" % host,   # canonical headers end with a newline
        "host",               # signed headers
        "UNSIGNED-PAYLOAD",
    ])
    string_to_sign = "\n".join([
        ALGORITHM,
        amz_date,
        scope,
        hashlib.sha256(canonical_request.encode("utf-8")).hexdigest(),
    ])
    sig = hmac.new(signing_key(secret_key, date, region, service),
                   string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    base = "%s://%s%s" % (ep.scheme, host, canonical_uri)
    return "%s?%s&X-Amz-Signature=%s" % (base, canonical_query, sig)


def selftest():
    # The worked example of the AWS S3 documentation for presigned GET.
    now = datetime.datetime(2013, 5, 24, 0, 0, 0, tzinfo=datetime.timezone.utc)
    url = presign("GET", "https://examplebucket.s3.amazonaws.com", "/test.txt",
                  "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                  region="us-east-1", expires=86400, now=now)
    want = "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
    got = url.rsplit("X-Amz-Signature=", 1)[1]
    if got != want:
        print("selftest FAILED: got %s want %s" % (got, want), file=sys.stderr)
        return 1
    print("selftest ok")
    return 0


def main(argv):
    endpoint = os.environ.get("S3_ENDPOINT", "http://127.0.0.1:9000")
    region = os.environ.get("AWS_DEFAULT_REGION", "us-east-1")
    expires = 3600
    args = list(argv)
    if args and args[0] == "--selftest":
        return selftest()
    while args and args[0].startswith("--"):
        opt = args.pop(0)
        if not args:
            break
        if opt == "--endpoint":
            endpoint = args.pop(0)
        elif opt == "--region":
            region = args.pop(0)
        elif opt == "--expires":
            expires = int(args.pop(0))
        else:
            print("unknown option %s" % opt, file=sys.stderr)
            return 2
    if len(args) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    ak = os.environ.get("AWS_ACCESS_KEY_ID") or os.environ.get("CAIRN_ROOT_USER")
    sk = os.environ.get("AWS_SECRET_ACCESS_KEY") or os.environ.get("CAIRN_ROOT_PASSWORD")
    if not ak or not sk:
        print("set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY", file=sys.stderr)
        return 2
    method = args[0]
    for path in args[1:]:
        print(presign(method, endpoint, path, ak, sk, region=region, expires=expires))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
