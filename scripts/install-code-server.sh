#!/usr/bin/env bash
# Installs code-server (a real VS Code served to a browser) into test/e2e/vscode, offline-safe:
# only the npm registry and Debian's packages are reachable, so the ripgrep download that
# @vscode/ripgrep attempts is served from its cache folder, seeded with Debian's `rg`.
# Idempotent: does nothing when code-server already runs.
set -euo pipefail
cd "$(dirname "$0")/../test/e2e/vscode"

if [ -x node_modules/.bin/code-server ] && node_modules/.bin/code-server --version >/dev/null 2>&1; then
  exit 0
fi

rg_bin="$(command -v rg)"
cache_tmp="$(mktemp -d)"
cp "$rg_bin" "$cache_tmp/rg"
tar czf "$cache_tmp/rg.tgz" -C "$cache_tmp" rg
tmpdir="$(node -p 'require("os").tmpdir()')"
for version in 1.15.9 1.15.10 1.15.11 1.15.12 1.15.13 1.15.14; do
  dir="$tmpdir/vscode-ripgrep-cache-$version"
  mkdir -p "$dir"
  cp "$cache_tmp/rg.tgz" "$dir/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
done
rm -rf "$cache_tmp"

echo "Installing code-server 4.100.3 (builds native modules; takes a few minutes)…"
npm install --ignore-scripts --no-audit --no-fund --loglevel=error
# Its postinstall refuses root without unsafe-perm, and node-pty's step calls `npx node-gyp`.
npm_config_unsafe_perm=true npm_config_yes=true npm rebuild --foreground-scripts --loglevel=error >/tmp/code-server-rebuild.log 2>&1 || {
  tail -50 /tmp/code-server-rebuild.log
  echo "code-server's native build failed; see /tmp/code-server-rebuild.log" >&2
  exit 1
}
node_modules/.bin/code-server --version
