#!/usr/bin/env bash
# bench/iam.sh - what access control costs: 4 KiB GET ops/s signed by root
# (decided with one comparison) against the same GETs signed by an IAM user
# whose policy has 20 statements, the only one that grants GetObject last
# (so every statement is examined on every request), plus a bucket policy
# that must be evaluated too.  Runs alternate root/user rounds in one
# server so machine noise hits both alike.
#
#   bench/iam.sh                   # release build in build/, 3 rounds of 8 s each
#
# Environment: CAIRN_BIN (default build/cairn), BENCH_ROUNDS=3,
# BENCH_DURATION=8, BENCH_CONCURRENCY=16.  Not a test: prints a table.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
BIN=${CAIRN_BIN:-$REPO/build/cairn}
BENCH=$(dirname "$BIN")/bench/cairn-bench
ROUNDS=${BENCH_ROUNDS:-3}
DURATION=${BENCH_DURATION:-8}
CONC=${BENCH_CONCURRENCY:-16}
[[ -x $BIN && -x $BENCH ]] || { (cd "$REPO" && { [[ -d build ]] || meson setup build; } && ninja -C build); }

TMP=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
CPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export CAIRN_ROOT_USER=benchroot CAIRN_ROOT_PASSWORD=bench-root-secret-0123456789
"$BIN" server --quiet --address 127.0.0.1:$PORT --console-address 127.0.0.1:$CPORT "$TMP/data" >"$TMP/server.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$TMP"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/minio/health/live" >/dev/null && break; sleep 0.1; done
EP=http://127.0.0.1:$PORT

python3 - "$TMP/policy.json" <<'EOF'
import json, sys
st = [{"Sid": "s%d" % i, "Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObjectTagging"],
       "Resource": ["arn:aws:s3:::other-%d/*" % i],
       "Condition": {"IpAddress": {"aws:SourceIp": "10.%d.0.0/16" % i}}} for i in range(19)]
st.append({"Sid": "reads", "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket", "s3:PutObject",
           "s3:CreateBucket"], "Resource": ["arn:aws:s3:::cairn-bench", "arn:aws:s3:::cairn-bench/*"]})
json.dump({"Version": "2012-10-17", "Statement": st}, open(sys.argv[1], "w"))
EOF
"$BIN" admin --endpoint "$EP" policy create bench20 "$TMP/policy.json" >/dev/null
"$BIN" admin --endpoint "$EP" user add benchuser bench-user-secret-0123 >/dev/null
"$BIN" admin --endpoint "$EP" policy set bench20 --user benchuser >/dev/null
"$BENCH" put --endpoint "$EP" --access-key benchroot --secret-key "$CAIRN_ROOT_PASSWORD" --objects 1000 \
    --count 1000 --warmup 0 --quiet >/dev/null
# a bucket policy the user's requests must also be checked against
cat >"$TMP/bucket.json" <<'EOF'
{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:DeleteBucket","Resource":"arn:aws:s3:::cairn-bench"}]}
EOF
AWS_ACCESS_KEY_ID=benchroot AWS_SECRET_ACCESS_KEY="$CAIRN_ROOT_PASSWORD" /usr/bin/python3 - "$EP" "$TMP/bucket.json" <<'EOF'
import sys, boto3
s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1")
s3.put_bucket_policy(Bucket="cairn-bench", Policy=open(sys.argv[2]).read())
EOF

run() {  # who ak sk
    "$BENCH" get --endpoint "$EP" --access-key "$2" --secret-key "$3" --objects 1000 --no-prefill \
        --no-create-bucket --concurrency "$CONC" --duration "$DURATION" --warmup 2 --json - --quiet |
        python3 -c 'import json,sys; o=json.load(sys.stdin)["ops"]["GET"]; print("%.0f %d" % (o["ops_per_s"], o["errors"]))'
}
printf '%-6s %-22s %-12s %s\n' round identity "GET ops/s" errors
for r in $(seq "$ROUNDS"); do
    read -r ops err < <(run root benchroot "$CAIRN_ROOT_PASSWORD")
    printf '%-6s %-22s %-12s %s\n' "$r" "root" "$ops" "$err"
    read -r ops err < <(run user benchuser bench-user-secret-0123)
    printf '%-6s %-22s %-12s %s\n' "$r" "user, 20 statements" "$ops" "$err"
done
