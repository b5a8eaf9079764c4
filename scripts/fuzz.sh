#!/usr/bin/env bash
# Long fuzz run of the sidecar's frame decoder and request layer under libFuzzer (cargo-fuzz).
# `npm test` runs a short deterministic round of the same body (`cargo test short_fuzz_round`);
# this is the long one: RUNS inputs (default 10,000,000), starting from the committed corpus.
# Needs a nightly toolchain (cargo-fuzz builds with sanitizer flags); installs cargo-fuzz from
# crates.io when missing. Usage: bash scripts/fuzz.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/../sidecar"
runs="${1:-10000000}"
if ! rustup toolchain list | grep -q '^nightly'; then
  echo "cargo-fuzz needs a nightly Rust toolchain: rustup toolchain install nightly" >&2
  exit 1
fi
command -v cargo-fuzz >/dev/null 2>&1 || cargo install --locked cargo-fuzz
# A scratch copy of the corpus: libFuzzer adds what it finds, and the committed seeds stay small.
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp fuzz/corpus/frames/* "$work/"
# No sanitizer: the decoder is safe Rust, so ASan adds no findings, only a 3x slowdown.
cargo +nightly fuzz run --sanitizer none --fuzz-dir fuzz frames "$work" -- -runs="$runs" -max_len=2048 -print_final_stats=1 2>&1 |
  tee /dev/stderr | grep -E 'stat::number_of_executed_units|Done [0-9]+ runs' | tail -2
