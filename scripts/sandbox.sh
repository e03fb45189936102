#!/usr/bin/env bash
# `make sandbox`: the app exactly as `make run` serves it, against local stand-ins — the fake
# Polymarket (tests/fakes, as a process: one seeded market, 1,000 pUSD for every address) and
# a local chain (anvil, chain id 137, 1-second blocks) with the relayer's development key funded
# on it — with the signer on its local backend, so a copy happens end to end with
# no network. Its own database (mirror_sandbox) and Redis database (1): nothing it does (a LIVE
# exec_mode, say) reaches `make run`'s. README "First requests" walks through it.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

scripts/install-deps.sh
# MIRROR_SANDBOX_BIN: a build already made (the sandbox's own test passes the one `make test` built).
fakes=${MIRROR_SANDBOX_BIN:-target/debug/mirror-sandbox}
[ -n "${MIRROR_SANDBOX_BIN:-}" ] || cargo build --locked -p mirror-fakes --bin mirror-sandbox
mkdir -p .run
env_file=.run/sandbox.env
rm -f "$env_file"
"$fakes" "$env_file" &
fakes_pid=$!
trap 'kill "$fakes_pid" 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -s "$env_file" ] && break; sleep 0.1; done
[ -s "$env_file" ] || { echo "sandbox.sh: the fakes did not start" >&2; exit 1; }
# shellcheck disable=SC1090
source "$env_file"

export MIRROR_DATABASE=${MIRROR_DATABASE:-mirror_sandbox} MIRROR_REDIS_DB=${MIRROR_REDIS_DB:-1}
export SIGNER_BACKEND=local
scripts/run.sh
