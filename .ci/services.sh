#!/usr/bin/env bash
# Install (Debian packages) and start PostgreSQL and Redis for the tests,
# on private ports and data directories, then export where they are:
#   DMR_JWT_TEST_POSTGRES  postgresql://postgres@127.0.0.1:PORT/postgres
#   DMR_JWT_TEST_REDIS     redis://127.0.0.1:PORT/0
# Source it: `. .ci/services.sh`. Servers stop when the shell exits.
set -euo pipefail

PG_PORT="${DMR_JWT_PG_PORT:-55432}"
REDIS_PORT="${DMR_JWT_REDIS_PORT:-56379}"
SERVICES_DIR="$(mktemp -d /tmp/dmr-jwt-ci.XXXXXX)"
chmod 755 "$SERVICES_DIR"

find_pg_bin() {
  local candidate
  for candidate in /usr/lib/postgresql/*/bin; do
    if [ -x "$candidate/postgres" ]; then echo "$candidate"; return 0; fi
  done
  return 1
}

missing=()
find_pg_bin >/dev/null || missing+=(postgresql)
command -v redis-server >/dev/null || missing+=(redis-server)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "ci: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
PG_BIN="$(find_pg_bin)"

# PostgreSQL refuses to run as root: run it as the `postgres` user.
PG_USER=postgres
id "$PG_USER" >/dev/null 2>&1 || useradd --system --no-create-home "$PG_USER"
PGDATA="$SERVICES_DIR/pg"
mkdir -p "$PGDATA"
touch "$SERVICES_DIR/postgres.log"
chown "$PG_USER" "$PGDATA" "$SERVICES_DIR/postgres.log"
runuser -u "$PG_USER" -- "$PG_BIN/initdb" -D "$PGDATA" -A trust -U postgres \
  >"$SERVICES_DIR/initdb.log"
runuser -u "$PG_USER" -- "$PG_BIN/pg_ctl" -D "$PGDATA" -w \
  -l "$SERVICES_DIR/postgres.log" \
  -o "-p $PG_PORT -k $PGDATA -c listen_addresses=127.0.0.1 -c fsync=off" \
  start >/dev/null

redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' \
  --appendonly no --daemonize yes --dir "$SERVICES_DIR" \
  --pidfile "$SERVICES_DIR/redis.pid" --logfile "$SERVICES_DIR/redis.log"
for _ in $(seq 1 50); do
  redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break
  sleep 0.1
done

stop_services() {
  runuser -u "$PG_USER" -- "$PG_BIN/pg_ctl" -D "$PGDATA" -m fast stop \
    >/dev/null 2>&1 || true
  redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
}
trap stop_services EXIT

export DMR_JWT_TEST_POSTGRES="postgresql://postgres@127.0.0.1:$PG_PORT/postgres"
export DMR_JWT_TEST_REDIS="redis://127.0.0.1:$REDIS_PORT/0"
echo "ci: PostgreSQL on $PG_PORT, Redis on $REDIS_PORT"
