// End-to-end tests of inline code in a real VS Code (code-server) against the fake provider: the
// host tests (test/e2e/host/) run inside the extension host against real documents, then the
// commands as a user meets them — Generate Code Here streaming into an editor and Accept keeping
// it, one Ctrl+Z taking it out, Edit Selection's diff and Reject, typing while it streams, Escape
// stopping it, and Apply to File merging a fragment into its region only. Screenshots go to
// test-results/e2e/ (inline-*.png), in the dark and the light theme.
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startFakeProvider } from './lib/fakeProvider.mjs';
import { buildHostExtension } from './lib/hostExtension.mjs';
import { requireVsix, SpecVsCode } from './lib/spec.mjs';

const FIM_MODEL = 'qwen2.5-coder:1.5b';
const TEST_TIMEOUT = 120_000;
const GREETING = 'src/greeting.ts';

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

const vscode = new SpecVsCode();
let fake;
let wb;
let stateDir;
let workspace;
let results;

describe('inline code in a real VS Code', { timeout: 12 * 60_000 }, () => {
  before(async () => {
    requireVsix();
    stateDir = mkdtempSync(join(tmpdir(), 'prototyper-inline-e2e-'));
    const hostTests = await buildHostExtension(stateDir);
    fake = await startFakeProvider();
    await configureModels();
    workspace = join(stateDir, 'workspace');
    cpSync(resolve(import.meta.dirname, 'sample-workspace'), workspace, { recursive: true });
    results = join(stateDir, 'host-results.json');
    wb = await vscode.start({
      stateDir,
      workspace,
      extensions: [hostTests],
      // A loaded machine can take longer than the default to load the workbench.
      navigationTimeout: 120_000,
      settings: {
        'prototyper.provider': 'ollama',
        'prototyper.ollama.host': fake.base,
        'prototyper.model': 'llama3.2:latest',
        'prototyper.inline.model': FIM_MODEL,
        'prototyperHostTests.output': results,
        'workbench.welcomePage.walkthroughs.openOnInstall': false,
        'files.hotExit': 'off',
        'files.autoSave': 'off',
        'editor.minimap.enabled': false,
        // Suggestions popping up while the tests type would take Tab and Enter.
        'editor.quickSuggestions': { other: false, comments: false, strings: false },
        'editor.suggestOnTriggerCharacters': false,
        'editor.acceptSuggestionOnEnter': 'off',
        'editor.autoClosingBrackets': 'never',
      },
    });
  }, { timeout: 300_000 });

  after(() => vscode.stop({ log: 'inline-code-server.log', fake, stateDir }));

  it('host tests: inline sessions against real documents', { timeout: 240_000 }, async (t) => {
    rmSync(results, { force: true });
    await wb.runCommand('Prototyper Host Tests: Run');
    const report = await wb.poll('the host tests to write their results', async () => (existsSync(results) ? JSON.parse(readFileSync(results, 'utf8')) : null), {
      timeout: 200_000,
      interval: 500,
      dumpChat: false,
    });
    assert.ok(report.results.length >= 10, `the host tests ran: ${JSON.stringify(report)}`);
    for (const result of report.results) {
      await t.test(result.name, () => assert.ok(result.ok, `${result.name} (${result.ms} ms):\n${result.error}`));
    }
  });

  it('Generate Code Here streams into an open editor and Accept keeps it; one Ctrl+Z removes it', { timeout: TEST_TIMEOUT }, () =>
    scenario('inline-1-generate', async () => {
      const onDisk = readFileSync(join(workspace, GREETING), 'utf8');
      const code = 'export function farewell(name: string): string {\n  return `Bye, ${name}!`;\n}';
      await script([{ text: code, chunkSize: 6, delayMs: 40 }]);
      await openFile(GREETING);
      await wb.page.keyboard.press('Control+End');
      await wb.page.keyboard.press('Enter');
      await instruct('Prototyper: Generate Code Here', 'a farewell function');
      await wb.poll('the first streamed text in the editor', async () => (await editorText()).includes('export function farewell'));
      await wb.screenshot('inline-1-generate-streaming');
      await lens('Accept (Tab)');
      assert.ok((await editorText()).includes('return `Bye, ${name}!`;'), await editorText());
      const request = (await fake.requests()).find((r) => r.path === '/api/generate');
      assert.ok(request, 'a fill-in-the-middle model is asked through /api/generate');
      assert.match(request.body.prompt, /\/\/ a farewell function\n$/, 'the instruction rides along as a comment');
      await wb.screenshot('inline-1-generate-review');
      await wb.page.keyboard.press('Tab');
      await wb.poll('the review to end (no Accept lens)', async () => (await lensTexts()).length === 0);
      const kept = await editorText();
      assert.ok(kept.includes('export function farewell') && kept.includes('Hello, ${name}!'), kept);
      assert.equal(readFileSync(join(workspace, GREETING), 'utf8'), onDisk, 'nothing is saved for the user');
      assert.ok(await activeTabDirty(), 'the editor holds the change, unsaved');

      await wb.page.keyboard.press('Control+z');
      await wb.poll('one Ctrl+Z to take the whole insertion out', async () => {
        const text = await editorText();
        return !text.includes('farewell') && !text.includes('Bye') ? text : null;
      });
      await revert();
    }));

  it('Edit Selection shows a diff, and Reject restores the text', { timeout: TEST_TIMEOUT }, () =>
    scenario('inline-2-edit-reject', async () => {
      await script([{ text: '```ts\n  return `Hi there, ${name}!`;\n```', chunkSize: 5, delayMs: 30 }]);
      await openFile(GREETING);
      const before = await editorText();
      await goToLine(3);
      await wb.page.keyboard.press('Home');
      await wb.page.keyboard.press('Shift+End');
      await instruct('Prototyper: Edit Selection', 'say hi there');
      await lens('Accept (Tab)');
      const shown = await editorText();
      assert.ok(shown.includes('return `Hello, ${name}!`;') && shown.includes('return `Hi there, ${name}!`;'), `old and new lines both shown: ${shown}`);
      await setTheme('Dark Modern');
      await wb.screenshot('inline-2-edit-diff-dark');
      await setTheme('Light Modern');
      await wb.screenshot('inline-2-edit-diff-light');
      await wb.page.keyboard.press('Escape');
      await wb.poll('Reject to restore the text', async () => (await lensTexts()).length === 0 && (await editorText()) === before, {
        describe: async () => `editor: ${await editorText()}`,
      });
      await wb.poll('the editor to show no change left (not even the changed mark)', async () => !(await activeTabDirty()));
    }));

  it('typing during the stream is not lost, and Escape stops a stream at once', { timeout: TEST_TIMEOUT }, () =>
    scenario('inline-3-typing', async () => {
      const code = Array.from({ length: 12 }, (_, i) => `export const step${i} = ${i};`).join('\n');
      await script([{ text: code, chunkSize: 8, delayMs: 60 }]);
      await openFile(GREETING);
      await wb.page.keyboard.press('Control+End');
      // This time by its keybinding.
      await wb.page.keyboard.press('Control+k');
      await wb.page.keyboard.press('Control+g');
      await typeInstruction('Prototyper: Generate Code Here', '');
      await wb.poll('the stream to start', async () => (await editorText()).includes('export const step0'));
      // The user goes on working above the insertion while it streams.
      await goToLine(1);
      await wb.page.keyboard.press('Home');
      await wb.page.keyboard.type('// typed while it streamed ');
      await lens('Accept (Tab)', 30_000);
      const text = await editorText();
      assert.ok(text.includes('// typed while it streamed // A tiny module'), `the typing is kept: ${text}`);
      assert.ok(text.includes('export const step11 = 11;'), `the stream completed: ${text}`);
      await wb.page.keyboard.press('Tab');
      await wb.poll('accepted', async () => (await lensTexts()).length === 0);
      assert.ok((await editorText()).includes('// typed while it streamed'));
      await revert();

      // Escape mid-stream: the document is as it was and the provider's connection is dropped.
      await fake.reset();
      await configureModels();
      await fake.script({ ollama: [{ text: 'x'.repeat(4000), chunkSize: 4, delayMs: 40 }] });
      const original = readFileSync(join(workspace, GREETING), 'utf8').trimEnd();
      await wb.page.keyboard.press('Control+End');
      await instruct('Prototyper: Generate Code Here', '');
      await wb.poll('the stream to start', async () => (await editorText()).includes('xxxx'));
      await wb.page.keyboard.press('Escape');
      await wb.poll('Escape to restore the document', async () => (await editorText()) === original && (await lensTexts()).length === 0);
      await wb.poll('the provider to see the request dropped', async () => (await fake.requests()).some((r) => r.path === '/api/generate' && r.aborted), { timeout: 10_000 });
    }));

  it('Apply to File of a fragment changes only its region', { timeout: TEST_TIMEOUT }, () =>
    scenario('inline-4-apply-fragment', async () => {
      const file = join(workspace, 'src/shapes.ts');
      const original = [
        '// Shapes for the tests.',
        'export function area(width: number, height: number): number {',
        '  return width * height;',
        '}',
        '',
        'export function perimeter(width: number, height: number): number {',
        '  return 2 * (width + height);',
        '}',
        '',
        'export const UNIT = 1;',
        '',
      ].join('\n');
      writeFileSync(file, original);
      const fragment = ['export function perimeter(width: number, height: number): number {', '  if (width < 0 || height < 0) return 0;', '  return 2 * (width + height);', '}'].join('\n');
      await script([{ text: `Change src/shapes.ts like this:\n\n\`\`\`ts\n${fragment}\n\`\`\`\n` }]);
      await wb.openChat();
      await wb.chat.locator('.header vscode-button[aria-label="New chat"]').click();
      const input = wb.chat.locator('.composer vscode-text-area.composer-input');
      await input.click();
      await wb.page.keyboard.type('Guard perimeter against negative sizes');
      await wb.page.keyboard.press('Enter');
      const apply = wb.chat.locator('.code-block button[aria-label="Apply to File"]').last();
      await wb.poll('the answer with an Apply to File button', async () => (await apply.count()) === 1 && !(await apply.isDisabled()));
      await apply.click();
      await lens('Accept (Tab)');
      const shown = await editorText();
      assert.ok(shown.includes('if (width < 0 || height < 0) return 0;'), shown);
      await wb.screenshot('inline-4-apply-fragment-review');
      // The click went to the chat; Tab answers the review once the editor has the keyboard back.
      await wb.poll('the editor under review to have the keyboard', async () => (await wb.page.locator('.editor-group-container.active .monaco-editor.focused').count()) > 0, { timeout: 10_000, dumpChat: false });
      await wb.page.keyboard.press('Tab');
      await wb.poll('accepted', async () => (await lensTexts()).length === 0);
      await wb.poll('the code block to say "Applied"', async () => (await wb.chat.locator('.code-block .code-note', { hasText: 'Applied' }).count()) > 0);
      const expected = original.replace('  return 2 * (width + height);', '  if (width < 0 || height < 0) return 0;\n  return 2 * (width + height);');
      await openFile('src/shapes.ts');
      assert.equal(squashNbsp(await editorText()), expected.trimEnd(), 'only the fragment\'s region changed');
      assert.equal(readFileSync(file, 'utf8'), original, 'not saved');
      await revert();
    }));
});

// ---- steps ---------------------------------------------------------------------------------------

async function scenario(name, body) {
  try {
    await body();
  } finally {
    await wb?.screenshot(name).catch((error) => console.error(`screenshot ${name} failed: ${error.message}`));
    // A failed test must not leave a session waiting for the next one.
    await wb?.page.keyboard.press('Escape').catch(() => {});
    await wb?.page.keyboard.press('Escape').catch(() => {});
  }
}

async function configureModels() {
  const response = await fetch(`${fake.base}/__config`, {
    method: 'POST',
    body: JSON.stringify({
      models: {
        ollama: [
          { name: 'llama3.2:latest', family: 'llama', capabilities: ['completion', 'tools'], contextLength: 131072 },
          { name: FIM_MODEL, family: 'qwen2', capabilities: ['completion', 'insert'], contextLength: 32768, template: '{{- if .Suffix }}<|fim_prefix|>{{ .Prompt }}<|fim_suffix|>{{ .Suffix }}<|fim_middle|>{{- end }}' },
        ],
      },
    }),
  });
  assert.ok(response.ok);
}

async function script(answers) {
  await fake.reset();
  await configureModels();
  await fake.script({ ollama: answers });
}

/** Runs a command from the palette, then types `instruction` into the input it opens. */
async function instruct(title, instruction) {
  const input = wb.page.locator('.quick-input-widget input.input');
  const titleBar = wb.page.locator('.quick-input-widget .quick-input-title');
  await wb.poll(`"${title}" to open its instruction input`, async () => {
    if (!(await input.isVisible())) {
      await wb.page.keyboard.press('F1');
      await input.waitFor({ state: 'visible', timeout: 5000 });
    }
    const current = (await titleBar.innerText({ timeout: 500 }).catch(() => '')) ?? '';
    if (current.startsWith(title)) return true;
    await input.fill(`>${title}`);
    const row = wb.page.locator('.quick-input-list .monaco-list-row.focused');
    for (let i = 0; i < 30; i++) {
      if ((await row.getAttribute('aria-label', { timeout: 500 }).catch(() => null))?.startsWith(title)) {
        await wb.page.keyboard.press('Enter');
        await wb.poll('the instruction input', async () => ((await titleBar.innerText({ timeout: 500 }).catch(() => '')) ?? '').startsWith(title), { timeout: 10_000, dumpChat: false });
        return true;
      }
      await sleep(100);
    }
    await wb.page.keyboard.press('Escape');
    return false;
  }, { timeout: 45_000, dumpChat: false });
  await typeInstruction(title, instruction);
}

/** Types `instruction` into the open instruction input titled `title`, and sends it. */
async function typeInstruction(title, instruction) {
  const input = wb.page.locator('.quick-input-widget input.input');
  const titleBar = wb.page.locator('.quick-input-widget .quick-input-title');
  await wb.poll('the instruction input', async () => ((await titleBar.innerText({ timeout: 500 }).catch(() => '')) ?? '').startsWith(title), { timeout: 15_000, dumpChat: false });
  if (instruction) await input.fill(instruction);
  await sleep(150);
  await wb.page.keyboard.press('Enter');
  await input.waitFor({ state: 'hidden', timeout: 10_000 });
}

async function openFile(relative) {
  const name = relative.split('/').pop();
  await wb.page.keyboard.press('Control+p');
  const input = wb.page.locator('.quick-input-widget input.input');
  await input.waitFor({ state: 'visible' });
  await input.fill(relative);
  await wb.poll(`${relative} in Quick Open`, async () => ((await wb.page.locator('.quick-input-list .monaco-list-row.focused').getAttribute('aria-label', { timeout: 500 }).catch(() => '')) ?? '').includes(name), { dumpChat: false });
  await wb.page.keyboard.press('Enter');
  await wb.poll(`${name} to be the active editor`, async () => (await wb.page.locator('.tabs-container .tab.active', { hasText: name }).count()) > 0, { dumpChat: false });
  await wb.page.locator('.editor-group-container.active .monaco-editor .view-lines').first().click();
}

async function goToLine(line) {
  await wb.page.keyboard.press('Control+g');
  const input = wb.page.locator('.quick-input-widget input.input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`:${line}`);
  await wb.page.keyboard.press('Enter');
  await input.waitFor({ state: 'hidden' });
}

function squashNbsp(text) {
  return text.replace(/\u00a0/g, ' ');
}

/** The active editor's text as the editor shows it (the file is small: all lines are rendered). */
async function editorText() {
  const lines = await wb.page.locator('.editor-group-container.active .monaco-editor .view-lines .view-line').evaluateAll((els) =>
    els.map((el) => ({ top: parseFloat(el.style.top), text: el.textContent })).sort((a, b) => a.top - b.top).map((l) => l.text),
  );
  return squashNbsp(lines.join('\n')).trimEnd();
}

async function lensTexts() {
  return wb.page.locator('.editor-group-container.active .codelens-decoration a').allInnerTexts();
}

async function lens(text, timeout = 20_000) {
  await wb.poll(`the "${text}" lens`, async () => (await lensTexts()).some((t) => t.includes(text)), { timeout, dumpChat: false, describe: async () => `lenses: ${JSON.stringify(await lensTexts())}; editor: ${await editorText()}` });
}

async function activeTabDirty() {
  return ((await wb.page.locator('.tabs-container .tab.active').getAttribute('class')) ?? '').includes('dirty');
}

async function revert() {
  await wb.runCommand('File: Revert File');
  await wb.poll('the file to be reverted', async () => !(await activeTabDirty()), { dumpChat: false });
}

async function setTheme(name) {
  await wb.page.keyboard.press('Control+k');
  await wb.page.keyboard.press('Control+t');
  const input = wb.page.locator('.quick-input-widget input.input');
  await input.waitFor({ state: 'visible' });
  await input.fill(name);
  await sleep(300);
  await wb.page.keyboard.press('Enter');
  await input.waitFor({ state: 'hidden' });
  await sleep(500);
}
