#!/usr/bin/env bash
# `make lint` (and CI, before the suites): formatting and lints, failing on the first finding.
# rustfmt and clippy (-D warnings) for the workspace, the signer (its own workspace) and the test
# host's guest fixtures (formatting only: test guests); forge fmt for the contracts.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

scripts/install-deps.sh
rustup component list --installed | grep -q '^rustfmt' || rustup component add rustfmt
rustup component list --installed | grep -q '^clippy' || rustup component add clippy

echo "== lint: cargo fmt --check" >&2
cargo fmt --all --check
cargo fmt --all --check --manifest-path signer/Cargo.toml
cargo fmt --all --check --manifest-path tests/host/fixtures/Cargo.toml
echo "== lint: forge fmt --check" >&2
(cd contracts && ../tools/node_modules/.mirror-bin/forge fmt --check)
echo "== lint: cargo clippy -D warnings" >&2
cargo clippy --locked --workspace --all-targets -- -D warnings
cargo clippy --locked --manifest-path signer/Cargo.toml --all-targets -- -D warnings
