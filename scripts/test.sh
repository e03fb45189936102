#!/usr/bin/env bash
# `make test`: every suite — core unit tests, the test host's own suite, end-to-end suites on
# the real .wasm components on the test host and, where Spin is installed (or installable from
# ../shared/tools/spin/), again under the real `spin up`, the signer and the contracts.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

scripts/install-deps.sh
spin=$(scripts/install-spin.sh)
scripts/services.sh start
scripts/services.sh drop-test-databases
eval "$(scripts/services.sh env)"
scripts/build.sh --components-only

# Builds the host binary too (the end-to-end suites also run it as a process).
packages=(-p mirror-core -p mirror-spin -p mirror-fakes -p mirror-test-host -p mirror-e2e)
cargo test --locked "${packages[@]}"
if [ -n "$spin" ]; then
  scripts/test-on-spin.sh "$spin" "${packages[@]}"
else
  echo "test.sh: Spin is not installed: the end-to-end suites ran on the test host only" >&2
fi
cargo test --locked --manifest-path signer/Cargo.toml
if [ -x scripts/test-contracts.sh ]; then
  scripts/test-contracts.sh
fi
if [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then
  echo "test.sh: the build changed tracked files:" >&2
  git status --porcelain --untracked-files=no >&2
  exit 1
fi
