#!/usr/bin/env bash
# Installs what is missing, builds everything and runs the whole test suite:
# first the normal build, then (unless ANALYSISD_SKIP_SANITIZE=1) the same
# tests under ASan+UBSan.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
jobs="$(nproc)"
export CCACHE_DIR="${CCACHE_DIR:-$PWD/build/ccache}"

start=$(date +%s)
cmake --preset dev >/dev/null
cmake --build --preset dev -j"$jobs"
echo "test: dev build took $(( $(date +%s) - start )) s"
ctest --preset dev -j"$jobs"

if [ "${ANALYSISD_SKIP_SANITIZE:-0}" != "1" ]; then
  start=$(date +%s)
  cmake --preset sanitize >/dev/null
  cmake --build --preset sanitize -j"$jobs"
  echo "test: sanitize build took $(( $(date +%s) - start )) s"
  ctest --preset sanitize -j"$jobs"
fi
