#!/usr/bin/env bash
# Installs what is missing, builds everything and runs the whole test suite in
# three stages: the normal build (gcc) with the end-to-end suite; then (unless
# ANALYSISD_SKIP_SANITIZE=1) a clang build with ASan+UBSan, its unit suites and
# the normal build's end-to-end suite against its server; then (unless
# ANALYSISD_SKIP_FUZZ=1) each libFuzzer target of that same clang build for a
# few seconds, after its whole seed corpus (scripts/fuzz.sh runs them for
# longer).
#
# The stages overlap: the tests leave about a third of the CPU idle (they
# wait on servers, fsyncs and timeouts), so the sanitize build compiles while
# the dev stage's tests run, and the fuzzers run while the sanitize stage's
# tests do, both at idle priority (SCHED_IDLE: only CPU that the tests leave
# unused, so their timings hold).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
jobs="$(nproc)"
# Tests run one more at a time than there are CPUs: they wait on servers,
# fsyncs and timeouts. On 2 cores the sanitize stage's tests took 117 s at
# -j3 (116 s at -j4) against 155 s at -j2.
test_jobs=$(( jobs + 1 ))
# A CI run (CI=true) on a fresh clone with the default cache, which lies in
# the clone, never hits it: ccache would only add its misses' cost (the whole
# command took 358 s with an empty cache, 337 s without ccache). A CI that
# keeps a cache between runs names it with CCACHE_DIR.
if [ "${CI:-}" = "true" ] && [ -z "${CCACHE_DIR:-}" ]; then export CCACHE_DISABLE=1; fi
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

# The stages' background jobs, each in a process group of its own (setsid),
# stop with this script.
background=()
trap 'for g in "${background[@]}"; do kill -- "-$g" 2>/dev/null || true; done' EXIT

sanitize=ON
if [ "${ANALYSISD_SKIP_SANITIZE:-0}" = "1" ]; then sanitize=OFF; fi
# The sanitize preset builds the fuzz targets too, unless the fuzz stage is skipped.
fuzzers=ON
if [ "${ANALYSISD_SKIP_FUZZ:-0}" = "1" ]; then fuzzers=OFF; fi
configure_sanitize() {
  cmake --preset sanitize -DANALYSISD_FUZZ_REPLAY="$replay" -DANALYSISD_UNIT_TESTS=ON \
    -DANALYSISD_FUZZ_TARGETS="$fuzzers" >/dev/null
}

start=$(date +%s)
cmake --preset dev -DANALYSISD_FUZZ_REPLAY="$replay" -DANALYSISD_UNIT_TESTS="$units" \
  -DANALYSISD_BUILD_BENCH="$bench" >/dev/null
cmake --build --preset dev -j"$jobs"
echo "test: dev build took $(( $(date +%s) - start )) s"

if [ "$sanitize" = "ON" ]; then
  start=$(date +%s)
  configure_sanitize
  setsid chrt --idle 0 ionice -c 3 cmake --build --preset sanitize -j"$jobs" \
    > build/sanitize-build.log 2>&1 &
  sanitize_build=$!
  background+=("$sanitize_build")
fi
ctest --preset dev -j"$test_jobs"

if [ "$sanitize" = "ON" ]; then
  dev_done=$(date +%s)
  if ! wait "$sanitize_build"; then
    tail -n 100 build/sanitize-build.log
    echo "test: the sanitize build failed (build/sanitize-build.log)"
    exit 1
  fi
  background=()
  echo "test: sanitize build took $(( $(date +%s) - start )) s," \
       "$(( dev_done - start )) s of it beside the dev stage's tests"
  if [ "$fuzzers" = "ON" ]; then
    # A ctest run of its own, in the fuzz targets' directory (so its Testing/
    # files are its own), with the sanitize preset's UBSan options. Each run
    # lasts a fixed time and takes what CPU the tests leave: one per two CPUs
    # spreads them over the sanitize stage's tests (on 2 CPUs, 8 runs of
    # about 11.5 s one after the other, within those tests' 110-125 s)
    # instead of crowding its start, where the tests leave no CPU idle. On a
    # clean clone: 356 s for the whole command, against 357-363 s with two
    # at a time (not separable), with 505 s of user CPU against 476-480 s:
    # the fuzzers got the CPU that the stage's end left idle.
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 setsid chrt --idle 0 \
      ctest --test-dir build/sanitize/tests/fuzz -j"$(( (jobs + 1) / 2 ))" -L fuzz \
      --output-on-failure \
      > build/fuzz-tests.log 2>&1 &
    fuzz_runs=$!
    background+=("$fuzz_runs")
  fi
  tests=0
  ctest --preset sanitize -j"$test_jobs" -LE fuzz || tests=$?
  if [ "$fuzzers" = "ON" ]; then
    fuzz=0
    wait "$fuzz_runs" || fuzz=$?
    background=()
    cat build/fuzz-tests.log
    if [ "$fuzz" != 0 ]; then echo "test: a fuzz target failed"; exit 1; fi
  fi
  if [ "$tests" != 0 ]; then exit "$tests"; fi
elif [ "$fuzzers" = "ON" ]; then
  start=$(date +%s)
  configure_sanitize
  cmake --build --preset sanitize -j"$jobs" --target analysisd_fuzzers
  echo "test: fuzz build took $(( $(date +%s) - start )) s"
  ctest --preset sanitize -j"$jobs" -L fuzz
fi
