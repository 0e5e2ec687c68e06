#!/usr/bin/env bash
# Runs a local analysisd cluster to try cluster mode: a private PostgreSQL
# (scripts/postgres-private.sh) and N nodes (default 3) on loopback, sharing
# one data dir in a temporary directory and one admin token. Prints the
# nodes' URLs and the token, runs until Ctrl-C or SIGTERM, then stops the
# nodes and PostgreSQL and removes the temporary directories.
#
#   scripts/cluster.sh [N] [-- EXTRA ANALYSISD OPTIONS...]
#
# ANALYSISD_BINARY names the server binary (default build/release/analysisd,
# built with the release preset when missing); ANALYSISD_ADMIN_TOKEN the
# token (default: a fresh random one). Works as root (PostgreSQL then runs
# as the postgres user). Run scripts/install-deps.sh first on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

die() { echo "cluster: $*" >&2; exit 1; }

nodes=3
if [ $# -gt 0 ] && [ "$1" != "--" ]; then nodes=$1; shift; fi
[[ "$nodes" =~ ^[1-9][0-9]*$ ]] || die "the node count must be a positive number, not '$nodes'"
if [ $# -gt 0 ]; then
  [ "$1" = "--" ] || die "usage: cluster.sh [N] [-- EXTRA ANALYSISD OPTIONS...]"
  shift
fi
extra=("$@")

bin=${ANALYSISD_BINARY:-$root/build/release/analysisd}
if [ ! -x "$bin" ]; then
  [ -z "${ANALYSISD_BINARY:-}" ] || die "ANALYSISD_BINARY=$bin is not an executable"
  echo "cluster: building $bin (cmake --preset release)"
  cmake --preset release >/dev/null
  cmake --build --preset release -j"$(nproc)" --target analysisd
fi

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

work=""
pg_dir=""
pids=()
cleanup() {
  trap - EXIT INT TERM
  local pid i
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    # A node drains and exits within seconds; one that does not is killed.
    for i in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [ -n "$pg_dir" ]; then "$root/scripts/postgres-private.sh" stop "$pg_dir" || true; fi
  if [ -n "$work" ]; then rm -rf "$work"; fi
  echo "cluster: stopped"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

work=$(mktemp -d /tmp/analysisd-cluster-XXXXXX)
data="$work/data"
mkdir -p "$data"
pg_env=$("$root/scripts/postgres-private.sh" start) || die "PostgreSQL did not start"
eval "$pg_env"
pg_dir=$ANALYSISD_PG_DIR
token=${ANALYSISD_ADMIN_TOKEN:-$(python3 -c 'import secrets; print(secrets.token_hex(32))')}

urls=()
for i in $(seq "$nodes"); do
  http=$(free_port)
  caf=$(free_port)
  ANALYSISD_ADMIN_TOKEN=$token "$bin" --listen "127.0.0.1:$http" --data-dir "$data" \
    --cluster-postgres "$ANALYSISD_PG_CONNINFO" --node-name "node$i" \
    --cluster-listen "127.0.0.1:$caf" "${extra[@]}" >"$work/node$i.log" 2>&1 &
  pids+=($!)
  urls+=("http://127.0.0.1:$http")
  echo "cluster: node$i pid $! http://127.0.0.1:$http (inter-node 127.0.0.1:$caf, log $work/node$i.log)"
done

for i in $(seq "$nodes"); do
  pid=${pids[$((i - 1))]}
  url=${urls[$((i - 1))]}
  ready=""
  for _ in $(seq 600); do
    if ! kill -0 "$pid" 2>/dev/null; then
      cat "$work/node$i.log" >&2
      die "node$i exited before it was ready (its log is above)"
    fi
    if [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url/readyz")" = 200 ]; then
      ready=1
      break
    fi
    sleep 0.1
  done
  [ -n "$ready" ] || { tail -n 50 "$work/node$i.log" >&2; die "node$i is not ready after 60 s"; }
done

echo "cluster: $nodes nodes ready, sharing the data dir $data"
echo "cluster: admin token $token"
echo "cluster: PostgreSQL $ANALYSISD_PG_CONNINFO"
echo "cluster: try  curl -H 'Authorization: Bearer $token' ${urls[0]}/admin/analyses"
echo "export ANALYSISD_CLUSTER_TOKEN='$token' ANALYSISD_CLUSTER_URLS='${urls[*]}' ANALYSISD_CLUSTER_DIR='$work' ANALYSISD_PG_DIR='$pg_dir'"
echo "cluster: Ctrl-C (or SIGTERM) stops everything"

# Report a node that exits by itself; run until a signal.
reported=()
while true; do
  for i in $(seq "$nodes"); do
    pid=${pids[$((i - 1))]}
    if [ -z "${reported[$i]:-}" ] && ! kill -0 "$pid" 2>/dev/null; then
      reported[$i]=1
      echo "cluster: node$i (pid $pid) exited; the end of its log:" >&2
      tail -n 20 "$work/node$i.log" >&2
    fi
  done
  sleep 1 &
  wait $! || true
done
