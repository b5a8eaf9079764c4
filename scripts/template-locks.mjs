// Regenerates the npm lockfiles of the project templates (sidecar/templates/<id>/package-lock.json)
// after a version in sidecar/templates/versions.json changed: the sidecar itself renders each
// template (so the package.json is exactly what users get), npm resolves it with
// --package-lock-only, and the lockfile is stored with the project name as {{name}}.
// Run: `node scripts/template-locks.mjs [template…]` (needs the npm registry; builds the sidecar).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node.js';

const root = resolve(import.meta.dirname, '..');
/** A name no template file contains, so replacing it back to {{name}} touches nothing else. */
const PLACEHOLDER_NAME = 'prototyper-template-lock';

execFileSync('cargo', ['build', '--quiet', '--manifest-path', join(root, 'sidecar/Cargo.toml')], { stdio: 'inherit' });
const work = mkdtempSync(join(tmpdir(), 'prototyper-locks-'));
const child = spawn(join(root, 'sidecar/target/debug/prototyper-sidecar'), [], { stdio: ['pipe', 'pipe', 'inherit'] });
const connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
connection.listen();

try {
  await connection.sendRequest('initialize', {
    protocolVersion: 1,
    storageDir: join(work, 'storage'),
    workspaceRoot: null,
    capabilities: { workspaceTrusted: true, allowedHosts: [], packageManager: 'npm' },
  });
  const templates = await connection.sendRequest('list_templates', {});
  const wanted = process.argv.slice(2);
  let channel = 1;
  for (const { id } of templates) {
    if (wanted.length > 0 && !wanted.includes(id)) continue;
    const parentDir = mkdtempSync(join(work, `${id}-`));
    // bun: the npm lockfile is written only for npm, so the stale one stays out of the render.
    await connection.sendRequest('scaffold_project', { template: id, name: PLACEHOLDER_NAME, parentDir, packageManager: 'bun', install: false, onEvent: channel++ });
    const project = join(parentDir, PLACEHOLDER_NAME);
    execFileSync('npm', ['install', '--package-lock-only', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: project, stdio: 'inherit' });
    const lock = readFileSync(join(project, 'package-lock.json'), 'utf8').replaceAll(`"${PLACEHOLDER_NAME}"`, '"{{name}}"');
    writeFileSync(join(root, 'sidecar/templates', id, 'package-lock.json'), lock);
    console.log(`${id}: ${Object.keys(JSON.parse(lock).packages).length - 1} packages locked`);
  }
  await connection.sendRequest('shutdown');
  await connection.sendNotification('exit').catch(() => {}); // it may already have closed its stdin
} finally {
  connection.dispose();
  child.kill();
  rmSync(work, { recursive: true, force: true });
}
