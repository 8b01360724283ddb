#!/usr/bin/env bash
# The platform's access control, as docs/iam.md describes it: one user per
# domain service, limited to its domain's buckets; product-images readable
# by anyone (the CDN); ops-readonly for operators who look but never touch.
#
# Usage: CAIRN_ROOT_USER=... CAIRN_ROOT_PASSWORD=... \
#        USER_SVC_SECRET=... PRODUCT_SVC_SECRET=... ORDER_SVC_SECRET=... OPS_READONLY_SECRET=... \
#        docs/examples/iam/setup.sh [ENDPOINT]
# (cairn on PATH, or CAIRN=/path/to/cairn; secrets of 8-128 characters).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cairn="${CAIRN:-cairn}"
endpoint="${1:-${CAIRN_ENDPOINT:-http://127.0.0.1:9000}}"
admin() { "$cairn" admin --endpoint "$endpoint" "$@" >/dev/null; }

for domain in user product order; do
    admin policy create "$domain-domain" "$here/$domain-domain.json"
done
admin user add user-svc "${USER_SVC_SECRET:?}"
admin user add product-svc "${PRODUCT_SVC_SECRET:?}"
admin user add order-svc "${ORDER_SVC_SECRET:?}"
admin user add ops-readonly "${OPS_READONLY_SECRET:?}"
admin policy set user-domain --user user-svc
admin policy set product-domain --user product-svc
admin policy set order-domain --user order-svc
admin policy set readonly --user ops-readonly
echo "users, policies and attachments are in place"
echo "make product-images public (as root, once the bucket exists):"
echo "  aws s3api put-bucket-policy --bucket product-images --policy file://$here/product-images-public.json"
