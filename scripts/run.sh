#!/usr/bin/env bash
# `make run`: dependencies, Postgres and Redis, migrations, components, the signer (local
# backend unless SIGNER_BACKEND says otherwise), then the app on http://127.0.0.1:3000 — with
# `spin up` where Spin is installed, else on the test host. MIRROR_HOST_BIN names a host binary
# already built (the sandbox's test passes its debug build) instead of building the release one.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

scripts/install-deps.sh
spin=$(scripts/install-spin.sh)
scripts/services.sh start
eval "$(scripts/services.sh env)"
if [ -n "${MIRROR_HOST_BIN:-}" ]; then
  scripts/build.sh --components-only
  host=$MIRROR_HOST_BIN
else
  scripts/build.sh
  host=target/release/mirror-host
fi

"$host" migrate --database-url "$SPIN_VARIABLE_DATABASE_URL" --dir migrations

# Local secrets are generated once and kept in .run/ (mode 600); set the variables to override.
secret() { # file, bytes
  [ -s ".run/$1" ] || (umask 077; head -c "$2" /dev/urandom | od -An -tx1 | tr -d ' \n' >".run/$1")
  cat ".run/$1"
}
export SPIN_VARIABLE_ADMIN_TOKEN=${SPIN_VARIABLE_ADMIN_TOKEN:-$(secret admin-token 24)}
export SPIN_VARIABLE_TRADING_KEY_ENCRYPTION_KEY=${SPIN_VARIABLE_TRADING_KEY_ENCRYPTION_KEY:-$(secret trading-key-encryption-key 32)}
export SPIN_VARIABLE_SIGNER_AUTH_TOKEN=${SPIN_VARIABLE_SIGNER_AUTH_TOKEN:-$(secret signer-token 24)}
export SPIN_VARIABLE_LEADER_WEBHOOK_SECRET=${SPIN_VARIABLE_LEADER_WEBHOOK_SECRET:-$(secret leader-webhook-secret 24)}
# End-user JWTs: a development key pair stands in for the Dynamic environment's key.
if [ -z "${SPIN_VARIABLE_DYNAMIC_JWT_PUBLIC_KEY:-}" ]; then
  [ -s .run/jwt-dev-private.pem ] || (umask 077; openssl genrsa -out .run/jwt-dev-private.pem 2048 2>/dev/null)
  openssl rsa -in .run/jwt-dev-private.pem -pubout -out .run/jwt-dev-public.pem 2>/dev/null
  SPIN_VARIABLE_DYNAMIC_JWT_PUBLIC_KEY=$(cat .run/jwt-dev-public.pem)
  export SPIN_VARIABLE_DYNAMIC_JWT_PUBLIC_KEY
  export SPIN_VARIABLE_DYNAMIC_JWT_ISSUER=${SPIN_VARIABLE_DYNAMIC_JWT_ISSUER:-app.dynamicauth.com/local-dev}
  export SPIN_VARIABLE_DYNAMIC_JWT_AUDIENCE=${SPIN_VARIABLE_DYNAMIC_JWT_AUDIENCE:-http://127.0.0.1:3000}
fi
echo "admin token in $repo/.run/admin-token; webhook secret in $repo/.run/leader-webhook-secret; dev JWT signing key in $repo/.run/jwt-dev-private.pem" >&2

# The signer: the one native process. Stopped when this script exits. Signing's health follows
# the backend it runs (signer_backend).
signer_listen=${SIGNER_LISTEN:-127.0.0.1:3100}
signer_backend=${SIGNER_BACKEND:-local}
export SPIN_VARIABLE_SIGNER_BACKEND=$signer_backend
SIGNER_AUTH_TOKEN=$SPIN_VARIABLE_SIGNER_AUTH_TOKEN SIGNER_BACKEND=$signer_backend \
  SIGNER_LOCAL_KEY=${SIGNER_LOCAL_KEY:-$(secret signer-local-key 32)} SIGNER_LISTEN=$signer_listen \
  signer/target/release/mirror-signer &
signer_pid=$!
trap 'kill "$signer_pid" 2>/dev/null || true' EXIT
export SPIN_VARIABLE_DYNAMIC_SIGNER_URL=${SPIN_VARIABLE_DYNAMIC_SIGNER_URL:-http://$signer_listen}

listen=${MIRROR_LISTEN:-127.0.0.1:3000}
if [ -n "$spin" ]; then
  # Spin 4.0.2 with a plugin trigger (cron) exits when RUST_LOG is set. Component output goes to
  # .spin/logs/.
  env -u RUST_LOG "$spin" up --listen "$listen"
else
  "$host" up --manifest spin.toml --listen "$listen"
fi
