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
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
passed=0 failed=0
# count N passed / M failed from a runner's output
tally() {
    local p f
    p=$(grep -Eo '([0-9]+) passed' "$1" | tail -1 | grep -Eo '[0-9]+' || true)
    f=$(grep -Eo '([0-9]+) (failed|errors?)' "$1" | awk '{s+=$1} END {print s+0}')
    passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
}

step "build (release) and build-asan (AddressSanitizer + UndefinedBehaviorSanitizer)"
[[ -d build ]] || meson setup build --buildtype=release >/dev/null || exit 1
ninja -C build >/dev/null || { echo "build failed"; exit 1; }
[[ -d build-asan ]] || meson setup build-asan --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false >/dev/null || exit 1
ninja -C build-asan >/dev/null || { echo "sanitizer build failed"; exit 1; }

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:halt_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

step "C unit tests (sanitized)"
meson test -C build-asan --suite unit --print-errorlogs | tee "$logs/unit" || failures+=("unit")
ok=$(grep -Eo '^Ok: +[0-9]+' "$logs/unit" | grep -Eo '[0-9]+' || echo 0)
bad=$(grep -Eo '^Fail: +[0-9]+' "$logs/unit" | grep -Eo '[0-9]+' || echo 0)
passed=$((passed + ok)); failed=$((failed + bad))

step "JavaScript SDK dependencies (npm)"
if [[ -f tests/clients/package.json ]]; then
    (cd tests/clients && { [[ -f package-lock.json ]] && npm ci --no-audit --no-fund --silent || npm install --no-audit --no-fund --silent; }) \
        || failures+=("npm-clients")
fi

step "real-client S3 suite against build-asan/cairn (Debian's python3, boto3, awscli, s3cmd, rclone; @aws-sdk/client-s3)"
mkdir -p "$root/test-artifacts"   # screenshots and logs worth keeping from a run
CAIRN_ARTIFACTS="$root/test-artifacts" CAIRN_BIN="$root/build-asan/cairn" CAIRN_RELEASE_BIN="$root/build/cairn" /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/s3 2>&1 | tee "$logs/s3"
[[ ${PIPESTATUS[0]} -eq 0 ]] || failures+=("s3")
tally "$logs/s3"

if [[ -x tests/deploy/run.sh ]]; then
    step "deploy assets (helm, kubernetes schemas, terraform, workflows)"
    CAIRN_BIN="$root/build/cairn" tests/deploy/run.sh 2>&1 | tee "$logs/deploy"
    [[ ${PIPESTATUS[0]} -eq 0 ]] || failures+=("deploy")
    tally "$logs/deploy"
fi

step "summary"
if ((${#failures[@]})); then
    echo "FAILED groups: ${failures[*]}"
    ((failed > 0)) || failed=1
    echo "total: $passed passed, $failed failed"
    exit 1
fi
echo "total: $passed passed, $failed failed"
