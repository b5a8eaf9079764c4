// bench/scaffold: how fast a new react-shadcn project is on disk, and built, through the product's
// real path (the release sidecar's scaffold_project under the host's supervisor and relay, then
// the project's `npm run build`), beside the usual CLI path on the same machine with the same
// warm npm cache: `npm create vite` (React + TypeScript), `npm install`, then Tailwind
// (`npm install tailwindcss @tailwindcss/vite`, its plugin and import), then `npm run build`.
// Both paths run once untimed first so the cache holds everything either needs.
// Targets, gated on the worst run: files on disk < 300 ms; the whole path to a built project ≥ 2×
// faster than the CLI path (the least of the per-round ratios, each round running both paths back
// to back). Prints where the time went.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChannelEnvelope } from '../../src/protocol/webviewMessages';
import { startPipeline, type Pipeline } from '../lib/pipeline';
import { format, Report } from '../lib/report';
import { least, median, nowMs, percentile, worst } from '../lib/stats';

const FILE_RUNS = 15;
const BUILD_RUNS = 3;
const FILES_TARGET_MS = 300;
const SPEEDUP_TARGET = 2;

interface Timed {
  /** Stage name → milliseconds, in order. */
  stages: Array<[string, number]>;
  total: number;
  /** How many packages the project ended up with (from npm's node_modules/.package-lock.json). */
  packages: number;
  /** The size of node_modules in MB. */
  megabytes: number;
}

/** What an install put on disk: packages (npm's own record) and megabytes. */
function installed(project: string): { packages: number; megabytes: number } {
  const lock = JSON.parse(readFileSync(join(project, 'node_modules/.package-lock.json'), 'utf8')) as { packages: Record<string, unknown> };
  let bytes = 0;
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) bytes += statSync(path).size;
    }
  };
  walk(join(project, 'node_modules'));
  return { packages: Object.keys(lock.packages).length, megabytes: bytes / 1024 / 1024 };
}

/** Runs `command args` in `cwd`; rejects with its output when it fails. */
function run(command: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_yes: 'true' } });
    let output = '';
    child.stdout.on('data', (data) => (output += data));
    child.stderr.on('data', (data) => (output += data));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} failed (${code}) in ${cwd}:\n${output.slice(-3000)}`))));
  });
}

async function stage(stages: Array<[string, number]>, name: string, work: () => Promise<unknown>): Promise<void> {
  const started = nowMs();
  await work();
  stages.push([name, nowMs() - started]);
}

/** scaffold_project through the host's relay; resolves when its response (after Done) arrives. */
async function scaffold(pipeline: Pipeline, parentDir: string, name: string, install: boolean): Promise<void> {
  let failure: string | undefined;
  const channel = pipeline.openChannel((envelope: ChannelEnvelope) => {
    const message = envelope.message as { event: string; data: { message?: string } };
    if (message.event === 'Error') failure = message.data.message;
  });
  try {
    await pipeline.supervisor.request('scaffold_project', { template: 'react-shadcn', name, parentDir, packageManager: 'npm', install, onEvent: channel });
  } catch (error) {
    throw new Error(`scaffold_project failed: ${failure ?? (error as Error).message}`);
  }
}

/** The product: files, install (in scaffold_project), production build. */
async function productPath(pipeline: Pipeline, base: string, n: number): Promise<Timed> {
  const parent = mkdtempSync(join(base, `product-${n}-`));
  const stages: Array<[string, number]> = [];
  const started = nowMs();
  await stage(stages, 'files (scaffold_project, install: false)', () => scaffold(pipeline, parent, 'app', false));
  rmSync(join(parent, 'app'), { recursive: true, force: true });
  const withInstall = nowMs();
  await scaffold(pipeline, parent, 'app', true);
  stages.push(['files + npm install (scaffold_project)', nowMs() - withInstall]);
  await stage(stages, 'npm run build', () => run('npm', ['run', 'build'], join(parent, 'app')));
  // The files-only stage is measured apart from the whole path, which starts at the second call.
  const total = nowMs() - started - stages[0][1];
  return { stages, total, ...installed(join(parent, 'app')) };
}

/** What a developer types: create-vite, install, add Tailwind by hand, build. */
async function cliPath(base: string, n: number): Promise<Timed> {
  const parent = mkdtempSync(join(base, `cli-${n}-`));
  const app = join(parent, 'app');
  const stages: Array<[string, number]> = [];
  const started = nowMs();
  await stage(stages, 'npm create vite (react-ts)', () => run('npm', ['create', '--yes', 'vite@latest', 'app', '--', '--template', 'react-ts', '--no-interactive'], parent));
  await stage(stages, 'npm install', () => run('npm', ['install'], app));
  await stage(stages, 'npm install tailwindcss @tailwindcss/vite', () => run('npm', ['install', 'tailwindcss', '@tailwindcss/vite'], app));
  await stage(stages, 'Tailwind plugin and import (edits)', async () => {
    const config = join(app, 'vite.config.ts');
    writeFileSync(
      config,
      readFileSync(config, 'utf8')
        .replace("import { defineConfig } from 'vite'", "import { defineConfig } from 'vite'\nimport tailwindcss from '@tailwindcss/vite'")
        .replace('plugins: [react()]', 'plugins: [react(), tailwindcss()]'),
    );
    writeFileSync(join(app, 'src/index.css'), `@import "tailwindcss";\n${readFileSync(join(app, 'src/index.css'), 'utf8')}`);
  });
  await stage(stages, 'npm run build', () => run('npm', ['run', 'build'], app));
  return { stages, total: nowMs() - started, ...installed(app) };
}

function seconds(ms: number): string {
  return `${format(ms / 1000, 1)} s`;
}

function stageMedians(runs: Timed[]): Array<[string, number]> {
  return runs[0].stages.map(([name], i) => [name, median(runs.map((run) => run.stages[i][1]))]);
}

/** The 1-minute load average, to read the figures against (the machine may be shared). */
function load(): string {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
  } catch {
    return 'unknown';
  }
}

export async function main(root: string): Promise<Report> {
  const report = new Report('scaffold');
  const loadAtStart = load();
  const base = mkdtempSync(join(tmpdir(), 'prototyper-bench-scaffold-'));
  const pipeline = await startPipeline(root);
  try {
    report.log('Warming the npm cache for both paths (untimed)…');
    await productPath(pipeline, base, 0);
    await cliPath(base, 0);

    const files: number[] = [];
    for (let n = 0; n < FILE_RUNS; n++) {
      const parent = mkdtempSync(join(base, `files-${n}-`));
      const started = nowMs();
      await scaffold(pipeline, parent, 'app', false);
      files.push(nowMs() - started);
    }
    const product: Timed[] = [];
    const cli: Timed[] = [];
    for (let n = 1; n <= BUILD_RUNS; n++) {
      // Alternated, so a busy moment on the shared machine hits both paths alike.
      product.push(await productPath(pipeline, base, n));
      cli.push(await cliPath(base, n));
      report.log(`run ${n}: product ${seconds(product[n - 1].total)}, CLI path ${seconds(cli[n - 1].total)}`);
    }

    report.gate(`files on disk, react-shadcn (worst of ${FILE_RUNS})`, worst(files), 'ms', '<', FILES_TARGET_MS, `median ${format(median(files))} ms, p90 ${format(percentile(files, 90))} ms`);
    report.info(`whole path to a built project, product (median of ${BUILD_RUNS})`, median(product.map((run) => run.total)) / 1000, 's');
    report.info(`whole path to a built project, CLI path (median of ${BUILD_RUNS})`, median(cli.map((run) => run.total)) / 1000, 's');
    const ratios = product.map((run, i) => cli[i].total / run.total);
    const productInstall = product[0];
    report.gate(
      `CLI path ÷ product, whole path (least of ${BUILD_RUNS} rounds)`,
      least(ratios),
      '×',
      '>=',
      SPEEDUP_TARGET,
      `the product installs ${productInstall.packages} packages (${format(productInstall.megabytes)} MB), the CLI path ${cli[0].packages} (${format(cli[0].megabytes)} MB); stages below`,
    );
    report.log('Where the time went (medians):');
    for (const [label, runs] of [['product', product], ['CLI path', cli]] as const) {
      report.log(`  ${label} (installs ${runs[0].packages} packages, ${format(runs[0].megabytes)} MB of node_modules):`);
      for (const [name, ms] of stageMedians(runs)) report.log(`    ${name.padEnd(48)} ${seconds(ms)}`);
    }
    report.log("  (the product's whole path is its scaffold_project with install, then its build; the files-only call is shown apart.)");
    report.log(`Load average (1 min): ${loadAtStart} at the start, ${load()} at the end.`);
    return report;
  } finally {
    await pipeline.stop();
    rmSync(base, { recursive: true, force: true });
  }
}
