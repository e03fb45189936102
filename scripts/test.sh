#!/usr/bin/env bash
# `make test`: every suite — core unit tests, the test host's own suite, end-to-end suites on
# the real .wasm components, and the contracts.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

scripts/install-deps.sh
scripts/services.sh start
scripts/services.sh drop-test-databases
eval "$(scripts/services.sh env)"
scripts/build.sh --components-only

# Builds the host binary too (the end-to-end suites also run it as a process).
cargo test -p mirror-core -p mirror-fakes -p mirror-test-host -p mirror-e2e
cargo test --manifest-path signer/Cargo.toml
if [ -x scripts/test-contracts.sh ]; then
  scripts/test-contracts.sh
fi
