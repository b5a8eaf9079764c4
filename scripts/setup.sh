#!/usr/bin/env bash
# Installs and builds what the product and its tests need on a fresh Debian machine: Debian
# packages (Chromium for the browser tests, ripgrep and libkrb5-dev for code-server, cmake and a
# Python venv for the real model server), the npm dependencies, the release sidecar, the extension
# bundles and the real-server suite's llama.cpp server (scripts/setup-real-llm.sh, cached outside
# the clone). Safe to run again: each step is skipped when its result is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v rg >/dev/null 2>&1 || missing+=(ripgrep)
dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
command -v make >/dev/null 2>&1 || missing+=(build-essential)
command -v cmake >/dev/null 2>&1 || missing+=(cmake)
python3 -c 'import ensurepip' >/dev/null 2>&1 || missing+=(python3-venv)
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing Debian packages: ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "Rust's cargo is not on PATH. Install Rust (https://rustup.rs), then run this again." >&2
  exit 1
fi

# npm ci only when the lockfile changed since the last install.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

echo "Building the sidecar (release)…"
cargo build --release --quiet --manifest-path sidecar/Cargo.toml
echo "Building the extension…"
node esbuild.mjs --production

# The real-server suite's model server. A machine that cannot build it gets a note and the suite
# skips; a build that fails otherwise is left for the suite to report, so the other suites still run.
bash scripts/setup-real-llm.sh || echo "The real-server suite's llama.cpp server failed to build; that suite will fail (see its log)." >&2
