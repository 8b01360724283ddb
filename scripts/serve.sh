#!/usr/bin/env bash
# One command from a fresh clone to a running server:
#   scripts/serve.sh [DATA_DIR]      (default ./data; address :9000 or $CAIRN_ADDRESS)
# Installs what is missing, builds, and starts cairn in the foreground. With
# no CAIRN_ROOT_USER/CAIRN_ROOT_PASSWORD set, the server generates
# credentials on first start and prints them.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
if [[ ! -d build ]]; then meson setup build --buildtype=release >/dev/null; fi
ninja -C build >/dev/null
data="${1:-./data}"
mkdir -p "$data"
exec ./build/cairn server --address "${CAIRN_ADDRESS:-:9000}" "$data"
