#!/usr/bin/env bash
# Builds and tests contracts/ (Foundry, default profile: 10,000 fuzz runs per fuzz test,
# invariant campaigns per contracts/foundry.toml), fully offline, then prints the gas report of
# AutomationModule.executeFromSessionKey. Exits non-zero if the build or any test fails.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$repo_root/scripts/install-node-tools.sh" >/dev/null
forge="$repo_root/tools/node_modules/.mirror-bin/forge" # native: the npm wrapper hides failures
cd "$repo_root/contracts"

echo "== contracts: build"
"$forge" build --offline

echo "== contracts: the committed bytecode the Rust suites deploy is this build's"
for pair in MinimalDepositWallet:minimal_deposit_wallet PolymarketSafeFactory:polymarket_safe_factory \
  AutomationModule:automation_module; do
  contract="${pair%%:*}" fixture="$repo_root/tests/fakes/fixtures/${pair##*:}.hex"
  built="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["bytecode"]["object"])' \
    "out/$contract.sol/$contract.json")"
  if [[ "$built" != "$(cat "$fixture")" ]]; then
    echo "test-contracts: $fixture is stale; write the bytecode of" >&2
    echo "  contracts/out/$contract.sol/$contract.json into it" >&2
    exit 1
  fi
done

echo "== contracts: test (forge test --offline)"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
set +e
"$forge" test --offline 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

echo "== contracts: gas of executeFromSessionKey (successful executions, test/AutomationModuleGas.t.sol)"
"$forge" test --offline --gas-report --match-contract AutomationModuleGasTest 2>&1 \
  | awk '/AutomationModule Contract/ {show=1} show && /Function Name|executeFromSessionKey/ {print} show && /executeFromSessionKey/ {exit}'

# forge's own summary is "Ran N test suites ...: P tests passed, F failed, S skipped (T total
# tests)"; restate it as the plain "P passed, F failed" line CI reads.
summary="$(grep -E '^Ran [0-9]+ test suites' "$log" | tail -n1 || true)"
if [[ -n "$summary" ]]; then
  passed="$(sed -E 's/.* ([0-9]+) tests passed.*/\1/' <<<"$summary")"
  failed="$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$summary")"
  skipped="$(sed -E 's/.* ([0-9]+) skipped.*/\1/' <<<"$summary")"
  echo "contracts: $passed passed, $failed failed, $skipped skipped"
fi
exit "$status"
