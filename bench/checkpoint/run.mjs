// bench/checkpoint: runs the Rust benchmark sidecar/benches/checkpoint.rs (optimized build), which
// generates workspaces of 1,000 and 10,000 files and prints what a checkpoint of a turn that
// changes 3 files and its restore cost, side by side, with the target (<= 100 ms) met or missed.
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
execFileSync('cargo', ['bench', '--quiet', '--manifest-path', join(root, 'sidecar/Cargo.toml'), '--bench', 'checkpoint'], { stdio: 'inherit' });
