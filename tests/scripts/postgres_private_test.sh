#!/usr/bin/env bash
# scripts/postgres-private.sh runs a command against a private PostgreSQL
# (fsync on, its socket in its own directory), and removes it afterwards.
set -euo pipefail
script="$1/scripts/postgres-private.sh"
psql=/usr/lib/postgresql/15/bin/psql
dir=$("$script" run -- sh -c '
  test "$('"$psql"' "$ANALYSISD_PG_CONNINFO" -Atc "show fsync")" = on || exit 3
  test "$('"$psql"' "$ANALYSISD_PG_CONNINFO" -Atc "show unix_socket_directories")" = "$ANALYSISD_PG_DIR" || exit 4
  test "$('"$psql"' "$ANALYSISD_PG_CONNINFO" -Atc "select current_user")" = postgres || exit 5
  echo "$ANALYSISD_PG_DIR"')
test -n "$dir"
test ! -e "$dir" || { echo "$dir was not removed"; exit 1; }
# The command's status is the script's; the server is stopped all the same.
set +e
"$script" run -- sh -c 'exit 7'
status=$?
set -e
test "$status" -eq 7 || { echo "status $status, not 7"; exit 1; }
echo "ok"
