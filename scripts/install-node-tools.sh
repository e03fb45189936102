#!/usr/bin/env bash
# Installs the Node-distributed tools the contracts need, pinned in tools/package-lock.json:
# Foundry's forge, anvil and cast (npm @foundry-rs/*), solcjs behind tools/bin/solc, and the
# artifacts the module's tests deploy (Safe 1.4.1, Safe 1.3.0, Conditional Tokens). Idempotent:
# npm runs only when node_modules is missing or older than package.json / the lockfile. Needs
# node >= 20 and npm.
#
# Use the binaries this prints (tools/node_modules/.mirror-bin/*), not node_modules/.bin/*:
# npm's node wrappers for forge/anvil/cast exit 0 even when the tool fails (forge 1.7.1).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools_dir="$repo_root/tools"
stamp="$tools_dir/node_modules/.mirror-installed"

command -v node >/dev/null || { echo "install-node-tools: node is not installed" >&2; exit 1; }
command -v npm >/dev/null || { echo "install-node-tools: npm is not installed" >&2; exit 1; }

if [[ -f "$stamp" && "$stamp" -nt "$tools_dir/package-lock.json" && "$stamp" -nt "$tools_dir/package.json" \
      && -d "$tools_dir/node_modules/@foundry-rs/forge" ]]; then
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

case "$(uname -s)" in
  Linux) os=linux ;;
  Darwin) os=darwin ;;
  *) os=unsupported ;;
esac
case "$(uname -m)" in
  x86_64 | amd64) arch=amd64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) arch=unsupported ;;
esac
bin="$tools_dir/node_modules/.mirror-bin"
mkdir -p "$bin"
for tool in forge anvil cast; do
  native="$tools_dir/node_modules/@foundry-rs/$tool-$os-$arch/bin/$tool"
  [[ -x "$native" ]] || { echo "install-node-tools: no $tool binary for $os-$arch" >&2; exit 1; }
  ln -sf "$native" "$bin/$tool"
  "$bin/$tool" --version >/dev/null || { echo "install-node-tools: $tool does not run" >&2; exit 1; }
done

echo "forge: $bin/forge ($("$bin/forge" --version | head -n1))"
echo "anvil: $bin/anvil"
echo "cast:  $bin/cast"
echo "solc:  $tools_dir/bin/solc ($("$tools_dir/bin/solc" --version | tail -n1))"
echo "safe 1.4.1 artifacts: $tools_dir/node_modules/@safe-global/safe-contracts/build/artifacts"
echo "safe 1.3.0 artifacts: $tools_dir/node_modules/@gnosis.pm/safe-contracts/build/artifacts"
echo "conditional tokens:   $tools_dir/node_modules/@gnosis.pm/conditional-tokens-contracts/build/contracts"
