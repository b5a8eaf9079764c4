// Builds the host-tests extension (test/e2e/host/) as a VSIX: the runner and the code it tests
// (src/inline/, bench/inline/host.ts) bundled with esbuild, `vscode` left to the extension host.
// Installed beside the packaged Prototyper VSIX, it runs the host tests and the inline benchmark
// inside a real VS Code extension host.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

const repoRoot = resolve(import.meta.dirname, '../../..');

/** Builds it under `outDir`; returns the VSIX's path. */
export async function buildHostExtension(outDir) {
  const stage = join(outDir, 'host-tests');
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  await build({
    entryPoints: [join(repoRoot, 'test/e2e/host/runner.ts')],
    outfile: join(stage, 'runner.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    logLevel: 'warning',
  });
  copyFileSync(join(repoRoot, 'test/e2e/host/package.json'), join(stage, 'package.json'));
  const vsix = join(outDir, 'prototyper-host-tests.vsix');
  execFileSync(join(repoRoot, 'node_modules/.bin/vsce'), ['package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--out', vsix], {
    cwd: stage,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return vsix;
}
