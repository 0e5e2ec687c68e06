#!/usr/bin/env bash
# Installs what is missing, builds everything and runs the whole test suite:
# first the normal build, then (unless ANALYSISD_SKIP_SANITIZE=1) the same
# tests under ASan+UBSan (the normal build's end-to-end suite runs against the
# sanitized server), then (unless ANALYSISD_SKIP_FUZZ=1) each libFuzzer
# target for a few seconds, after its whole seed corpus (scripts/fuzz.sh runs
# them for longer).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
jobs="$(nproc)"
export CCACHE_DIR="${CCACHE_DIR:-$PWD/build/ccache}"

# The fuzz stage runs every seed corpus under libFuzzer (ASan+UBSan), so the
# gcc builds replay the seeds only when it is skipped.
replay=OFF
if [ "${ANALYSISD_SKIP_FUZZ:-0}" = "1" ]; then replay=ON; fi

start=$(date +%s)
cmake --preset dev -DANALYSISD_FUZZ_REPLAY="$replay" >/dev/null
cmake --build --preset dev -j"$jobs"
echo "test: dev build took $(( $(date +%s) - start )) s"
ctest --preset dev -j"$jobs"

if [ "${ANALYSISD_SKIP_SANITIZE:-0}" != "1" ]; then
  start=$(date +%s)
  cmake --preset sanitize -DANALYSISD_FUZZ_REPLAY="$replay" >/dev/null
  cmake --build --preset sanitize -j"$jobs"
  echo "test: sanitize build took $(( $(date +%s) - start )) s"
  ctest --preset sanitize -j"$jobs"
fi

if [ "${ANALYSISD_SKIP_FUZZ:-0}" != "1" ]; then
  start=$(date +%s)
  cmake --preset fuzz >/dev/null
  cmake --build --preset fuzz -j"$jobs"
  echo "test: fuzz build took $(( $(date +%s) - start )) s"
  ctest --preset fuzz -j"$jobs"
fi
