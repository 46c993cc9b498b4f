#!/usr/bin/env bash
# Provision a real, throw-away PostgreSQL for the test suite, without Docker.
#
# The server is Debian's own package (installed when missing), run as an unprivileged user from a
# fresh cluster under /tmp, listening on 127.0.0.1 only, with durability switched off (a test
# server: speed over crash safety). A healthy server already on the port is reused.
# The tests connect as role `suqiu` (password auth, CREATEDB) to database `suqiu_test`.
#   usage: tests/provision/postgresql.sh start|stop|status|url
#   `start` and `url` print the SQLAlchemy URL on stdout; everything else goes to stderr.
set -euo pipefail

PG_PORT="${SUQIU_PG_PORT:-5433}"
PG_HOST=127.0.0.1
RUN_DIR="${SUQIU_PG_RUN:-/tmp/suqiu-pg-${PG_PORT}}"
PG_OS_USER="${SUQIU_PG_USER:-suqiu-pg}"
DB_ROLE=suqiu
DB_NAME=suqiu_test
PASSWORD_FILE="${RUN_DIR}/password"

log() { echo "[postgresql] $*" >&2; }

bindir() {
  # the newest server Debian installed (postgresql-15 on Debian 12); pg_config is not needed
  local d
  d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  if [[ -n "$d" && -x "$d/initdb" ]]; then echo "$d"; fi
}

install_server() {
  if [[ -n "$(bindir)" ]]; then return 0; fi
  if [[ "$(id -u)" != "0" ]]; then
    log "no PostgreSQL server (initdb) and not root: install Debian's 'postgresql' package"
    exit 1
  fi
  local t0=$SECONDS
  log "installing Debian's postgresql"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  log "installed in $((SECONDS - t0)) s: $("$(bindir)/postgres" --version)"
}

url() {
  [[ -s "$PASSWORD_FILE" ]] || { log "no password file at ${PASSWORD_FILE}: run start first"; exit 1; }
  echo "postgresql+psycopg://${DB_ROLE}:$(cat "$PASSWORD_FILE")@${PG_HOST}:${PG_PORT}/${DB_NAME}"
}

healthy() {
  # the tests' own login over TCP, not just a listening port
  [[ -s "$PASSWORD_FILE" ]] || return 1
  PGPASSWORD="$(cat "$PASSWORD_FILE")" PGCONNECT_TIMEOUT=3 psql -X -q -h "$PG_HOST" -p "$PG_PORT" \
    -U "$DB_ROLE" -d "$DB_NAME" -tAc 'select 1' 2>/dev/null | grep -qx 1
}

as_server_user() {
  if [[ "$(id -u)" == "0" ]]; then runuser -u "$PG_OS_USER" -- "$@"; else "$@"; fi
}

stop() {
  local bin
  bin="$(bindir)"
  if [[ -n "$bin" && -f "$RUN_DIR/data/postmaster.pid" ]]; then
    as_server_user "$bin/pg_ctl" -D "$RUN_DIR/data" -m fast -w -t 30 stop >/dev/null 2>&1 \
      || as_server_user "$bin/pg_ctl" -D "$RUN_DIR/data" -m immediate stop >/dev/null 2>&1 || true
    log "stopped"
  fi
}

init_cluster() {
  local bin="$1"
  rm -rf "$RUN_DIR" && mkdir -p "$RUN_DIR"
  python3 -c 'import secrets; print(secrets.token_hex(16))' >"$PASSWORD_FILE"
  chmod 600 "$PASSWORD_FILE"
  if [[ "$(id -u)" == "0" ]]; then
    id "$PG_OS_USER" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$PG_OS_USER"
    chown "$PG_OS_USER" "$RUN_DIR"
  fi
  chmod 700 "$RUN_DIR"
  # superuser `postgres` reaches the server only through the socket in RUN_DIR (mode 700)
  as_server_user "$bin/initdb" -D "$RUN_DIR/data" -U postgres -E UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host=scram-sha-256 --no-sync >"$RUN_DIR/initdb.out" 2>&1 || {
      log "initdb failed:"; cat "$RUN_DIR/initdb.out" >&2; exit 1; }
  printf '%s\n' "local all all trust" "host all all 127.0.0.1/32 scram-sha-256" \
    | as_server_user tee "$RUN_DIR/data/pg_hba.conf" >/dev/null
  printf '%s\n' "listen_addresses = '${PG_HOST}'" "port = ${PG_PORT}" \
    "unix_socket_directories = '${RUN_DIR}'" "fsync = off" "synchronous_commit = off" \
    "full_page_writes = off" "shared_buffers = 64MB" "max_connections = 100" \
    "log_min_messages = warning" \
    | as_server_user tee -a "$RUN_DIR/data/postgresql.conf" >/dev/null
}

create_role_and_db() {
  local bin="$1" pw
  pw="$(cat "$PASSWORD_FILE")"
  as_server_user "$bin/psql" -X -q -h "$RUN_DIR" -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 \
    -c "CREATE ROLE ${DB_ROLE} LOGIN CREATEDB PASSWORD '${pw}'" \
    -c "CREATE DATABASE ${DB_NAME} OWNER ${DB_ROLE}" \
    -c "GRANT pg_signal_backend TO ${DB_ROLE}" >/dev/null  # DROP … FORCE meeting an autovacuum worker
}

start() {
  if healthy; then
    log "reusing the PostgreSQL already healthy on ${PG_HOST}:${PG_PORT}"
    url; return 0
  fi
  install_server
  local t0=$SECONDS bin
  bin="$(bindir)"
  stop  # an unhealthy leftover of ours is replaced, not patched
  init_cluster "$bin"
  log "starting $("$bin/postgres" --version) on ${PG_HOST}:${PG_PORT} (cluster under ${RUN_DIR})"
  as_server_user "$bin/pg_ctl" -D "$RUN_DIR/data" -l "$RUN_DIR/server.log" -w -t 60 start >/dev/null || {
    log "postgresql failed to start; log tail:"; tail -n 40 "$RUN_DIR/server.log" >&2; exit 1; }
  create_role_and_db "$bin"
  healthy || { log "started but the test login fails; log tail:"; tail -n 40 "$RUN_DIR/server.log" >&2; exit 1; }
  log "healthy after $((SECONDS - t0)) s"
  url
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  status) if healthy; then echo "healthy at ${PG_HOST}:${PG_PORT}"; else echo "not running at ${PG_HOST}:${PG_PORT}"; exit 1; fi ;;
  url) url ;;
  *) echo "usage: $0 start|stop|status|url" >&2; exit 2 ;;
esac
