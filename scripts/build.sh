#!/usr/bin/env bash
# Builds every component of spin.toml for wasm32-wasip2 (what `spin build` runs, in one cargo
# invocation) and, unless --components-only, the test host and signer binaries for `make run`.
set -euo pipefail
cd "$(dirname "$0")/.."
packages=$(sed -n 's/^command = "cargo build --target wasm32-wasip2 --release -p \(.*\)"$/-p \1/p' spin.toml | sort -u)
# shellcheck disable=SC2086
cargo build --target wasm32-wasip2 --release $packages
if [ "${1:-}" != "--components-only" ]; then
  cargo build --release -p mirror-test-host --bin mirror-host -p mirror-signer --bin mirror-signer
fi
