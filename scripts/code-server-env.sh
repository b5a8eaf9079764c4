# Sourced by start.sh and the end-to-end suite: where code-server keeps its state for this project.
# Everything lives under .tools/ (ignored by git) so nothing touches the user's own VS Code.
PROTOTYPER_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CODE_SERVER="$PROTOTYPER_ROOT/test/e2e/vscode/node_modules/.bin/code-server"
CODE_SERVER_STATE="${CODE_SERVER_STATE:-$PROTOTYPER_ROOT/.tools/code-server}"
CODE_SERVER_EXTENSIONS="$CODE_SERVER_STATE/extensions"
CODE_SERVER_USER_DATA="$CODE_SERVER_STATE/user-data"
