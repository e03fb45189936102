#!/usr/bin/env bash
# Builds every component of spin.toml for wasm32-wasip2 with the command `spin build` runs for
# each, in one cargo invocation: no component's dependencies differ in features (the cron world
# is a crate of its own, not a feature), so one invocation makes the same bytes as `spin build`'s
# one per component (scripts/test-on-spin.sh checks that, byte for byte). Then the signer (its own
# workspace: its alloy 0.8 cannot share a lock file with the components' alloy 1.x) and, unless
# --components-only, the test host binary for `make run`.
set -euo pipefail
cd "$(dirname "$0")/.."
packages=$(sed -n 's/^command = "cargo build --locked --target wasm32-wasip2 --profile component -p \(.*\)"$/-p \1/p' spin.toml | sort -u)
# Every component's build command must be that one shape, or this would build fewer than spin.toml has.
components=$(grep -c '^\[component\..*\.build\]$' spin.toml)
if [ "$(wc -w <<<"$packages")" != "$((2 * components))" ]; then
  echo "build.sh: a [component.*.build] command in spin.toml is not 'cargo build --locked --target wasm32-wasip2 --profile component -p <crate>'" >&2
  exit 1
fi
# shellcheck disable=SC2086
cargo build --locked --target wasm32-wasip2 --profile component $packages
cargo build --locked --release --manifest-path signer/Cargo.toml --bin mirror-signer
if [ "${1:-}" != "--components-only" ]; then
  cargo build --locked --release -p mirror-test-host --bin mirror-host
fi
