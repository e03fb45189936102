#!/usr/bin/env bash
# Installs what a fresh Debian machine lacks to build, run and test Mirror. Idempotent.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || missing+=(postgresql)
command -v psql >/dev/null 2>&1 || missing+=(postgresql-client)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v node >/dev/null 2>&1 || missing+=(nodejs npm)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]}" >&2
  as_root apt-get update -q
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q "${missing[@]}"
fi
# Debian's postgresql package starts a cluster on 5432; ours runs beside it on its own port.

rustup target list --installed | grep -qx wasm32-wasip2 || rustup target add wasm32-wasip2

if [ -x "$repo/scripts/install-node-tools.sh" ]; then
  "$repo/scripts/install-node-tools.sh"
fi
