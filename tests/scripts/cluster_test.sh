#!/usr/bin/env bash
# scripts/cluster.sh starts a private PostgreSQL and 3 nodes: a node answers
# /readyz 200, an analysis created on node 1 is read on node 3, and SIGTERM
# stops every node and PostgreSQL and removes the temporary directories.
# ANALYSISD_BINARY (set by ctest) names the server to run.
set -euo pipefail
root=$1
out=$(mktemp /tmp/analysisd-cluster-test-XXXXXX)
"$root/scripts/cluster.sh" 3 >"$out" 2>&1 &
pid=$!
fail() {
  echo "cluster_test: $*"
  echo "---- cluster.sh's output ----"
  cat "$out"
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rm -f "$out"
  exit 1
}
for _ in $(seq 900); do
  grep -q '^export ANALYSISD_CLUSTER_TOKEN' "$out" && break
  kill -0 "$pid" 2>/dev/null || fail "cluster.sh exited before the nodes were ready"
  sleep 0.1
done
grep -q '^export ANALYSISD_CLUSTER_TOKEN' "$out" || fail "the nodes were not ready within 90 s"
eval "$(grep '^export ANALYSISD_CLUSTER' "$out")"
read -r -a urls <<<"$ANALYSISD_CLUSTER_URLS"
[ "${#urls[@]}" -eq 3 ] || fail "3 node URLs expected, got: $ANALYSISD_CLUSTER_URLS"
auth="Authorization: Bearer $ANALYSISD_CLUSTER_TOKEN"

# A node is ready.
body=$(curl -sS --max-time 5 -w ' %{http_code}' "${urls[0]}/readyz") || fail "GET /readyz failed"
[ "$body" = '{"status":"ok"} 200' ] || fail "node1 /readyz answered: $body"

# Created on node 1...
created=$(curl -sS --max-time 10 -w ' %{http_code}' -X POST -H "$auth" \
  -H 'Content-Type: application/json' \
  -d '{"workflow":"nuvs","sample":{"id":"s1","name":"S 1"},"index":{"id":"i1","version":0},"user":{"id":"u1"}}' \
  "${urls[0]}/admin/analyses") || fail "create on node1 failed"
[ "${created##* }" = 201 ] || fail "create on node1 answered: $created"
id=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["id"])' "${created% *}")

# ...read on node 3 (every node serves every analysis).
read3=$(curl -sS --max-time 10 -w ' %{http_code}' -H "$auth" "${urls[2]}/admin/analyses/$id") ||
  fail "GET on node3 failed"
[ "${read3##* }" = 200 ] || fail "GET /admin/analyses/$id on node3 answered: $read3"
[ "$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["id"])' "${read3% *}")" = "$id" ] ||
  fail "node3 answered another analysis: $read3"

# SIGTERM stops everything and cleans up.
node_pids=$(sed -n 's/^cluster: node[0-9]* pid \([0-9]*\) .*/\1/p' "$out")
kill -TERM "$pid"
status=0
wait "$pid" || status=$?
for p in $node_pids; do
  ! kill -0 "$p" 2>/dev/null || fail "node pid $p still runs after cluster.sh stopped"
done
[ ! -e "$ANALYSISD_CLUSTER_DIR" ] || fail "$ANALYSISD_CLUSTER_DIR was not removed"
[ ! -e "$ANALYSISD_PG_DIR" ] || fail "$ANALYSISD_PG_DIR (PostgreSQL) was not removed"
grep -q '^cluster: stopped' "$out" || fail "cluster.sh did not say it stopped"
[ "$status" -eq 143 ] || fail "cluster.sh exited $status on SIGTERM, not 143"
rm -f "$out"
echo "ok"
