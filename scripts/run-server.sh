#!/usr/bin/env bash
# Installs what is missing, builds analysisd (release) and runs it on
# 127.0.0.1:9950 with ./data; extra arguments go to analysisd.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j"$(nproc)"
echo "run-server: the admin token is in ./data/admin-token (or \$ANALYSISD_ADMIN_TOKEN if set)"
exec ./build/release/analysisd --listen 127.0.0.1:9950 --data-dir ./data "$@"
