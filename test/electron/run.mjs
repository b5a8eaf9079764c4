// Runs the extension-host integration suite in a real VS Code (@vscode/test-electron): bundles
// test/electron/suite/index.ts, makes a scratch workspace, and launches VS Code on it with only
// this extension. `npm run test:electron` (needs to download VS Code once; not possible offline).
import { runTests } from '@vscode/test-electron';
import * as esbuild from 'esbuild';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const outfile = path.join(root, 'out', 'electron-tests', 'index.js');

await esbuild.build({
  entryPoints: [path.join(root, 'test/electron/suite/index.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['vscode'],
  sourcemap: 'inline',
  logLevel: 'warning',
});

const workspace = mkdtempSync(path.join(tmpdir(), 'prototyper-electron-ws-'));
mkdirSync(path.join(workspace, 'src'));
writeFileSync(path.join(workspace, 'src', 'greeting.ts'), 'export const greeting = "hello";\n');
writeFileSync(path.join(workspace, 'README.md'), '# scratch workspace\n');
const userData = mkdtempSync(path.join(tmpdir(), 'prototyper-electron-user-'));

try {
  await runTests({
    version: process.env.VSCODE_TEST_VERSION ?? '1.100.3',
    extensionDevelopmentPath: root,
    extensionTestsPath: outfile,
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', `--user-data-dir=${userData}`],
    extensionTestsEnv: { PROTOTYPER_TEST_WORKSPACE: workspace },
  });
} catch (error) {
  console.error(`test:electron failed: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
}
