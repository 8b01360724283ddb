"""CORS from a real browser: headless Chromium on one origin PUTs to cairn
through a presigned URL.  With a rule for that origin the upload works and
the browser can read the ETag; without one the browser blocks it."""

import functools
import http.server
import json
import os
import shutil
import subprocess
import threading

import s3util

CLIENTS = os.path.join(s3util.REPO, "tests", "clients")
CHROMIUM = "/usr/bin/chromium"


def _serve(directory):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=directory)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    return httpd


def _browser_put(page_url, put_url, shot):
    from test_js_client import _ensure_node_modules
    _ensure_node_modules()
    env = s3util.clean_env({"CAIRN_PAGE_URL": page_url, "CAIRN_PUT_URL": put_url, "CAIRN_SHOT": shot})
    r = subprocess.run([shutil.which("node"), "cors_browser.mjs"], cwd=CLIENTS, env=env,
                       capture_output=True, timeout=90)
    out = r.stdout.decode(errors="replace")
    assert r.returncode == 0, out + r.stderr.decode(errors="replace")[-3000:]
    return json.loads(out.strip().splitlines()[-1])


def test_browser_presigned_put_across_origins(s3, bucket, tmp_path):
    assert os.path.exists(CHROMIUM), "chromium missing: apt-get install chromium"
    (tmp_path / "page.html").write_text("<!doctype html><title>profile</title><p>uploading</p>")
    httpd = _serve(str(tmp_path))
    try:
        origin = "http://127.0.0.1:%d" % httpd.server_address[1]
        page = origin + "/page.html"
        url = s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "avatars/u1.png",
                                                              "ContentType": "image/png"}, ExpiresIn=300)
        shots = os.environ.get("CAIRN_ARTIFACTS", str(tmp_path))
        os.makedirs(shots, exist_ok=True)
        # no CORS rule: the browser refuses to let the page see the answer
        denied = _browser_put(page, url, os.path.join(shots, "cors-denied.png"))
        assert denied["status"] is None and denied["error"], denied
        s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [{
            "AllowedOrigins": [origin], "AllowedMethods": ["PUT"], "AllowedHeaders": ["content-type"],
            "ExposeHeaders": ["ETag"]}]})
        ok = _browser_put(page, url, os.path.join(shots, "cors-allowed.png"))
        assert ok["status"] == 200, ok
        assert ok["etag"] and ok["etag"].startswith('"'), ok
        got = s3.get_object(Bucket=bucket, Key="avatars/u1.png")
        assert got["Body"].read() == b"avatar bytes from the browser"
        assert got["ContentType"] == "image/png"
    finally:
        httpd.shutdown()
