#!/usr/bin/env bash
# `make run`: dependencies, Postgres and Redis, migrations, components, then the app on
# http://127.0.0.1:3000 — with `spin up` where Spin is installed, else on the test host.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

scripts/install-deps.sh
scripts/services.sh start
eval "$(scripts/services.sh env)"
scripts/build.sh

target/release/mirror-host migrate --database-url "$SPIN_VARIABLE_DATABASE_URL" --dir migrations

# The admin token is required; a local one is generated once and kept in .run/.
if [ -z "${SPIN_VARIABLE_ADMIN_TOKEN:-}" ]; then
  token_file=.run/admin-token
  [ -s "$token_file" ] || (umask 077; head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$token_file")
  SPIN_VARIABLE_ADMIN_TOKEN=$(cat "$token_file")
  export SPIN_VARIABLE_ADMIN_TOKEN
  echo "admin token: see $repo/$token_file" >&2
fi

listen=${MIRROR_LISTEN:-127.0.0.1:3000}
if command -v spin >/dev/null 2>&1; then
  exec spin up --listen "$listen"
fi
exec target/release/mirror-host up --manifest spin.toml --listen "$listen"
