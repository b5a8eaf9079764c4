#!/usr/bin/env bash
# `npm start`: installs and builds everything, packages the VSIX, installs it into a local
# code-server and serves a real VS Code on 127.0.0.1 with a sample workspace, printing the URL.
# The chat talks to Ollama at http://localhost:11434 unless you pick another provider.
# PORT=8123 npm start serves on another port.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/install-code-server.sh
bash scripts/package.sh
source scripts/code-server-env.sh

workspace="$PROTOTYPER_ROOT/.tools/sample-workspace"
if [ ! -d "$workspace" ]; then
  mkdir -p "$workspace"
  cp -R test/e2e/sample-workspace/. "$workspace/"
fi
mkdir -p "$CODE_SERVER_EXTENSIONS" "$CODE_SERVER_USER_DATA/User"
# First run only: the sample workspace sits inside this repository, so keep VS Code from offering
# to open the repository as the workspace's git repo. The user's later changes are kept.
settings="$CODE_SERVER_USER_DATA/User/settings.json"
[ -f "$settings" ] || printf '{\n  "git.openRepositoryInParentFolders": "never"\n}\n' > "$settings"
"$CODE_SERVER" --install-extension dist/prototyper.vsix --force \
  --extensions-dir "$CODE_SERVER_EXTENSIONS" --user-data-dir "$CODE_SERVER_USER_DATA" >/dev/null

port="${PORT:-8123}"
echo
echo "Prototyper is running in VS Code at: http://127.0.0.1:$port/?folder=$workspace"
echo "Open the Prototyper view in the activity bar. Press Ctrl+C to stop."
echo
exec "$CODE_SERVER" --auth none --bind-addr "127.0.0.1:$port" --disable-telemetry \
  --disable-update-check --extensions-dir "$CODE_SERVER_EXTENSIONS" \
  --user-data-dir "$CODE_SERVER_USER_DATA" "$workspace"
