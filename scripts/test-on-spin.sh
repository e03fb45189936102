#!/usr/bin/env bash
# The end-to-end suites on the real Spin CLI, run by scripts/test.sh after the host pass (the
# components and test binaries are built by then):
#  1. `spin build` reproduces the components scripts/build.sh built, byte for byte, so what the
#     suites test is what `spin build` makes;
#  2. every end-to-end suite under `spin up` serving spin.toml without its cron trigger, ticks
#     asked for with POST /internal/workers/<name> (MIRROR_E2E_ON=spin), except the tests in
#     tests/e2e/host-only-tests.txt;
#  3. spin_cron: spin.toml as shipped, the workers fired by the cron plugin (MIRROR_E2E_ON=spin-cron),
#     beside step 2 (it mostly waits for the schedule).
# Usage: scripts/test-on-spin.sh PATH_TO_SPIN [-p PACKAGE ...]
#   (Postgres, Redis and MIRROR_TEST_* as for make test). The -p list is the host pass's: cargo
#   resolves features over the packages named, so the same list reuses that build as it is.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
spin=$1
shift
packages=("$@")
[ ${#packages[@]} -gt 0 ] || packages=(-p mirror-e2e)
export MIRROR_SPIN=$spin

components=target/wasm32-wasip2/component
before=$(sha256sum "$components"/*.wasm)
"$spin" build >/dev/null
after=$(sha256sum "$components"/*.wasm)
if [ "$before" != "$after" ]; then
  echo "test-on-spin: spin build made different components than scripts/build.sh:" >&2
  diff <(echo "$before") <(echo "$after") >&2 || true
  exit 1
fi
echo "test-on-spin: spin build reproduces all $(echo "$after" | wc -l) components byte for byte" >&2

suites=()
for suite in tests/e2e/tests/*.rs; do
  suites+=(--test "$(basename "$suite" .rs)")
done
skips=()
while read -r name; do
  skips+=(--skip "$name")
done < <(grep -v '^#' tests/e2e/host-only-tests.txt | grep -v '^$')

MIRROR_E2E_ON=spin-cron cargo test --locked "${packages[@]}" --test spin_cron -- --ignored &
cron_pid=$!
status=0
MIRROR_E2E_ON=spin cargo test --locked "${packages[@]}" "${suites[@]}" -- --exact "${skips[@]}" || status=$?
wait "$cron_pid" || status=$?
exit "$status"
