#!/usr/bin/env bash
# Runs a private PostgreSQL 15 for tests and local clusters: initdb into a
# temporary directory, the server on a free loopback port with its unix
# socket in that directory, as the `postgres` user when run as root
# (PostgreSQL refuses root), as the current user otherwise. fsync stays on.
#
#   postgres-private.sh start [DIR]    start one; prints the shell lines
#                                      `export ANALYSISD_PG_DIR=... ANALYSISD_PG_CONNINFO=...`
#   postgres-private.sh stop DIR       stop it and remove DIR
#   postgres-private.sh run -- CMD...  start one, run CMD with those variables
#                                      set, stop it whatever CMD does; CMD's status
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

die() { echo "postgres-private: $*" >&2; exit 1; }

as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start() {
  [ -x "$PG_BIN/initdb" ] || die "$PG_BIN/initdb is missing: install Debian's postgresql package (scripts/install-deps.sh)"
  local dir=${1:-}
  if [ -z "$dir" ]; then dir=$(mktemp -d /tmp/analysisd-pg-XXXXXX); else mkdir -p "$dir"; fi
  chmod 0700 "$dir"
  if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$dir"; fi
  as_pg "$PG_BIN/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
    >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
  local port attempt
  for attempt in 1 2 3 4 5; do
    port=$(free_port)
    # Another program may take the port first: then try another.
    if as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 -s \
         -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$dir -c fsync=on" \
         start; then
      echo "$port" >"$dir/port"
      echo "export ANALYSISD_PG_DIR='$dir' ANALYSISD_PG_CONNINFO='host=127.0.0.1 port=$port user=postgres dbname=postgres'"
      return 0
    fi
  done
  cat "$dir/server.log" >&2
  die "the server did not start"
}

stop() {
  local dir=${1:?usage: postgres-private.sh stop DIR}
  [ -f "$dir/data/PG_VERSION" ] || die "$dir holds no cluster of ours"
  as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w -t 30 -s stop || true
  rm -rf "$dir"
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) shift; stop "$@" ;;
  run)
    shift
    [ "${1:-}" = "--" ] && shift
    [ $# -gt 0 ] || die "usage: postgres-private.sh run -- COMMAND..."
    eval "$(start)"
    trap 'stop "$ANALYSISD_PG_DIR"' EXIT
    set +e
    "$@"
    status=$?
    set -e
    exit $status
    ;;
  *) sed -n '2,13p' "$0" >&2; exit 2 ;;
esac
