#!/usr/bin/env bash
# `npm test`: sets up a fresh machine (scripts/setup.sh) and runs every suite: the type check,
# the sidecar's Rust tests (real binary over stdio, fake providers), the real-server suite (the
# sidecar against llama.cpp's server, on its own), the host and webview unit
# tests and the webview's browser tests (vitest, Debian Chromium), and the end-to-end suite in a
# real VS Code (code-server) with the packaged VSIX. Runs every suite even when one fails, then
# prints the totals and exits non-zero if anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh || { echo "setup failed" >&2; exit 1; }
bash scripts/install-code-server.sh || { echo "code-server install failed" >&2; exit 1; }

logs=".tools/test-logs"
mkdir -p "$logs"
failed_suites=()
run_suite() {
  local name="$1"; shift
  echo
  echo "=== $name: $*"
  if "$@" 2>&1 | tee "$logs/$name.log"; then
    echo "=== $name: ok"
  else
    echo "=== $name: FAILED"
    failed_suites+=("$name")
  fi
}

run_suite typecheck npx tsc -p . --noEmit
# The real-server suite runs alone: its model server keeps a core busy for minutes, which would
# make the timing checks of the other sidecar tests (a stop within 200 ms) flaky beside it.
run_suite sidecar cargo test --manifest-path sidecar/Cargo.toml -- --skip real_server
run_suite real-llm cargo test --manifest-path sidecar/Cargo.toml --test integration real_server
run_suite vitest npx vitest run
run_suite package bash scripts/package.sh
run_suite e2e node test/e2e/run.mjs

# Totals across runners: cargo's "test result:" lines, vitest's "Tests" line, the e2e summary.
passed=0; failed=0
while read -r p f; do passed=$((passed + p)); failed=$((failed + f)); done < <(
  grep -hoE 'test result: [a-zA-Z]+\. [0-9]+ passed; [0-9]+ failed' "$logs/sidecar.log" "$logs/real-llm.log" 2>/dev/null |
    sed -E 's/.* ([0-9]+) passed; ([0-9]+) failed/\1 \2/'
  sed -E 's/\x1b\[[0-9;]*m//g' "$logs/vitest.log" 2>/dev/null | grep -E '^\s*Tests\s' |
    awk '{p=0;f=0; for(i=1;i<=NF;i++){ if($(i+1) ~ /^passed/) p=$i; if($(i+1) ~ /^failed/) f=$i } print p, f}'
  grep -hoE '^e2e: [0-9]+ passed, [0-9]+ failed' "$logs/e2e.log" 2>/dev/null |
    sed -E 's/e2e: ([0-9]+) passed, ([0-9]+) failed/\1 \2/'
)
echo
if [ ${#failed_suites[@]} -gt 0 ]; then
  echo "Failed suites: ${failed_suites[*]}"
  failed=$((failed > 0 ? failed : ${#failed_suites[@]}))
fi
echo "total: $passed passed, $failed failed"
[ ${#failed_suites[@]} -eq 0 ]
