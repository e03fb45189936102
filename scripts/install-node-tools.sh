#!/usr/bin/env bash
# Installs the Node-distributed tools the contracts need, pinned in tools/package-lock.json:
# Foundry's forge, anvil and cast (npm @foundry-rs/*), solcjs behind tools/bin/solc, and the
# Safe 1.4.1 artifacts the module's tests deploy. Idempotent: npm runs only when node_modules is
# missing or older than package.json / the lockfile. Needs node >= 20 and npm.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools_dir="$repo_root/tools"
stamp="$tools_dir/node_modules/.mirror-installed"

command -v node >/dev/null || { echo "install-node-tools: node is not installed" >&2; exit 1; }
command -v npm >/dev/null || { echo "install-node-tools: npm is not installed" >&2; exit 1; }

if [[ -f "$stamp" && "$stamp" -nt "$tools_dir/package-lock.json" && "$stamp" -nt "$tools_dir/package.json" \
      && -x "$tools_dir/node_modules/.bin/forge" ]]; then
  echo "install-node-tools: tools/node_modules is up to date"
else
  echo "install-node-tools: installing tools/ from its lockfile"
  # Not `npm ci`: @foundry-rs/* list platform packages that were never published (e.g.
  # forge-darwin-amd64@1.7.1), so the lockfile cannot hold them and `npm ci` rejects it as out
  # of sync. `npm install --no-save` installs exactly the locked versions and writes nothing;
  # `npm ls` below fails if anything differs from package.json.
  # --ignore-scripts: Foundry's postinstall would only re-fetch the platform binary that npm
  # already installed as an optional dependency; skipping it keeps the install registry-only.
  (cd "$tools_dir" && npm install --no-save --ignore-scripts --no-audit --no-fund)
  (cd "$tools_dir" && npm ls --depth=0 >/dev/null)
  touch "$stamp"
fi

chmod +x "$tools_dir/bin/solc"

bin="$tools_dir/node_modules/.bin"
for tool in forge anvil cast; do
  "$bin/$tool" --version >/dev/null || { echo "install-node-tools: $tool does not run" >&2; exit 1; }
done
echo "forge: $bin/forge ($("$bin/forge" --version | head -n1))"
echo "anvil: $bin/anvil"
echo "cast:  $bin/cast"
echo "solc:  $tools_dir/bin/solc ($("$tools_dir/bin/solc" --version | tail -n1))"
echo "safe artifacts: $tools_dir/node_modules/@safe-global/safe-contracts/build/artifacts"
