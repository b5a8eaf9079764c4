#!/usr/bin/env bash
# Packages the extension as dist/prototyper.vsix with the release sidecar inside
# (dist/bin/prototyper-sidecar). vsce runs `vscode:prepublish` (`npm run build`: the production
# bundles, the release sidecar, dist/bin) first, so this works on a clean clone too.
set -euo pipefail
cd "$(dirname "$0")/.."
npx vsce package --no-dependencies --out dist/prototyper.vsix >/dev/null
echo "Packaged dist/prototyper.vsix"
