// Runs a benchmark: `node bench/run.mjs relay|stream|render|checkpoint|real-llm` (with no argument:
// all but real-llm, which needs the llama.cpp server scripts/setup-real-llm.sh builds).
// TypeScript benches are bundled with esbuild first (they import the host's real relay and
// supervisor); the release sidecar is built incrementally so figures are for optimized code.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = resolve(import.meta.dirname, '..');
const requested = process.argv.slice(2);
const names = requested.length > 0 ? requested : ['relay', 'stream', 'render', 'checkpoint'];

for (const name of names) {
  console.log(`\n## bench/${name}`);
  if (name === 'render' || name === 'checkpoint') {
    execFileSync(process.execPath, [join(root, `bench/${name}/run.mjs`)], { stdio: 'inherit' });
    continue;
  }
  execFileSync('cargo', ['build', '--release', '--quiet', '--manifest-path', join(root, 'sidecar/Cargo.toml')], { stdio: 'inherit' });
  const outdir = join(root, 'bench/results');
  mkdirSync(outdir, { recursive: true });
  const outfile = join(outdir, `${name}.mjs`);
  await build({
    entryPoints: [join(root, `bench/${name}/main.ts`)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
  });
  const bench = await import(pathToFileURL(outfile).href);
  await bench.main(root);
}
