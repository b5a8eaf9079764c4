#!/usr/bin/env bash
# Packages the extension as dist/prototyper.vsix with the release sidecar inside
# (dist/bin/prototyper-sidecar). Expects scripts/setup.sh to have run.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p dist/bin
install -m 0755 sidecar/target/release/prototyper-sidecar dist/bin/prototyper-sidecar
npx vsce package --no-dependencies --allow-missing-repository --skip-license --out dist/prototyper.vsix >/dev/null
echo "Packaged dist/prototyper.vsix"
