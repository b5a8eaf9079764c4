// Runs the benchmarks: `npm run bench` runs them all, `node bench/run.mjs relay stream …` some.
// `real-llm` runs only when named (`npm run bench:real-llm`): it needs the llama.cpp server that
// scripts/setup-real-llm.sh builds.
// Builds first (the release sidecar, the production bundles), bundles each bench/<name>/main.ts
// with esbuild (they import the host's real relay and supervisor) and runs it in a process of its
// own, so one bench's heap and JIT state do not colour the next. Each prints its figures as it
// goes and a table of figure, value, target and verdict; this script prints every table again at
// the end and exits non-zero when any target is missed or a bench fails to finish.
import { build } from 'esbuild';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = resolve(import.meta.dirname, '..');
const results = join(root, 'bench/results');
const ALL = ['relay', 'stream', 'webview', 'render', 'startup', 'scaffold', 'inline', 'checkpoint'];
/** Benchmarks that run only when named. */
const ON_REQUEST = ['real-llm'];
/** A bench that runs longer than this is stopped and counted as failed. */
const BENCH_DEADLINE_MS = 12 * 60_000;

if (process.argv[2] === '--child') {
  await runChild(process.argv[3]);
} else {
  await runAll(process.argv.slice(2));
}

async function runAll(requested) {
  const unknown = requested.filter((name) => !ALL.includes(name) && !ON_REQUEST.includes(name));
  if (unknown.length > 0) {
    console.error(`unknown bench ${unknown.join(', ')}; choose from ${[...ALL, ...ON_REQUEST].join(', ')}`);
    process.exit(2);
  }
  const names = requested.length > 0 ? requested : ALL;
  const started = Date.now();
  mkdirSync(results, { recursive: true });
  console.log('Building the release sidecar and the production bundles…');
  execFileSync('cargo', ['build', '--release', '--quiet', '--manifest-path', join(root, 'sidecar/Cargo.toml')], { stdio: 'inherit' });
  // BENCH_PROFILE=1 (profiles of the page) wants readable names: the development build.
  const production = process.env.BENCH_PROFILE === '1' ? [] : ['--production'];
  execFileSync(process.execPath, ['esbuild.mjs', ...production], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  // bench/startup and bench/inline run a real VS Code; the install is skipped when it is already there.
  if (names.includes('startup') || names.includes('inline')) execFileSync('bash', [join(root, 'scripts/install-code-server.sh')], { stdio: 'inherit' });
  for (const name of names) await bundle(name);

  const reports = [];
  for (const name of names) {
    console.log(`\n## bench/${name}`);
    reports.push(await runInChild(name));
  }

  const { table } = await import(pathToFileURL(join(results, 'report-lib.mjs')).href);
  console.log(`\n## Summary (${((Date.now() - started) / 60_000).toFixed(1)} min)`);
  let met = 0;
  let missed = 0;
  let info = 0;
  for (const report of reports) {
    console.log(`\nbench/${report.bench}`);
    console.log(table(report));
    for (const row of report.rows) {
      if (row.verdict === 'met') met += 1;
      else if (row.verdict === 'missed') missed += 1;
      else info += 1;
    }
  }
  console.log(`\nbench: ${met} met, ${missed} missed, ${info} for information`);
  process.exitCode = missed > 0 ? 1 : 0;
}

/** Bundles bench/<name>/main.ts (and the report helpers, for this script's summary). */
async function bundle(name) {
  const options = {
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
    // Playwright and esbuild find their own files relative to their packages: left in node_modules.
    external: ['playwright-core', 'esbuild'],
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
  };
  await build({ ...options, entryPoints: [join(root, `bench/${name}/main.ts`)], outfile: join(results, `${name}.mjs`) });
  await build({ ...options, entryPoints: [join(root, 'bench/lib/report.ts')], outfile: join(results, 'report-lib.mjs') });
}

/** Runs one bench in its own process; a crash or overrun becomes a missed row. */
function runInChild(name) {
  const output = join(results, `${name}.json`);
  rmSync(output, { force: true });
  return new Promise((resolveReport) => {
    const child = spawn(process.execPath, [join(root, 'bench/run.mjs'), '--child', name], { stdio: 'inherit', detached: true });
    // Its own process group, so everything it started can be ended with it; Ctrl-C ends it too.
    const interrupt = () => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      process.exit(130);
    };
    process.once('SIGINT', interrupt);
    const timer = setTimeout(() => {
      console.error(`bench/${name} ran past ${BENCH_DEADLINE_MS / 60_000} min; stopping it`);
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, BENCH_DEADLINE_MS);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      process.off('SIGINT', interrupt);
      // Whatever the bench left running in its process group (browsers, servers) ends with it.
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // nothing left
      }
      if (existsSync(output)) {
        resolveReport(JSON.parse(readFileSync(output, 'utf8')));
        return;
      }
      const how = signal ? `signal ${signal}` : `exit code ${code}`;
      resolveReport({ bench: name, lines: [], rows: [{ figure: `bench/${name} ran to the end`, value: 0, unit: 'check', target: { op: '>=', limit: 1 }, verdict: 'missed', note: `it stopped with ${how} before reporting (see its output above)` }] });
    });
  });
}

async function runChild(name) {
  const { main } = await import(pathToFileURL(join(results, `${name}.mjs`)).href);
  const { table } = await import(pathToFileURL(join(results, 'report-lib.mjs')).href);
  const report = await main(root);
  console.log(`\n${table(report)}`);
  writeFileSync(join(results, `${name}.json`), `${JSON.stringify(report, null, 2)}\n`);
  // Handles a bench forgot (a keep-alive socket, a timer) must not hold the process.
  process.exit(0);
}
