// The end-to-end suite: a real VS Code (code-server) with the packaged VSIX installed, the chat
// and inline code talking to the scriptable fake provider, driven in Debian Chromium through
// playwright-core (chat, onboarding, scaffold and inline `*.e2e.mjs`; each file runs its own
// code-server).
// Run after scripts/package.sh: `node test/e2e/run.mjs`. Prints "e2e: N passed, N failed" and
// exits non-zero on failure. Screenshots go to test-results/e2e/.
import { run } from 'node:test';
import { spec } from 'node:test/reporters';
import { resolve } from 'node:path';

const files = ['chat.e2e.mjs', 'onboarding.e2e.mjs', 'scaffold.e2e.mjs', 'assets.e2e.mjs', 'inline.e2e.mjs', 'edits.e2e.mjs'].map((file) => resolve(import.meta.dirname, file));
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
