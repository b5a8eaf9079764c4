// End-to-end tests of a first run, in a real VS Code (code-server) with the packaged VSIX and a
// fake Ollama that has no models yet: the walkthrough opens on first install, the empty chat
// offers to pull a model and shows the pull's progress, a first prompt is answered, and the status
// bar follows the provider going down and coming back. Its screenshots of the walkthrough, the
// pull and a first answer are the README's (docs/screenshots/), so they stay current.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startFakeProvider } from './lib/fakeProvider.mjs';
import { requireVsix, SpecVsCode } from './lib/spec.mjs';
import { repoRoot } from './lib/workbench.mjs';

const README_SHOTS = resolve(repoRoot, 'docs/screenshots');
const TEST_TIMEOUT = 150_000;

const vscode = new SpecVsCode();
let fake;
let wb;
let stateDir;

describe('first run in a real VS Code', { timeout: 12 * 60_000 }, () => {
  before(async () => {
    requireVsix();
    fake = await startFakeProvider({ noModels: true });
    stateDir = mkdtempSync(join(tmpdir(), 'prototyper-e2e-first-'));
    const workspace = join(stateDir, 'workspace');
    cpSync(resolve(import.meta.dirname, 'sample-workspace'), workspace, { recursive: true });
    wb = await vscode.start({
      stateDir,
      workspace,
      // The first test loads the workbench itself: it watches what a first load shows.
      open: 'nothing',
      // A new user: no model chosen yet, walkthroughs left to open as they do on install.
      settings: {
        'prototyper.provider': 'ollama',
        'prototyper.ollama.host': fake.base,
        'files.autoSave': 'off',
      },
    });
  }, { timeout: 240_000 });

  after(() => vscode.stop({ log: 'code-server-first-run.log', fake, stateDir }));

  it('opens the getting-started walkthrough on first install', { timeout: TEST_TIMEOUT }, async () => {
    await wb.open(vscode.server.url);
    const walkthrough = wb.page.locator('.gettingStartedContainer');
    const text = await wb.poll('the Prototyper walkthrough to open', async () => {
      const shown = await walkthrough.innerText({ timeout: 1000 }).catch(() => '');
      return shown.includes('Get started with Prototyper') && shown.includes('Try a first prompt') ? shown : null;
    }, { timeout: 90_000, dumpChat: false });
    for (const step of ['Pick a provider and check it answers', 'Choose a model, or pull one', 'Set a key where one is needed', 'Try a first prompt']) {
      assert.ok(text.includes(step), `the walkthrough lists "${step}": ${text}`);
    }
    // Ollama answers (with no models): the first step is done by itself.
    const provider = wb.page.locator('[data-step-id$="#provider"]');
    await wb.poll('the provider step to be checked off', async () => (await provider.getAttribute('aria-checked', { timeout: 1000 }).catch(() => null)) === 'true', {
      timeout: 45_000,
      dumpChat: false,
      describe: async () => `steps: ${JSON.stringify(await wb.page.locator('[data-step-id]').evaluateAll((els) => els.map((el) => [el.getAttribute('data-step-id'), el.getAttribute('aria-checked'), el.className])))}; status bar: ${await statusBarText()}`,
    });
    await readmeShot('walkthrough');
  });

  it('offers to pull a model when Ollama has none, with progress, and selects it', { timeout: TEST_TIMEOUT }, async () => {
    await fake.script({ pull: [{ total: 5_200_000_000, steps: 8, delayMs: 400 }] });
    await wb.runCommand('Prototyper: Focus Chat');
    const empty = wb.chat.locator('.welcome-noModels');
    await wb.poll('the empty chat to say Ollama has no models and offer a pull', async () => (await empty.locator('.pull-panel').count()) === 1, { timeout: 60_000 });
    assert.match(await empty.innerText(), /Ollama is running at .* but has no models yet/);
    assert.match(await statusBarText(), /Ollama: no models/, 'the status bar says so too');

    await empty.locator('.pull-suggestions button', { hasText: 'qwen3:8b' }).click();
    const progress = await wb.poll('the pull to show its progress', async () => {
      const value = await wb.chat.locator('.pull-panel [role="progressbar"]').getAttribute('aria-valuenow', { timeout: 1000 }).catch(() => null);
      return value !== null && Number(value) > 0 && Number(value) < 100 ? Number(value) : null;
    }, { timeout: 30_000 });
    assert.ok(progress > 0);
    assert.match(await wb.chat.locator('.pull-status').innerText(), /Pulling qwen3:8b: pulling [0-9a-f]+ \(\d+%\)/);
    await readmeShot('pull-a-model');

    await wb.poll('the pulled model to be ready and selected', async () => {
      const ready = (await wb.chat.locator('.pull-status', { hasText: 'qwen3:8b is ready.' }).count()) === 1;
      const model = await wb.chat.locator('.composer .model-picker').evaluate((el) => el.value, undefined, { timeout: 1000 }).catch(() => '');
      return ready && model === 'qwen3:8b';
    }, { timeout: 60_000 });
    const pulls = (await fake.requests()).filter((r) => r.path === '/api/pull');
    assert.equal(pulls.length, 1);
    assert.equal(pulls[0].body.model, 'qwen3:8b');
    await wb.poll('the status bar to show the model', async () => /\bqwen3:8b\b/.test(await statusBarText()) && !/no models/.test(await statusBarText()), { timeout: 45_000, dumpChat: false, describe: statusBarText });
    await wb.chat.locator('.pull-panel vscode-button', { hasText: 'Done' }).click().catch(() => {});
  });

  it('answers a first prompt', { timeout: TEST_TIMEOUT }, async () => {
    // The file the question is about, beside the chat (and the walkthrough out of the way).
    await wb.runCommand('View: Close All Editors');
    await wb.page.keyboard.press('Control+P');
    await wb.page.locator('.quick-input-widget input.input').waitFor({ state: 'visible' });
    await wb.page.keyboard.type('greeting.ts');
    await wb.page.locator('.quick-input-list .monaco-list-row', { hasText: 'greeting.ts' }).first().waitFor();
    await wb.page.keyboard.press('Enter');
    await wb.page.locator('.tabs-container .tab.active', { hasText: 'greeting.ts' }).waitFor({ timeout: 15_000 });
    await fake.script({
      ollama: [{ text: 'src/greeting.ts exports one function, `greeting`, which builds a hello line:\n\n```ts\nexport const greeting = (name: string) => `Hello, ${name}!`;\n```\n\nAsk me to change it and I will show the edit first.', chunkSize: 10, delayMs: 15 }],
    });
    const input = wb.chat.locator('.composer vscode-text-area.composer-input');
    await input.click();
    await wb.page.keyboard.type('What does src/greeting.ts do?');
    await wb.page.keyboard.press('Enter');
    await wb.poll('the answer with its usage line', async () => {
      const usage = await wb.chat.locator('.message.assistant .usage').count();
      const code = await wb.chat.locator('.message.assistant .code-block').count();
      return usage === 1 && code === 1;
    }, { timeout: 60_000 });
    await wb.page.mouse.move(5, 5);
    await readmeShot('first-answer');
  });

  it('shows the provider going down and coming back in the status bar', { timeout: 180_000 }, async () => {
    const port = fake.port;
    await fake.stop();
    await wb.poll('the status bar to say Ollama is unreachable', async () => /Ollama unreachable/.test(await statusBarText()), { timeout: 60_000, dumpChat: false, describe: statusBarText });
    await wb.screenshot('first-run-provider-down');
    fake = await startFakeProvider({ port });
    await wb.poll('the status bar to show the model again', async () => {
      const text = await statusBarText();
      return /\bqwen3:8b\b/.test(text) && !/unreachable/.test(text);
    }, { timeout: 60_000, dumpChat: false, describe: statusBarText });
  });

  it('offers switch model, open chat, check, output and restart from the status bar; a restart says so', { timeout: TEST_TIMEOUT }, async () => {
    await wb.page.locator('.statusbar-item [aria-label^="Prototyper:"], .statusbar-item[aria-label^="Prototyper:"]').first().click();
    const rows = wb.page.locator('.quick-input-list .monaco-list-row');
    const labels = await wb.poll('the status bar menu', async () => {
      const all = await rows.evaluateAll((els) => els.map((el) => el.getAttribute('aria-label') ?? ''));
      return all.length >= 5 ? all : null;
    }, { dumpChat: false });
    // What a screen reader says: the words, not the icons' names.
    assert.deepEqual(labels.map((l) => l.trim()), ['Switch Model…', 'Open Chat', 'Check Provider Again', 'Show Output', 'Restart Sidecar']);
    await wb.page.keyboard.type('Restart');
    await wb.page.keyboard.press('Enter');
    const toast = wb.page.locator('.notifications-toasts .notification-list-item', { hasText: 'the sidecar restarted' });
    await wb.poll('a notification saying the sidecar restarted', async () => (await toast.count()) > 0, { timeout: 60_000, dumpChat: false });
    assert.match(await toast.first().innerText(), /Prototyper: the sidecar restarted \(prototyper-sidecar \d+\.\d+\.\d+\)/);
    // And the status bar comes back to the model once the new sidecar has checked.
    await wb.poll('the status bar to show the model after the restart', async () => /\bqwen3:8b\b/.test(await statusBarText()), { timeout: 45_000, dumpChat: false, describe: statusBarText });
  });
});

/** The Prototyper status bar item's text (its accessible label starts with "Prototyper:"). */
async function statusBarText() {
  return wb.page.evaluate(() => {
    const items = [...document.querySelectorAll('.statusbar-item')];
    const ours = items.find((item) => item.getAttribute('aria-label')?.startsWith('Prototyper:') || item.querySelector('[aria-label^="Prototyper:"]'));
    return ours ? ours.textContent.trim() : `(no Prototyper item among: ${items.map((i) => i.textContent.trim()).filter(Boolean).join(' | ')})`;
  });
}

/** A screenshot the README shows, and the usual copy in test-results/e2e/. */
async function readmeShot(name) {
  mkdirSync(README_SHOTS, { recursive: true });
  await wb.page.screenshot({ path: join(README_SHOTS, `${name}.png`) });
  await wb.screenshot(`first-run-${name}`);
}
