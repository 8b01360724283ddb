#!/usr/bin/env bash
# Installs, from Debian 12's archive, whatever cairn needs and is missing.
#   scripts/install-deps.sh          build dependencies
#   scripts/install-deps.sh --test   also the real clients and tools the tests drive
set -euo pipefail

build_pkgs=(meson ninja-build pkg-config gcc libc6-dev libuv1-dev node-llhttp libssl-dev
            libisal-dev liblmdb-dev libexpat1-dev libjansson-dev ca-certificates)
# prometheus: promtool checks the metrics format, and a test runs the real
# server against cairn (tests/s3/test_operators_metrics.py)
test_pkgs=(python3 python3-boto3 python3-pytest awscli s3cmd rclone curl yamllint unzip
           prometheus chromium iproute2)

want=("${build_pkgs[@]}")
if [[ "${1:-}" == "--test" ]]; then
    want+=("${test_pkgs[@]}")
    # Node.js and npm run the JavaScript SDK test and the deploy checks;
    # a machine that already has them (from any source) keeps its own.
    command -v node >/dev/null 2>&1 || want+=(nodejs)
    command -v npm >/dev/null 2>&1 || want+=(npm)
fi

missing=()
for p in "${want[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
    exit 0
fi
echo "installing: ${missing[*]}"
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
