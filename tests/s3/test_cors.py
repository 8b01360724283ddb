"""Bucket CORS: the configuration APIs, preflight OPTIONS answered per the
rules (origins with a wildcard, methods, headers, expose headers, max age),
403 for a preflight no rule allows, and CORS headers on actual responses
to browser requests (presigned PUT from another origin)."""

import urllib.request

import pytest
from botocore.exceptions import ClientError

import s3util

RULES = {"CORSRules": [
    {"AllowedOrigins": ["https://app.example.com"], "AllowedMethods": ["PUT", "GET"],
     "AllowedHeaders": ["content-type", "x-amz-*"], "ExposeHeaders": ["ETag"], "MaxAgeSeconds": 600},
    {"AllowedOrigins": ["https://*.cdn.example.com"], "AllowedMethods": ["GET"]},
    {"AllowedOrigins": ["*"], "AllowedMethods": ["HEAD"]},
]}


def preflight(server, bucket, key, origin, method, headers=None):
    h = {"Origin": origin, "Access-Control-Request-Method": method}
    if headers:
        h["Access-Control-Request-Headers"] = headers
    return s3util.raw_request(server.hostport, "OPTIONS", "/%s/%s" % (bucket, key), headers=h, signed=False)


def test_cors_configuration_round_trip(s3, bucket):
    with pytest.raises(ClientError) as e:
        s3.get_bucket_cors(Bucket=bucket)
    assert s3util.client_error(e.value) == (404, "NoSuchCORSConfiguration")
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration=RULES)
    got = s3.get_bucket_cors(Bucket=bucket)["CORSRules"]
    assert got[0]["AllowedOrigins"] == ["https://app.example.com"]
    assert got[0]["MaxAgeSeconds"] == 600 and got[0]["ExposeHeaders"] == ["ETag"]
    s3.delete_bucket_cors(Bucket=bucket)
    with pytest.raises(ClientError) as e:
        s3.get_bucket_cors(Bucket=bucket)
    assert s3util.client_error(e.value) == (404, "NoSuchCORSConfiguration")


@pytest.mark.parametrize("rules", [
    {"CORSRules": [{"AllowedOrigins": ["*"], "AllowedMethods": ["PATCH"]}]},
    {"CORSRules": [{"AllowedOrigins": ["https://*.*.example.com"], "AllowedMethods": ["GET"]}]},
])
def test_invalid_cors_rules(s3, bucket, rules):
    with pytest.raises(ClientError) as e:
        s3.put_bucket_cors(Bucket=bucket, CORSConfiguration=rules)
    assert s3util.client_error(e.value)[0] == 400


def test_preflight_rules(server, s3, bucket):
    r = preflight(server, bucket, "k", "https://app.example.com", "PUT")
    s3util.assert_error(r, 403, "AccessForbidden")            # no configuration yet
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration=RULES)
    r = preflight(server, bucket, "k", "https://app.example.com", "PUT", "Content-Type, X-Amz-Meta-Owner")
    assert r.status == 200, r
    assert r.headers["access-control-allow-origin"] == "https://app.example.com"
    assert "PUT" in r.headers["access-control-allow-methods"]
    assert r.headers["access-control-max-age"] == "600"
    assert r.headers["access-control-expose-headers"] == "ETag"
    assert "content-type" in r.headers["access-control-allow-headers"].lower()
    r = preflight(server, bucket, "k", "https://img.cdn.example.com", "GET")
    assert r.status == 200 and r.headers["access-control-allow-origin"] == "https://img.cdn.example.com"
    r = preflight(server, bucket, "k", "https://anyone.test", "HEAD")
    assert r.status == 200 and r.headers["access-control-allow-origin"] == "*"
    for origin, method, hdrs in [("https://evil.test", "PUT", None),
                                 ("https://img.cdn.example.com", "PUT", None),
                                 ("https://app.example.com", "DELETE", None),
                                 ("https://app.example.com", "PUT", "authorization-x")]:
        r = preflight(server, bucket, "k", origin, method, hdrs)
        s3util.assert_error(r, 403, "AccessForbidden")
    r = s3util.raw_request(server.hostport, "OPTIONS", "/%s/k" % bucket, headers={"Origin": "https://x"}, signed=False)
    assert r.status == 400


def test_actual_request_gets_cors_headers(server, s3, bucket):
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration=RULES)
    url = s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "avatar.png"}, ExpiresIn=300)
    req = urllib.request.Request(url, data=b"\x89PNG...", method="PUT",
                                 headers={"Origin": "https://app.example.com"})
    with urllib.request.urlopen(req) as resp:
        assert resp.status == 200
        assert resp.headers["Access-Control-Allow-Origin"] == "https://app.example.com"
        assert resp.headers["Access-Control-Expose-Headers"] == "ETag"
    # a request from an origin no rule names gets no CORS headers
    req = urllib.request.Request(url, data=b"x", method="PUT", headers={"Origin": "https://evil.test"})
    with urllib.request.urlopen(req) as resp:
        assert "Access-Control-Allow-Origin" not in resp.headers
