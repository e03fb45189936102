#!/usr/bin/env bash
# Local Postgres and Redis for `make run` and `make test`, from Debian's packages, in a run
# directory of this checkout. Stops only what it started (by data directory and pidfile).
#   scripts/services.sh start|stop|status|env|drop-test-databases
# The app's database is `mirror` and its Redis database 0 unless MIRROR_DATABASE and
# MIRROR_REDIS_DB say otherwise (`make sandbox` keeps its own: `mirror_sandbox`, 1).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
run_dir=${MIRROR_RUN_DIR:-$repo/.run}
pg_port=${MIRROR_PG_PORT:-54329}
redis_port=${MIRROR_REDIS_PORT:-63799}
database=${MIRROR_DATABASE:-mirror}
redis_db=${MIRROR_REDIS_DB:-0}
[[ $database =~ ^[a-z_][a-z0-9_]{0,62}$ ]] || { echo "MIRROR_DATABASE must be a plain lower-case name" >&2; exit 2; }
[[ $redis_db =~ ^[0-9]+$ ]] && [ "$redis_db" -lt 1024 ] || { echo "MIRROR_REDIS_DB must be 0-1023" >&2; exit 2; }
pg_data=$run_dir/pg
redis_pid=$run_dir/redis.pid

pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$dir" ] || { echo "PostgreSQL server not installed (apt-get install postgresql)" >&2; exit 1; }
  echo "$dir"
}

# Postgres refuses to run as root: run its tools as the `postgres` user then.
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_running() { [ -d "$pg_data" ] && as_pg "$(pg_bin)/pg_ctl" status -D "$pg_data" >/dev/null 2>&1; }

redis_running() {
  [ -f "$redis_pid" ] && kill -0 "$(cat "$redis_pid")" 2>/dev/null &&
    grep -q redis-server "/proc/$(cat "$redis_pid")/cmdline" 2>/dev/null
}

start_pg() {
  if pg_running; then return; fi
  local bin; bin=$(pg_bin)
  mkdir -p "$run_dir"
  if [ ! -s "$pg_data/PG_VERSION" ]; then
    mkdir -p "$pg_data"
    [ "$(id -u)" = 0 ] && chown postgres: "$pg_data"
    as_pg "$bin/initdb" -D "$pg_data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$run_dir/initdb.log"
  fi
  [ "$(id -u)" = 0 ] && chown postgres: "$run_dir" 2>/dev/null || true
  as_pg "$bin/pg_ctl" start -w -D "$pg_data" -l "$pg_data/server.log" \
    -o "-p $pg_port -c listen_addresses=127.0.0.1 -k $pg_data -c max_connections=400 -c fsync=off -c synchronous_commit=off" >/dev/null
}

# The role and the app's database, on a server started now or earlier.
ensure_database() {
  psql -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -qAt -v ON_ERROR_STOP=1 <<'SQL' >/dev/null
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'mirror') THEN
    CREATE ROLE mirror LOGIN SUPERUSER PASSWORD 'mirror';
  END IF;
END $$;
SQL
  if ! psql -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -qAt -c "SELECT 1 FROM pg_database WHERE datname = '$database'" | grep -q 1; then
    psql -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -q -c "CREATE DATABASE $database OWNER mirror"
  fi
}

start_redis() {
  if redis_running; then return; fi
  mkdir -p "$run_dir"
  redis-server --port "$redis_port" --bind 127.0.0.1 --daemonize yes --pidfile "$redis_pid" \
    --dir "$run_dir" --logfile "$run_dir/redis.log" --save '' --appendonly no --databases 1024
  for _ in $(seq 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && return; sleep 0.1; done
  echo "redis-server did not start; see $run_dir/redis.log" >&2; exit 1
}

stop_pg() { if pg_running; then as_pg "$(pg_bin)/pg_ctl" stop -D "$pg_data" -m fast >/dev/null; fi; }

stop_redis() {
  if redis_running; then
    local pid; pid=$(cat "$redis_pid")
    kill "$pid"
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -f "$redis_pid"
}

# Test suites make a database per test (names mirror_test_<pid>_<n>, mirror_host_<pid>_<n>) and
# keep them for inspection; a few hundred per run add up to gigabytes over runs. Drops those whose
# test process has ended.
drop_test_databases() {
  local psql_admin=(psql -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -qAt -v ON_ERROR_STOP=1)
  local db pid
  for db in $("${psql_admin[@]}" -c "SELECT datname FROM pg_database WHERE datname ~ '^mirror_(test|host)_[0-9]+_[0-9]+$'"); do
    pid=${db#mirror_*_}; pid=${pid%_*}
    if ! kill -0 "$pid" 2>/dev/null; then
      "${psql_admin[@]}" -c "DROP DATABASE \"$db\" WITH (FORCE)"
    fi
  done
}

print_env() {
  echo "export MIRROR_TEST_PG_URL='postgres://mirror:mirror@127.0.0.1:$pg_port/postgres?sslmode=disable'"
  echo "export MIRROR_TEST_REDIS_URL='redis://127.0.0.1:$redis_port'"
  echo "export SPIN_VARIABLE_DATABASE_URL='postgres://mirror:mirror@127.0.0.1:$pg_port/$database?sslmode=disable'"
  echo "export SPIN_VARIABLE_POSTGRES_HOST='postgres://127.0.0.1:$pg_port'"
  echo "export SPIN_VARIABLE_REDIS_URL='redis://127.0.0.1:$redis_port/$redis_db'"
  echo "export SPIN_VARIABLE_REDIS_HOST='redis://127.0.0.1:$redis_port'"
}

case "${1:-}" in
  start) start_pg; ensure_database; start_redis; echo "postgres :$pg_port and redis :$redis_port running (data in $run_dir)" >&2 ;;
  stop) stop_redis; stop_pg ;;
  status)
    pg_running && echo "postgres: running on $pg_port" || echo "postgres: stopped"
    redis_running && echo "redis: running on $redis_port" || echo "redis: stopped" ;;
  env) print_env ;;
  drop-test-databases) drop_test_databases ;;
  *) echo "usage: $0 start|stop|status|env|drop-test-databases" >&2; exit 2 ;;
esac
