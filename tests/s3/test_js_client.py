"""Runs tests/clients/s3.test.mjs (AWS SDK for JavaScript v3) with node's
built-in test runner against the session server, so it counts in this
pytest run. Installs the npm packages from the lock file if missing."""

import os
import re
import shutil
import subprocess

import s3util
from s3util import AK, SK

CLIENTS = os.path.join(s3util.REPO, "tests", "clients")


def _ensure_node_modules():
    if os.path.isdir(os.path.join(CLIENTS, "node_modules", "@aws-sdk", "client-s3")):
        return
    npm = shutil.which("npm")
    assert npm, "npm not found (Node 20 and npm are needed for the JS client test)"
    r = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=CLIENTS,
                       capture_output=True, timeout=300)
    assert r.returncode == 0, "npm ci failed:\n" + r.stderr.decode(errors="replace")[-3000:]


def test_aws_sdk_js_v3(server):
    node = shutil.which("node")
    assert node, "node not found"
    _ensure_node_modules()
    env = s3util.clean_env({"CAIRN_ENDPOINT": server.endpoint,
                            "CAIRN_ACCESS_KEY": AK, "CAIRN_SECRET_KEY": SK})
    r = subprocess.run([node, "--test", "--test-reporter=spec", "s3.test.mjs"], cwd=CLIENTS,
                       env=env, capture_output=True, timeout=240)
    out = r.stdout.decode(errors="replace") + r.stderr.decode(errors="replace")
    assert r.returncode == 0, "node --test failed:\n" + out[-8000:]
    m = re.search(r"^\S*\s*pass (\d+)", out, re.M)
    assert m and int(m.group(1)) >= 7, "expected the JS tests to run:\n" + out[-3000:]
    assert re.search(r"^\S*\s*fail 0", out, re.M), out[-3000:]
