// End-to-end tests of agent edits in a real VS Code (code-server): the proposal edited in VS Code's
// diff editor is what gets written; an open file with unsaved changes is edited in its editor and
// not saved, and a change typed while the card waits is never overwritten; Restore checkpoint
// brings back files changed by write_file and by a bash command. The packaged VSIX, the sidebar
// chat in Chromium and the fake Ollama, as in chat.e2e.mjs; screenshots go to test-results/e2e/.
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startFakeProvider } from './lib/fakeProvider.mjs';
import { requireVsix, SpecVsCode } from './lib/spec.mjs';
import { PollAbort } from './lib/workbench.mjs';

const MODEL = 'llama3.2:latest';
const TEST_TIMEOUT = 150_000;
const squash = (text) => (text ?? '').replace(/\u00a0/g, ' ').replace(/\s+/g, ' ').trim();

const vscode = new SpecVsCode();
let fake;
let wb;
let stateDir;
let workspace;

describe('agent edits in a real VS Code', { timeout: 12 * 60_000 }, () => {
  before(async () => {
    requireVsix();
    fake = await startFakeProvider();
    stateDir = mkdtempSync(join(tmpdir(), 'prototyper-e2e-edits-'));
    workspace = join(stateDir, 'workspace');
    cpSync(resolve(import.meta.dirname, 'sample-workspace'), workspace, { recursive: true });
    wb = await vscode.start({
      stateDir,
      workspace,
      open: 'chat',
      settings: {
        'prototyper.provider': 'ollama',
        'prototyper.ollama.host': fake.base,
        'prototyper.model': MODEL,
        'prototyper.toolPermissionMode': 'ask_every_time',
        'workbench.welcomePage.walkthroughs.openOnInstall': false,
        'git.autoRepositoryDetection': false,
        'files.hotExit': 'off',
        // The tests check that nothing is saved for the user, so VS Code's own auto save is off.
        'files.autoSave': 'off',
      },
    });
  }, { timeout: 240_000 });

  after(() => vscode.stop({ log: 'code-server-edits.log', fake, stateDir }));

  it('editing the proposal in the diff editor changes what is written', { timeout: TEST_TIMEOUT }, () =>
    scenario('9-edited-proposal', async () => {
      const target = join(workspace, 'notes/plan.txt');
      await script([
        { toolCalls: [{ name: 'write_file', arguments: { path: 'notes/plan.txt', content: 'proposed by the agent\n' } }] },
        { text: 'Written.', delayMs: 20 },
      ]);
      await newChat();
      await sendMessage('Write the plan');
      await pendingCard('write_file');
      await wb.chat.locator('.permission-card.pending .proposal-open').click();
      const modified = wb.page.locator('.monaco-diff-editor .editor.modified');
      await wb.poll('the diff editor with the proposal on the right', async () => squash(await modified.locator('.view-lines').innerText({ timeout: 1000 })).includes('proposed by the agent'), { dumpChat: false });
      await wb.screenshot('9-proposal-diff-editor');
      await modified.locator('.view-lines').click();
      await wb.page.keyboard.press('Control+A');
      await wb.page.keyboard.type('changed by the user');
      await wb.poll('the edit in the proposal', async () => squash(await modified.locator('.view-lines').innerText({ timeout: 1000 })) === 'changed by the user', { dumpChat: false });
      await wb.openChat();
      await wb.chat.locator('.permission-card.pending vscode-button', { hasText: 'Accept' }).first().click();

      await wb.poll(`${target} to hold the user's version`, async () => existsSync(target) && readFileSync(target, 'utf8') === 'changed by the user', {
        describe: async () => `on disk: ${existsSync(target) ? JSON.stringify(readFileSync(target, 'utf8')) : '(missing)'}`,
      });
      await wb.poll('the card to say the edits were accepted', async () => /Accepted \(with your edits\)/.test(await wb.chat.locator('.permission-card .prompt-outcome').last().innerText({ timeout: 1000 })));
      await answerFinished('Written.');
      const toolMessage = (await chatRequests()).at(-1)?.body.messages.find((m) => m.role === 'tool');
      assert.match(toolMessage?.content ?? '', /The user edited your proposal/, `the model is told: ${toolMessage?.content}`);
      assert.equal(await wb.page.locator('.monaco-diff-editor').count(), 0, 'the proposal diff closes once answered');
    }));

  it('an open dirty file is edited in its editor and not saved; a change typed while the card waits is kept', { timeout: TEST_TIMEOUT }, () =>
    scenario('10-dirty-editor', async () => {
      const file = join(workspace, 'src/greeting.ts');
      const onDisk = readFileSync(file, 'utf8');
      await openInEditor('greeting.ts');
      await wb.page.keyboard.press('Control+End');
      await wb.page.keyboard.type('// a note the user has not saved\n');
      await editorShows('a note the user has not saved');

      await script([
        { toolCalls: [{ name: 'edit_file', arguments: { path: 'src/greeting.ts', old_string: 'Hello, ', new_string: 'Howdy, ' } }] },
        { text: 'Edited.', delayMs: 20 },
      ]);
      await wb.openChat();
      await newChat();
      await sendMessage('Say howdy');
      const card = await pendingCard('edit_file');
      assert.match(card, /a note the user has not saved|Howdy/, `the proposal is made from the editor's text: ${card}`);
      await wb.chat.locator('.permission-card.pending vscode-button', { hasText: 'Accept' }).first().click();
      await answerFinished('Edited.');
      await editorShows('Howdy, ${name}!');
      await editorShows('a note the user has not saved');
      assert.equal(readFileSync(file, 'utf8'), onDisk, 'nothing was saved to disk');
      const tab = wb.page.locator('.tabs-container .tab', { hasText: 'greeting.ts' });
      assert.match((await tab.getAttribute('class')) ?? '', /dirty/, 'the editor still has unsaved changes');

      // A second proposal, and the user types while its card waits: the agent's write is refused.
      await script([
        { toolCalls: [{ name: 'edit_file', arguments: { path: 'src/greeting.ts', old_string: 'Howdy, ', new_string: 'Hi, ' } }] },
        { text: 'I will read it again.', delayMs: 20 },
      ]);
      await sendMessage('Say hi instead');
      await pendingCard('edit_file');
      await wb.page.locator('.tabs-container .tab', { hasText: 'greeting.ts' }).click();
      await wb.page.locator('.editor-group-container.active .monaco-editor .view-lines').first().click();
      await wb.page.keyboard.press('Control+End');
      await wb.page.keyboard.type('// typed while the card waited\n');
      await editorShows('typed while the card waited');
      await wb.openChat();
      await wb.chat.locator('.permission-card.pending vscode-button', { hasText: 'Accept' }).first().click();
      await answerFinished('I will read it again.');
      const toolMessage = (await chatRequests()).at(-1)?.body.messages.filter((m) => m.role === 'tool').at(-1);
      assert.match(toolMessage?.content ?? '', /changed after the change was proposed/, `the model is told: ${toolMessage?.content}`);
      await editorShows('typed while the card waited');
      await editorShows('Howdy, ${name}!');
      assert.equal(readFileSync(file, 'utf8'), onDisk);
      await wb.page.locator('.tabs-container .tab', { hasText: 'greeting.ts' }).click();
      await wb.runCommand('File: Revert File');
      await wb.openChat();
    }));

  it('Restore checkpoint brings back files changed by write_file and by a bash command', { timeout: TEST_TIMEOUT }, () =>
    scenario('11-restore-checkpoint', async () => {
      const readme = join(workspace, 'README.md');
      const original = readFileSync(readme, 'utf8');
      const created = join(workspace, 'notes/checkpoint.txt');
      await script([
        { toolCalls: [{ name: 'write_file', arguments: { path: 'notes/checkpoint.txt', content: 'made by the agent\n' } }] },
        { toolCalls: [{ name: 'bash', arguments: { command: 'echo "rewritten by a command" > README.md' } }] },
        { text: 'Both changed.', delayMs: 20 },
      ]);
      await newChat();
      await sendMessage('Change two files');
      await pendingCard('write_file');
      await wb.chat.locator('.permission-card.pending vscode-button', { hasText: 'Accept' }).first().click();
      const bashCard = await pendingCard('bash');
      assert.match(bashCard, /writes to README\.md \(>\)/, `the bash card flags the redirection: ${bashCard}`);
      await wb.chat.locator('.permission-card.pending vscode-button', { hasText: 'Accept' }).first().click();
      await answerFinished('Both changed.');
      assert.equal(readFileSync(readme, 'utf8'), 'rewritten by a command\n');

      const list = await wb.poll('the answer to list its two changed files', async () => {
        const rows = await wb.chat.locator('.message.assistant').last().locator('.changed-file').allInnerTexts();
        return rows.length === 2 ? rows.map(squash) : null;
      });
      assert.match(list.join(' | '), /notes\/checkpoint\.txt \+1 −0/, list.join(' | '));
      assert.match(list.join(' | '), /README\.md \+1 −\d+ bash/, list.join(' | '));
      await wb.screenshot('11-changed-files');

      await wb.chat.locator('.message.assistant').last().locator('button[aria-label^="Restore checkpoint"]').click();
      const dialog = wb.page.locator('.monaco-dialog-box');
      await wb.poll('the restore confirmation', async () => /Restore 2 files to how they were before this answer\?/.test(await dialog.innerText({ timeout: 1000 }).catch(() => '')), { dumpChat: false });
      await dialog.locator('.monaco-button', { hasText: 'Restore Files' }).first().click();

      await wb.poll('README.md and the new file restored', async () => readFileSync(readme, 'utf8') === original && !existsSync(created), {
        describe: async () => `README: ${JSON.stringify(readFileSync(readme, 'utf8'))}; created exists: ${existsSync(created)}`,
      });
      await wb.poll('the list to show both files undone', async () => {
        const states = await wb.chat.locator('.message.assistant').last().locator('.changed-file .changed-state').allInnerTexts();
        return states.length === 2 && states.every((s) => s.trim() === 'Undone');
      });
    }));
});

// ---- steps ---------------------------------------------------------------------------------------

async function scenario(name, body) {
  try {
    await body();
  } finally {
    await wb?.screenshot(name).catch((error) => console.error(`screenshot ${name} failed: ${error.message}`));
  }
}

async function script(answers) {
  await fake.reset();
  await fake.script({ ollama: answers });
}

async function chatRequests() {
  return (await fake.requests()).filter((r) => r.method === 'POST' && r.path === '/api/chat');
}

async function newChat() {
  await wb.chat.locator('.header vscode-button[aria-label="New chat"]').click();
  await wb.poll('an empty chat', async () => (await wb.chat.locator('.message').count()) === 0);
}

async function sendMessage(text) {
  const input = wb.chat.locator('.composer vscode-text-area.composer-input');
  await input.click();
  await wb.page.keyboard.type(text);
  await wb.poll(`the composer to hold "${text}"`, async () => (await input.evaluate((el) => el.value, undefined, { timeout: 1000 })) === text);
  await wb.page.keyboard.press('Enter');
  await wb.poll(`"${text}" to be sent`, async () => (await wb.chat.locator('.message.user .user-text', { hasText: text }).count()) >= 1);
}

/** Fails at once when the newest answer shows an error line. */
async function answerError() {
  const error = await wb.chat.locator('.message.assistant').last().locator('.message-error').innerText({ timeout: 500 }).catch(() => '');
  if (error) throw new PollAbort(`The answer failed with "${error}"`);
}

/** Waits for the pending permission card of `tool`; returns its text. */
async function pendingCard(tool) {
  return wb.poll(`a permission card for ${tool}`, async () => {
    await answerError();
    const card = wb.chat.locator('.permission-card.pending').last();
    if ((await wb.chat.locator('.permission-card.pending').count()) === 0) return null;
    const text = await card.innerText({ timeout: 1000 });
    return text.includes(tool) ? text : null;
  });
}

async function answerFinished(text) {
  return wb.poll(`the finished answer "${text}"`, async () => {
    await answerError();
    const turn = wb.chat.locator('.message.assistant').last();
    const busy = (await turn.getAttribute('aria-busy', { timeout: 1000 })) === 'true';
    return !busy && squash(await turn.locator('.text-part').last().innerText({ timeout: 1000 })).endsWith(text);
  }, { timeout: 30_000 });
}

/** Opens a workspace file through Quick Open. */
async function openInEditor(name) {
  await wb.page.keyboard.press('Control+P');
  const input = wb.page.locator('.quick-input-widget input.input');
  await input.waitFor({ state: 'visible' });
  await input.fill(name);
  await wb.poll(`${name} in Quick Open`, async () => ((await wb.page.locator('.quick-input-list .monaco-list-row.focused').getAttribute('aria-label', { timeout: 500 }).catch(() => '')) ?? '').includes(name), { dumpChat: false });
  await wb.page.keyboard.press('Enter');
  await wb.poll(`${name} open in the editor`, async () => (await wb.page.locator('.tabs-container .tab.active', { hasText: name }).count()) === 1, { dumpChat: false });
  await wb.page.locator('.editor-group-container.active .monaco-editor .view-lines').first().click();
}

/** Waits until the file editor of greeting.ts shows `text`. */
async function editorShows(text) {
  await wb.poll(`the editor to show "${text}"`, async () => {
    const editors = await wb.page.locator('.editor-group-container .monaco-editor .view-lines').allInnerTexts();
    return editors.some((content) => squash(content).includes(text));
  }, { dumpChat: false });
}
