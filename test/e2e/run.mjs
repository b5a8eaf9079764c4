// The end-to-end suite: a real VS Code (code-server) with the packaged VSIX installed, the chat
// and inline code talking to the scriptable fake provider, driven in Debian Chromium through
// playwright-core (chat, onboarding, scaffold and inline `*.e2e.mjs`; each file runs its own
// code-server).
// Run after scripts/package.sh: `node test/e2e/run.mjs` for every spec, or name some
// (`node test/e2e/run.mjs inline edits`). Prints "e2e: N passed, N failed" and exits non-zero on
// failure. Screenshots go to test-results/e2e/.
import { run } from 'node:test';
import { spec } from 'node:test/reporters';
import { resolve } from 'node:path';

const SPECS = ['chat', 'onboarding', 'scaffold', 'assets', 'inline', 'edits'];
const named = process.argv.slice(2).map((name) => name.replace(/\.e2e\.mjs$/, ''));
const unknown = named.filter((name) => !SPECS.includes(name));
if (unknown.length > 0) {
  console.error(`unknown e2e spec ${unknown.join(', ')}; choose from ${SPECS.join(', ')}`);
  process.exit(2);
}
const files = (named.length > 0 ? SPECS.filter((name) => named.includes(name)) : SPECS).map((name) => resolve(import.meta.dirname, `${name}.e2e.mjs`));
const stream = run({ files, concurrency: 1, timeout: 60 * 60_000 });
let passed = 0;
let failed = 0;
stream.on('test:pass', (event) => {
  if (event.details.type !== 'suite' && event.nesting > 0) passed += 1;
});
stream.on('test:fail', (event) => {
  if (event.details.type !== 'suite' && event.nesting > 0) failed += 1;
  if (event.nesting === 0 && event.details.type !== 'suite') failed += 1;
});
stream.compose(spec).pipe(process.stdout);
stream.on('end', () => {
  console.log(`e2e: ${passed} passed, ${failed} failed`);
  process.exitCode = failed > 0 || passed === 0 ? 1 : 0;
});
