#!/usr/bin/env bash
# Builds the libFuzzer targets (the `fuzz` preset, clang) and runs each for
# SECONDS (default 600), one after another, on a scratch corpus in
# build/fuzz-corpus/<target> that grows from run to run and starts from the
# seeds in tests/fuzz/corpus/<target>. Crashing inputs and logs go to
# build/fuzz-artifacts/. Exit status 1 if any target found something. The
# per-input timeout is generous (60 s): on a loaded machine a niced fuzzer can
# be starved for seconds, which is not a hang.
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]
#   targets: auth query multipart json_body journal snapshot recovery request_head
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-600}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(auth query multipart json_body journal snapshot recovery request_head)
fi

./scripts/install-deps.sh
export CCACHE_DIR="${CCACHE_DIR:-$PWD/build/ccache}"
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j"$(nproc)"

export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
artifacts=build/fuzz-artifacts
mkdir -p "$artifacts"
status=0
for t in "${targets[@]}"; do
  corpus=build/fuzz-corpus/$t
  mkdir -p "$corpus"
  log=$artifacts/$t.log
  start=$(date +%s)
  set +e
  { TIMEFORMAT='%0U %0S'; time build/fuzz/tests/fuzz/"$t"_fuzz -max_total_time="$seconds" \
      -timeout=60 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts/$t-" \
      "$corpus" tests/fuzz/corpus/"$t" >"$log" 2>&1; } 2>"$artifacts/$t.cpu"
  rc=$?
  set -e
  if [ $rc -eq 0 ]; then
    result="no finding"
  else
    result="FINDING (see $log and $artifacts/$t-*)"
    status=1
  fi
  read -r user sys <"$artifacts/$t.cpu" || true
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 || true)
  ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 || true)
  echo "fuzz: $t: $result; ${execs:-?} executions in $(( $(date +%s) - start )) s" \
       "($(( ${user:-0} + ${sys:-0} )) s CPU), $cov, $ft," \
       "corpus $(find "$corpus" -type f | wc -l) inputs"
done
exit $status
