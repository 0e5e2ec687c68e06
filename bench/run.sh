#!/usr/bin/env bash
# The analysisd benchmark suite (not part of the tests): see bench/README.md.
#   bench/run.sh [--quick] [--parts get,finalize,upload,recovery] [--rounds N] [--duration S] ...
# Builds the release preset (analysisd and the bench tools), then runs bench/bench.py,
# which prints every figure with its ratio to a baseline of the same run and writes
# build/bench/results.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ " $* " == *" --help "* || " $* " == *" -h "* ]]; then
  exec /usr/bin/python3 bench/bench.py --help
fi
for tool in /usr/bin/wrk /usr/sbin/nginx /usr/bin/curl /usr/bin/perf /usr/bin/redis-server /usr/bin/redis-benchmark; do
  [[ -x $tool ]] || { echo "bench: $tool is missing (apt-get install wrk nginx-light curl linux-perf redis-server)" >&2; exit 1; }
done
/usr/bin/python3 -c 'import aiohttp' 2>/dev/null \
  || { echo "bench: /usr/bin/python3 lacks aiohttp (apt-get install python3-aiohttp)" >&2; exit 1; }
mkdir -p build/bench
{ [[ -f build/release/build.ninja ]] || cmake --preset release; } >build/bench/build.log 2>&1 \
  && nice -n 10 cmake --build --preset release -j2 --target analysisd bench_seed bench_fsync bench_restinio_floor \
     >>build/bench/build.log 2>&1 \
  || { cat build/bench/build.log >&2; echo "bench: the release build failed" >&2; exit 1; }
exec /usr/bin/python3 bench/bench.py "$@"
