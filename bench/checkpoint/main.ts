// bench/checkpoint: runs the Rust benchmark sidecar/benches/checkpoint.rs (optimized build), which
// generates workspaces of 1,000 and 10,000 files and measures what a checkpoint of a turn that
// changes 3 files and its restore cost, and reports its figures side by side against the target
// (≤ 100 ms each after the first checkpoint, whatever the workspace's size).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Report } from '../lib/report';

const TARGET_MS = 100;
const SIZES = ['1,000 files', '10,000 files'];

/** The figures with a target, by the label the Rust benchmark prints. */
const GATED = ['checkpoint of a bash turn', 'checkpoint of a write_file turn', "restore of the turn's 3 files"];

export async function main(root: string): Promise<Report> {
  const report = new Report('checkpoint');
  const run = spawnSync('cargo', ['bench', '--quiet', '--manifest-path', join(root, 'sidecar/Cargo.toml'), '--bench', 'checkpoint'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 16 * 1024 * 1024,
  });
  const output = run.stdout ?? '';
  for (const line of output.split('\n')) if (line.trim()) report.log(line);
  if (run.status !== 0) {
    report.check('the checkpoint benchmark ran to the end', false, `cargo bench exited with ${run.status ?? run.signal}`);
    return report;
  }
  const figures = (label: string): number[] => {
    const line = output.split('\n').find((l) => l.startsWith(label));
    if (!line) return [NaN, NaN];
    const values = [...line.matchAll(/([\d.]+) ms/g)].map((m) => Number(m[1]));
    return [values[0] ?? NaN, values[1] ?? NaN];
  };
  figures('first checkpoint').forEach((value, i) => report.info(`first checkpoint (stores every file once), ${SIZES[i]}`, value, 'ms'));
  for (const label of GATED) {
    figures(label).forEach((value, i) => report.gate(`${label}, ${SIZES[i]}`, value, 'ms', '<=', TARGET_MS, 'median of the turns after the first'));
  }
  return report;
}
