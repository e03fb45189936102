#!/usr/bin/env bash
# Builds every component of spin.toml for wasm32-wasip2 (what `spin build` runs, in one cargo
# invocation), the signer (its own workspace: its alloy 0.8 cannot share a lock file with the
# components' alloy 1.x) and, unless --components-only, the test host binary for `make run`.
set -euo pipefail
cd "$(dirname "$0")/.."
packages=$(sed -n 's/^command = "cargo build --target wasm32-wasip2 --profile component -p \(.*\)"$/-p \1/p' spin.toml | sort -u)
# shellcheck disable=SC2086
cargo build --target wasm32-wasip2 --profile component $packages
cargo build --release --manifest-path signer/Cargo.toml --bin mirror-signer
if [ "${1:-}" != "--components-only" ]; then
  cargo build --release -p mirror-test-host --bin mirror-host
fi
