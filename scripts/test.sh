#!/usr/bin/env bash
# One command from a fresh clone to every test:
#   scripts/test.sh
# Installs what is missing (build dependencies and the real clients),
# builds cairn twice (optimised, and with AddressSanitizer + UBSan), runs
# the C unit tests and the real-client suite against the sanitized binary,
# and the deploy checks.  Prints one summary line at the end and exits
# non-zero if anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

scripts/install-deps.sh --test || { echo "dependency installation failed"; exit 1; }

step() { printf '\n=== %s\n' "$*"; }
failures=()

step "build (release) and build-asan (AddressSanitizer + UndefinedBehaviorSanitizer)"
[[ -d build ]] || meson setup build --buildtype=release >/dev/null || exit 1
ninja -C build >/dev/null || { echo "build failed"; exit 1; }
[[ -d build-asan ]] || meson setup build-asan --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false >/dev/null || exit 1
ninja -C build-asan >/dev/null || { echo "sanitizer build failed"; exit 1; }

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:halt_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

step "C unit tests (sanitized)"
meson test -C build-asan --suite unit --print-errorlogs || failures+=("unit")

step "JavaScript SDK dependencies (npm)"
if [[ -f tests/clients/package.json ]]; then
    (cd tests/clients && { [[ -f package-lock.json ]] && npm ci --no-audit --no-fund --silent || npm install --no-audit --no-fund --silent; }) \
        || failures+=("npm-clients")
fi

step "real-client S3 suite against build-asan/cairn (Debian's python3, boto3, awscli, s3cmd, rclone; @aws-sdk/client-s3)"
CAIRN_BIN="$root/build-asan/cairn" /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/s3 || failures+=("s3")

if [[ -x tests/deploy/run.sh ]]; then
    step "deploy assets (helm, kubernetes schemas, terraform, workflows)"
    CAIRN_BIN="$root/build/cairn" tests/deploy/run.sh || failures+=("deploy")
fi

step "summary"
if ((${#failures[@]})); then
    echo "FAILED: ${failures[*]}"
    exit 1
fi
echo "all test groups passed"
