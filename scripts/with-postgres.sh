#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL server: `scripts/with-postgres.sh npm test`.
#
# The server lives in a temporary folder, listens on a free port of 127.0.0.1 only, requires a
# (random) password over TCP, and is stopped and removed when the command ends. Its URL is given
# to the command as RUANGKERJA_TEST_PG_URL, which the PostgreSQL tests read. When openssl is
# there, the server also accepts TLS with a throwaway self-signed certificate for 127.0.0.1, whose
# path is given as RUANGKERJA_TEST_PG_CA (the TLS tests skip without it).
#
# - RUANGKERJA_TEST_PG_URL already set: the command runs against that server, nothing is started.
# - initdb/pg_ctl come from PATH, else from Debian's /usr/lib/postgresql/<version>/bin; when
#   neither has them and we are root with apt-get, Debian's `postgresql` package is installed.
# - initdb refuses to run as root: as root, the server runs as the `postgres` user (or `nobody`).
# - When no server can be started, the command still runs, without the variable: the PostgreSQL
#   tests then skip and print why.
set -uo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: $0 <command> [args...]" >&2
  exit 2
fi

if [ -n "${RUANGKERJA_TEST_PG_URL:-}" ]; then
  exec "$@"
fi

log() { echo "with-postgres: $*" >&2; }

find_pg_bin() {
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(command -v pg_ctl)"
    return 0
  fi
  local dir
  # Highest version first.
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -V -r); do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
      echo "$dir"
      return 0
    fi
  done
  return 1
}

install_pg() {
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    log "PostgreSQL is not installed and cannot be installed here (needs root and apt-get)"
    return 1
  fi
  log "installing Debian's postgresql package"
  export DEBIAN_FRONTEND=noninteractive
  (apt-get update -qq && apt-get install -y -qq --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold postgresql >/dev/null) || {
    log "apt-get could not install postgresql"
    return 1
  }
}

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

start_server() {
  local bin="$1"
  TMP_PG="$(mktemp -d "${TMPDIR:-/tmp}/ruangkerja-pg.XXXXXX")" || return 1
  local as=() user=""
  if [ "$(id -u)" -eq 0 ]; then
    user=postgres
    id -u "$user" >/dev/null 2>&1 || user=nobody
    chown "$user" "$TMP_PG"
    as=(runuser -u "$user" --)
  fi
  chmod 700 "$TMP_PG"
  PG_PASSWORD="pw$(node -e 'console.log(require("crypto").randomBytes(12).toString("hex"))')"
  printf '%s\n' "$PG_PASSWORD" >"$TMP_PG/pwfile"
  if [ -n "$user" ]; then chown "$user" "$TMP_PG/pwfile"; fi
  if ! "${as[@]}" "$bin/initdb" -D "$TMP_PG/data" -U ruangkerja --pwfile="$TMP_PG/pwfile" \
    --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --no-locale --no-sync >"$TMP_PG/initdb.log" 2>&1; then
    log "initdb failed:"
    cat "$TMP_PG/initdb.log" >&2
    return 1
  fi
  rm -f "$TMP_PG/pwfile"
  local tls=()
  if command -v openssl >/dev/null 2>&1 &&
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" \
      -keyout "$TMP_PG/server.key" -out "$TMP_PG/server.crt" >/dev/null 2>&1; then
    chmod 600 "$TMP_PG/server.key"
    if [ -n "$user" ]; then chown "$user" "$TMP_PG/server.key" "$TMP_PG/server.crt"; fi
    tls=(-c ssl=on -c "ssl_cert_file=$TMP_PG/server.crt" -c "ssl_key_file=$TMP_PG/server.key")
    PG_CA="$TMP_PG/server.crt"
  fi
  local attempt
  for attempt in 1 2 3; do
    PG_PORT="$(free_port)" || return 1
    if "${as[@]}" "$bin/pg_ctl" -D "$TMP_PG/data" -l "$TMP_PG/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -c unix_socket_directories=$TMP_PG -c fsync=off -c max_connections=100 ${tls[*]}" \
      start >/dev/null; then
      PG_CTL=("${as[@]}" "$bin/pg_ctl" -D "$TMP_PG/data")
      return 0
    fi
    log "start on port $PG_PORT failed (attempt $attempt):"
    tail -n 5 "$TMP_PG/server.log" >&2
  done
  return 1
}

cleanup() {
  if [ "${#PG_CTL[@]}" -gt 0 ]; then
    "${PG_CTL[@]}" -m immediate stop >/dev/null 2>&1 || true
  fi
  if [ -n "${TMP_PG:-}" ]; then
    rm -rf "$TMP_PG"
  fi
}

PG_CTL=()
TMP_PG=""
PG_CA=""
trap cleanup EXIT
trap 'exit 130' INT TERM

BIN="$(find_pg_bin)" || { install_pg && BIN="$(find_pg_bin)"; } || BIN=""
if [ -n "$BIN" ] && start_server "$BIN"; then
  export RUANGKERJA_TEST_PG_URL="postgres://ruangkerja:${PG_PASSWORD}@127.0.0.1:${PG_PORT}/postgres"
  if [ -n "$PG_CA" ]; then export RUANGKERJA_TEST_PG_CA="$PG_CA"; fi
  log "PostgreSQL ($("$BIN/postgres" --version 2>/dev/null || echo "$BIN")) on 127.0.0.1:$PG_PORT, data in $TMP_PG"
else
  log "no PostgreSQL server could be started: the PostgreSQL tests will be skipped"
fi

"$@"
