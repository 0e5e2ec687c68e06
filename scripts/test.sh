#!/usr/bin/env bash
# Installs what is missing, builds everything and runs the whole test suite in
# three stages: the normal build (gcc) with the end-to-end suite; then (unless
# ANALYSISD_SKIP_SANITIZE=1) a clang build with ASan+UBSan, its unit suites and
# the normal build's end-to-end suite against its server; then (unless
# ANALYSISD_SKIP_FUZZ=1) each libFuzzer target of that same clang build for a
# few seconds, after its whole seed corpus (scripts/fuzz.sh runs them for
# longer).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
jobs="$(nproc)"
export CCACHE_DIR="${CCACHE_DIR:-$PWD/build/ccache}"

# The fuzz stage runs every seed corpus under libFuzzer (ASan+UBSan), so the
# gcc builds replay the seeds only when it is skipped.
replay=OFF
if [ "${ANALYSISD_SKIP_FUZZ:-0}" = "1" ]; then replay=ON; fi
# The unit suites are built and run once: under ASan+UBSan in the sanitize
# stage, or in the dev stage when that one is skipped. The end-to-end suite
# runs in both, against each stage's server.
units=OFF
if [ "${ANALYSISD_SKIP_SANITIZE:-0}" = "1" ]; then units=ON; fi

# The benchmark tools (no test runs them) are compiled once, by the clang
# build below, at a third of gcc -O2's cost; bench/run.sh builds them optimized.
bench=OFF
if [ "${ANALYSISD_SKIP_SANITIZE:-0}" = "1" ]; then bench=ON; fi

start=$(date +%s)
cmake --preset dev -DANALYSISD_FUZZ_REPLAY="$replay" -DANALYSISD_UNIT_TESTS="$units" \
  -DANALYSISD_BUILD_BENCH="$bench" >/dev/null
cmake --build --preset dev -j"$jobs"
echo "test: dev build took $(( $(date +%s) - start )) s"
ctest --preset dev -j"$jobs"

# The sanitize preset builds the fuzz targets too, unless the fuzz stage is skipped.
fuzzers=ON
if [ "${ANALYSISD_SKIP_FUZZ:-0}" = "1" ]; then fuzzers=OFF; fi
configure_sanitize() {
  cmake --preset sanitize -DANALYSISD_FUZZ_REPLAY="$replay" -DANALYSISD_UNIT_TESTS=ON \
    -DANALYSISD_FUZZ_TARGETS="$fuzzers" >/dev/null
}

if [ "${ANALYSISD_SKIP_SANITIZE:-0}" != "1" ]; then
  start=$(date +%s)
  configure_sanitize
  cmake --build --preset sanitize -j"$jobs"
  echo "test: sanitize build took $(( $(date +%s) - start )) s"
  ctest --preset sanitize -j"$jobs" -LE fuzz
fi

if [ "$fuzzers" = "ON" ]; then
  # Already built by the sanitize stage, unless that one was skipped.
  start=$(date +%s)
  configure_sanitize
  cmake --build --preset sanitize -j"$jobs" --target analysisd_fuzzers
  echo "test: fuzz build took $(( $(date +%s) - start )) s"
  ctest --preset sanitize -j"$jobs" -L fuzz
fi
