#!/usr/bin/env bash
# Makes the Spin CLI and its cron trigger plugin available, if they can be had here, and says
# which Spin the suites will use. Spin is in no registry this project's machines reach: it comes
# from the tools folder beside the checkout (`../shared/tools/spin/`, builds of Spin 4.0.2 and
# trigger-cron 0.3.0 from their public sources, with an offline installer), or from MIRROR_SPIN_TOOLS,
# or is whatever `spin` is already on PATH.
# Prints the path of a usable `spin` (with the cron plugin) on stdout, or nothing; exits 0 either way.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
tools=${MIRROR_SPIN_TOOLS:-$repo/../shared/tools/spin}

if [ -x "$tools/install.sh" ]; then
  if [ "$(id -u)" = 0 ]; then bin=/usr/local/bin; else bin=$HOME/.local/bin; fi
  "$tools/install.sh" "$bin" >&2
  PATH=$bin:$PATH
fi
spin=$(command -v spin || true)
if [ -z "$spin" ]; then
  echo "install-spin: no Spin CLI (no $tools/install.sh, no spin on PATH)" >&2
  exit 0
fi
if ! "$spin" plugins list --installed 2>/dev/null | grep -q '^trigger-cron '; then
  echo "install-spin: $spin has no trigger-cron plugin, which spin.toml's [[trigger.cron]] needs" >&2
  exit 0
fi
echo "install-spin: $("$spin" --version), $("$spin" plugins list --installed | grep '^trigger-cron ')" >&2
echo "$spin"
