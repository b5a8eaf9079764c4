// End-to-end tests of the chat as a user meets it: the packaged VSIX in a real VS Code
// (code-server), the sidebar chat webview driven in Chromium, the sidecar talking to the scriptable
// fake Ollama server. One code-server serves the whole file; each test scripts the fake provider
// first, starts a new chat and asserts on what the webview shows (and on the workspace and the
// provider's recorded requests). A screenshot of the end of each test goes to test-results/e2e/.
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startFakeProvider } from './lib/fakeProvider.mjs';
import { requireVsix, SpecVsCode, VSIX } from './lib/spec.mjs';
import { PollAbort, repoRoot } from './lib/workbench.mjs';

const MODEL = 'llama3.2:latest';
const TEST_TIMEOUT = 120_000;

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));
/** Whitespace-insensitive text, since markdown rendering reflows what was streamed. */
const squash = (text) => (text ?? '').replace(/\s+/g, ' ').trim();

/** A sentence stream whose every prefix is recognisable (numbered words, no markdown syntax). */
function longText(words) {
  return Array.from({ length: words }, (_, i) => `word${i + 1}`).join(' ') + '.';
}

const vscode = new SpecVsCode();
let fake;
let wb;
let stateDir;
let workspace;

describe('chat in a real VS Code', { timeout: 10 * 60_000 }, () => {
  before(async () => {
    requireVsix();
    for (const built of process.env.E2E_VSIX ? [] : ['dist/extension.js', 'dist/webview/main.js']) {
      const file = resolve(repoRoot, built);
      if (existsSync(file) && statSync(file).mtimeMs > statSync(VSIX).mtimeMs + 1000) {
        console.warn(`warning: ${built} is newer than dist/prototyper.vsix; the suite tests the VSIX (re-run scripts/package.sh to include it)`);
      }
    }
    fake = await startFakeProvider();
    stateDir = mkdtempSync(join(tmpdir(), 'prototyper-e2e-'));
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
        // VS Code in a browser saves after a delay by default; the desktop default is off, and the
        // tests check that the extension itself never saves.
        'files.autoSave': 'off',
      },
    });
  }, { timeout: 240_000 });

  // code-server's own output, and VS Code's logs (extension host, "Prototyper Sidecar" output).
  after(() => vscode.stop({ log: 'code-server.log', vsCodeLogs: 'logs', fake, stateDir }));

  it('streams an answer from the provider and shows its metrics', { timeout: TEST_TIMEOUT }, () =>
    scenario('1-stream', async () => {
      const answer = longText(60);
      await script([{ text: answer, chunkSize: 12, delayMs: 120 }]);
      await newChat();
      await sendMessage('Say sixty words, please.');

      await userMessageShows('Say sixty words, please.');
      const partial = await wb.poll('part of the answer, still streaming with a spinner', async () => {
        const turn = await lastAssistant();
        return turn && turn.spinner && turn.text.length > 0 && turn.text.length < squash(answer).length ? turn : null;
      });
      assert.ok(squash(answer).startsWith(partial.text), `the partial answer should be a prefix of the streamed text, got: ${partial.text}`);
      assert.equal(await stopButtonShown(), true, 'Send should turn into Stop while the answer streams');
      await wb.screenshot('1-stream-partial');

      const done = await answerFinished(squash(answer));
      assert.match(done.usage, /to first token/, `metrics under the answer: ${done.usage}`);
      assert.match(done.usage, /tok\/s/, `metrics under the answer: ${done.usage}`);
      assert.match(done.usage, /\d+ tokens/, `metrics under the answer: ${done.usage}`);
      assert.equal(await assistantCount(), 1, 'exactly one answer');

      const chats = await chatRequests();
      assert.equal(chats.length, 1, 'one request to the provider');
      assert.equal(chats[0].body.model, MODEL);
      const lastUser = chats[0].body.messages.filter((m) => m.role === 'user').at(-1);
      assert.equal(lastUser?.content, 'Say sixty words, please.');
    }));

  it('asks before write_file; Accept writes the file into the workspace', { timeout: TEST_TIMEOUT }, () =>
    scenario('2-permission-accept', async () => {
      const target = join(workspace, 'notes/hello.txt');
      await script([
          { toolCalls: [{ name: 'write_file', arguments: { path: 'notes/hello.txt', content: 'hi' } }] },
          { text: 'done', delayMs: 20 },
      ]);
      await newChat();
      await sendMessage('Write hi into notes/hello.txt');

      const card = await pendingPermission('write_file');
      assert.equal(card.subject, 'notes/hello.txt', `the permission card should show the path; card text: ${card.text}`);
      const added = await wb.chat.locator('.permission-card.pending .diff-line.add .diff-text').allInnerTexts();
      assert.deepEqual(added, ['hi'], `the card shows the content before Accept; card text: ${card.text}`);
      assert.match(card.text, /new file, 1 line\b/, `the card counts the lines: ${card.text}`);
      assert.equal(existsSync(target), false, 'nothing is written before the user accepts');
      await wb.screenshot('2-permission-card');
      await clickPermission('Accept');

      await wb.poll(`${target} to contain "hi"`, async () => existsSync(target) && readFileSync(target, 'utf8') === 'hi', {
        describe: async () => `exists: ${existsSync(target)}${existsSync(target) ? `, content: ${JSON.stringify(readFileSync(target, 'utf8'))}` : ''}`,
      });
      const tool = await toolCard('write_file', (t) => t.status === 'succeeded');
      assert.match(tool.text, /notes\/hello\.txt/, `tool card: ${tool.text}`);
      assert.match(tool.text, /Done/, `tool card: ${tool.text}`);
      assert.match(await permissionOutcome(), /Accepted/);
      await answerFinished('done');
    }));

  it('asks before write_file; Reject writes nothing and the model hears about it', { timeout: TEST_TIMEOUT }, () =>
    scenario('3-permission-reject', async () => {
      const target = join(workspace, 'notes/rejected.txt');
      const followUp = 'Understood, I did not write the file.';
      await script([
          { toolCalls: [{ name: 'write_file', arguments: { path: 'notes/rejected.txt', content: 'nope' } }] },
          { text: followUp, chunkSize: 6, delayMs: 30 },
      ]);
      await newChat();
      await sendMessage('Write nope into notes/rejected.txt');

      const card = await pendingPermission('write_file');
      assert.equal(card.subject, 'notes/rejected.txt', `the permission card should show the path; card text: ${card.text}`);
      await clickPermission('Reject');

      const tool = await toolCard('write_file', (t) => t.status === 'failed');
      assert.match(tool.text, /Failed/, `tool card: ${tool.text}`);
      assert.match(await permissionOutcome(), /Rejected/);
      await answerFinished(followUp);
      assert.equal(existsSync(target), false, `${target} must not exist after a rejection`);

      const chats = await chatRequests();
      assert.equal(chats.length, 2, 'the model is asked again after the rejection');
      const toolMessage = chats[1].body.messages.find((m) => m.role === 'tool');
      assert.match(toolMessage?.content ?? '', /reject/i, `the model should be told the call was rejected: ${JSON.stringify(toolMessage)}`);
    }));

  it('shows an ask_user_form, and the answers go back to the model', { timeout: TEST_TIMEOUT }, () =>
    scenario('4-ask-user-form', async () => {
      const fields = [
        { id: 'project', label: 'Project name', field_type: 'text', placeholder: 'my-app' },
        { id: 'framework', label: 'Framework', field_type: 'choice', choices: ['React', 'Preact', 'Svelte'] },
        { id: 'git', label: 'Initialise git?', field_type: 'confirm' },
      ];
      const followUp = 'Thanks, creating shop with Preact.';
      await script([
          { toolCalls: [{ name: 'ask_user_form', arguments: { title: 'Project details', fields } }] },
          { text: followUp, chunkSize: 6, delayMs: 30 },
      ]);
      await newChat();
      await sendMessage('Set up a project for me');

      const form = wb.chat.locator('.form-card.pending');
      await wb.poll('the form card "Project details" with three fields', async () => {
        await lastAssistant();
        return (await form.locator('.form-field').count()) === 3 && /Project details/.test(await form.innerText({ timeout: 1000 }));
      });
      const submit = form.locator('vscode-button', { hasText: 'Submit' });
      assert.notEqual(await submit.getAttribute('disabled'), null, 'Submit stays disabled until the fields are filled');

      await form.locator('[data-field-id="project"] vscode-text-field').click();
      await wb.page.keyboard.type('shop');
      await form.locator('[data-field-id="framework"] vscode-radio', { hasText: 'Preact' }).click();
      await form.locator('[data-field-id="git"] vscode-radio', { hasText: 'Yes' }).click();
      await wb.poll('Submit to be enabled once every field is filled', async () => (await submit.getAttribute('disabled', { timeout: 1000 })) === null);
      await wb.screenshot('4-form-filled');
      await submit.click();

      await wb.poll('the form card to show the answers', async () => {
        const text = await wb.chat.locator('.form-card').last().innerText({ timeout: 1000 });
        return /Answered:/.test(text) && /shop/.test(text) && /Preact/.test(text) ? text : null;
      });
      await answerFinished(followUp);
      const chats = await chatRequests();
      assert.equal(chats.length, 2, 'the model is asked again with the answers');
      const toolMessage = chats[1].body.messages.find((m) => m.role === 'tool');
      assert.ok(toolMessage, `the second request should carry a tool message; messages: ${JSON.stringify(chats[1].body.messages)}`);
      assert.deepEqual(JSON.parse(toolMessage.content), { project: 'shop', framework: 'Preact', git: 'Yes' });
    }));

  it('stops a streaming answer', { timeout: TEST_TIMEOUT }, () =>
    scenario('5-stop', async () => {
      const answer = longText(400);
      await script([{ text: answer, chunkSize: 8, delayMs: 100 }]);
      await newChat();
      await sendMessage('Talk for a long time');

      await wb.poll('at least 40 characters of the answer', async () => {
        const turn = await lastAssistant();
        return turn?.spinner && turn.text.length >= 40 ? turn : null;
      });
      await wb.chat.locator('vscode-button.stop-button').click();

      const stopped = await wb.poll('the answer to end after Stop (no spinner, Send back)', async () => {
        const turn = await lastAssistant();
        return turn && !turn.spinner && !(await stopButtonShown()) ? turn : null;
      });
      assert.ok(stopped.text.length < squash(answer).length, 'the answer was cut short');
      assert.ok(squash(answer).startsWith(stopped.text), `the kept text should be a prefix of the stream: ${stopped.text}`);
      assert.match(stopped.note, /Stopped/, `the turn should say it was stopped: ${JSON.stringify(stopped)}`);
      // A short settle: nothing more may arrive once the turn has ended.
      await sleep(1500);
      const later = await lastAssistant();
      assert.equal(later.text, stopped.text, 'the text must not grow after Stop');
      assert.equal(later.spinner, false);

      const chats = await wb.poll('the provider to see the request aborted', async () => {
        const all = await chatRequests();
        return all.length === 1 && all[0].aborted ? all : null;
      }, { timeout: 10_000, describe: async () => JSON.stringify((await chatRequests()).map((r) => ({ path: r.path, aborted: r.aborted }))) });
      assert.equal(chats[0].aborted, true);
    }));

  it('Apply to File shows the change in the editor; Reject keeps the file, Accept changes only the editor', { timeout: TEST_TIMEOUT }, () =>
    scenario('7-apply-to-file', async () => {
      const file = join(workspace, 'src/greeting.ts');
      const onDisk = readFileSync(file, 'utf8');
      const proposal = onDisk.replace('Hello, ${name}!', 'Hi, ${name}!');
      await script([{ text: `Here is the new src/greeting.ts:\n\n\`\`\`ts\n${proposal}\`\`\`\n`, delayMs: 20 }]);
      await newChat();
      await sendMessage('Shorten src/greeting.ts');
      const apply = wb.chat.locator('.code-block button[aria-label="Apply to File"]').last();
      await wb.poll('the answer with an Apply to File button', async () => {
        const turn = await lastAssistant();
        return turn && !turn.spinner && (await apply.count()) === 1;
      });

      // Reject first (Escape): the diff was shown in the editor; nothing changes.
      await apply.click();
      await applyReview();
      await wb.page.keyboard.press('Escape');
      await wb.poll('the code block to say "Not applied"', async () => (await wb.chat.locator('.code-block .code-note', { hasText: 'Not applied' }).count()) > 0);
      await wb.poll('Reject to leave the file as it was, unchanged', async () => !(await activeTabDirty()), { dumpChat: false });
      // The next review is told apart from this one by its own Accept and Reject.
      await wb.poll('the rejected review\'s Accept and Reject to leave the editor', async () => (await reviewLenses()).length === 0, { timeout: 10_000, dumpChat: false });

      await apply.click();
      await applyReview();
      await wb.page.keyboard.press('Tab');
      await wb.poll('greeting.ts open with the proposal, unsaved', async () => {
        const tab = wb.page.locator('.tabs-container .tab.active', { hasText: 'greeting.ts' });
        if ((await tab.count()) === 0 || !((await tab.getAttribute('class', { timeout: 1000 })) ?? '').includes('dirty')) return false;
        const text = await wb.page.locator('.editor-group-container.active .monaco-editor .view-lines').first().innerText({ timeout: 1000 });
        return squash(text.replace(/\u00a0/g, ' ')).includes('Hi, ${name}!') && !text.includes('Hello');
      }, { describe: async () => `tabs: ${JSON.stringify(await wb.page.locator('.tabs-container .tab').evaluateAll((tabs) => tabs.map((t) => `${t.textContent} [${t.className}]`)))}; on disk: ${readFileSync(file, 'utf8')}` });
      await wb.poll('the code block to say "Applied"', async () => (await wb.chat.locator('.code-block .code-note', { hasText: 'Applied' }).count()) > 0);
      assert.equal(readFileSync(file, 'utf8'), onDisk, 'the file on disk is not saved for the user');
      await wb.runCommand('File: Revert File');
      await wb.openChat();
    }));

  it('deletes a chat from history only after the confirmation', { timeout: TEST_TIMEOUT }, () =>
    scenario('8-delete-chat', async () => {
      await script([{ text: 'Noted.', delayMs: 20 }]);
      await newChat();
      await sendMessage('Remember the deletable chat');
      await answerFinished('Noted.');
      await wb.chat.locator('.header vscode-button[aria-label="Chat history"]').click();
      const entry = wb.chat.locator('.history-list li', { hasText: 'Remember the deletable chat' });
      await wb.poll('the chat in history', async () => (await entry.count()) === 1);

      await entry.locator('vscode-button[aria-label^="Delete"]').click();
      await wb.poll('the delete confirmation', async () => (await wb.page.locator('.monaco-dialog-box', { hasText: 'Delete "Remember the deletable chat"?' }).count()) === 1);
      await wb.page.locator('.monaco-dialog-box .monaco-button', { hasText: 'Cancel' }).click();
      await sleep(500);
      assert.equal(await entry.count(), 1, 'Cancel keeps the chat');

      await entry.locator('vscode-button[aria-label^="Delete"]').click();
      await wb.page.locator('.monaco-dialog-box .monaco-button', { hasText: 'Delete' }).click();
      await wb.poll('the chat to leave history', async () => (await entry.count()) === 0);
      await wb.chat.locator('.history vscode-button[aria-label="Close history"]').click();
    }));

  it('keeps the transcript whole across a window reload mid-stream', { timeout: 180_000 }, () =>
    scenario('6-reload', async () => {
      const question = 'Keep talking while I reload';
      const answer = longText(400);
      await script([{ text: answer, chunkSize: 8, delayMs: 100 }]);
      await newChat();
      await sendMessage(question);

      const before = await wb.poll('at least 60 characters of the answer before the reload', async () => {
        const turn = await lastAssistant();
        return turn?.spinner && turn.text.length >= 60 ? turn : null;
      });
      // Lets the webview's debounced state write (250 ms) cover what is on screen.
      await sleep(600);

      const navigated = wb.page.waitForEvent('framenavigated', { predicate: (frame) => frame === wb.page.mainFrame(), timeout: 60_000 });
      await wb.runCommand('Developer: Reload Window');
      await navigated;
      await wb.waitForWorkbench();
      await wb.openChat();

      const restored = await wb.poll('the restored answer to settle without a spinner', async () => {
        const turn = await lastAssistant({ errorExpected: true });
        return turn && !turn.spinner && turn.text.length > 0 ? turn : null;
      }, { timeout: 30_000 });
      assert.equal(await userMessageCount(question), 1, 'the user message is there exactly once');
      assert.equal(await assistantCount(), 1, 'exactly one answer after the reload');
      assert.ok(restored.text.length >= 20, `the partial answer should be kept (had ${before.text.length} characters before the reload): ${restored.text}`);
      assert.ok(squash(answer).startsWith(restored.text), `the restored text should be a prefix of the stream, nothing doubled: ${restored.text}`);
      assert.match(restored.error, /interrupted/i, `the answer should say it was interrupted: ${JSON.stringify(restored)}`);

      // A short settle: an interrupted answer must not resume growing.
      await sleep(1500);
      const later = await lastAssistant({ errorExpected: true });
      assert.equal(later.text, restored.text, 'the text must not change after the reload settled');
      assert.equal(later.spinner, false, 'no spinner after the reload');

      // The old window's sidecar went with its extension host: nothing keeps pulling the answer.
      await wb.poll('the provider to see the interrupted request closed', async () => {
        const all = await chatRequests();
        return all.length === 1 && all[0].aborted;
      }, { timeout: 15_000, describe: async () => JSON.stringify((await chatRequests()).map((r) => ({ path: r.path, aborted: r.aborted }))) });
    }));
});

// ---- steps ---------------------------------------------------------------------------------------

/** Runs a test body, then screenshots the window whatever the outcome. */
async function scenario(name, body) {
  try {
    await body();
  } finally {
    await wb?.screenshot(name).catch((error) => console.error(`screenshot ${name} failed: ${error.message}`));
  }
}

/** Scripts the provider's next answers, after forgetting earlier queues and recorded requests. */
async function script(answers) {
  await fake.reset();
  await fake.script({ ollama: answers });
}

/** Starts an empty chat from the header. */
async function newChat() {
  await wb.chat.locator('.header vscode-button[aria-label="New chat"]').click();
  await wb.poll('an empty chat (the welcome text)', async () => (await wb.chat.locator('.message').count()) === 0 && (await wb.chat.locator('.welcome').count()) === 1);
}

/** The provider's chat requests since the test scripted it. */
async function chatRequests() {
  return (await fake.requests()).filter((r) => r.method === 'POST' && r.path === '/api/chat');
}

async function sendMessage(text) {
  const input = wb.chat.locator('.composer vscode-text-area.composer-input');
  await input.click();
  await wb.page.keyboard.type(text);
  await wb.poll(`the composer to hold "${text}" with Send enabled`, async () => {
    const value = await input.evaluate((el) => el.value, undefined, { timeout: 1000 });
    const disabled = await wb.chat.locator('vscode-button.send-button').getAttribute('disabled', { timeout: 1000 });
    return value === text && disabled === null;
  });
  await wb.page.keyboard.press('Enter');
  await wb.poll(`the message "${text}" to be sent`, async () => (await userMessageCount(text)) >= 1);
}

async function userMessageShows(text) {
  await wb.poll(`the user message "${text}"`, async () => (await userMessageCount(text)) === 1);
}

async function userMessageCount(text) {
  return wb.chat.locator('.message.user .user-text').evaluateAll((els, t) => els.filter((el) => el.textContent.trim() === t).length, text);
}

async function assistantCount() {
  return wb.chat.locator('.message.assistant').count();
}

/**
 * What the newest answer shows: its text, spinner, error line, note and metrics. An error line
 * ends the caller's wait at once (PollAbort) unless the test expects one.
 */
async function lastAssistant({ errorExpected = false } = {}) {
  const turns = wb.chat.locator('.message.assistant');
  if ((await turns.count()) === 0) return null;
  const turn = await turns.last().evaluate((el) => {
    const text = [...el.querySelectorAll('.text-part .markdown')].map((m) => m.textContent).join(' ');
    return {
      text: text.replace(/\s+/g, ' ').trim(),
      spinner: !!el.querySelector('.generating') || el.getAttribute('aria-busy') === 'true',
      error: el.querySelector('.message-error')?.textContent.trim() ?? '',
      note: el.querySelector('.message-note')?.textContent.trim() ?? '',
      usage: el.querySelector('.usage')?.textContent.trim() ?? '',
    };
  }, undefined, { timeout: 2000 });
  if (turn.error && !errorExpected) throw new PollAbort(`The answer failed with "${turn.error}"`);
  return turn;
}

/** Waits until the newest answer is finished (no spinner, metrics shown) with exactly `text`. */
async function answerFinished(text) {
  return wb.poll(`the finished answer "${text.slice(0, 60)}…" with metrics`, async () => {
    const turn = await lastAssistant();
    return turn && !turn.spinner && turn.text.endsWith(text) && turn.usage ? turn : null;
  }, { timeout: 30_000 });
}

async function stopButtonShown() {
  return (await wb.chat.locator('vscode-button.stop-button').count()) > 0;
}

/** Waits for the pending permission card of `tool`; returns its path line and text. */
async function pendingPermission(tool) {
  return wb.poll(`a permission card for ${tool}`, async () => {
    await lastAssistant();
    const card = wb.chat.locator('.permission-card.pending').last();
    if ((await wb.chat.locator('.permission-card.pending').count()) === 0) return null;
    const text = await card.innerText({ timeout: 1000 });
    if (!text.includes(tool)) return null;
    // A file change shows its path above the proposed diff; other tools show their subject.
    const subject = card.locator('.proposal-path, .permission-subject pre').first();
    return { text, subject: (await subject.innerText({ timeout: 1000 })).trim() };
  });
}

/** Waits for Apply to File's diff in the editor: its Accept/Reject lens above the change. */
async function applyReview() {
  await wb.poll('the change shown in the editor with Accept and Reject', async () => {
    const lenses = await reviewLenses();
    return lenses.some((text) => text.includes('Accept (Tab)')) && lenses.some((text) => text.includes('Reject (Esc)'));
  }, { dumpChat: false });
  // Tab and Escape go to the editor: it has the keyboard, as the user sees by its cursor.
  await wb.poll('the editor under review to have the keyboard', async () => (await wb.page.locator('.editor-group-container.active .monaco-editor.focused').count()) > 0, { timeout: 10_000, dumpChat: false });
}

/** The Prototyper CodeLens titles (Accept, Reject) shown in the active editor. */
async function reviewLenses() {
  const lenses = await wb.page.locator('.editor-group-container.active .codelens-decoration a').allInnerTexts();
  return lenses.filter((text) => /Accept|Reject/.test(text));
}

async function activeTabDirty() {
  return ((await wb.page.locator('.tabs-container .tab.active').getAttribute('class')) ?? '').includes('dirty');
}

async function clickPermission(label) {
  await wb.chat.locator('.permission-card.pending vscode-button', { hasText: label }).first().click();
}

async function permissionOutcome() {
  return wb.poll('the permission card to show its outcome', async () => wb.chat.locator('.permission-card .prompt-outcome').last().innerText({ timeout: 1000 }));
}

/**
 * Waits for the newest tool card of `tool` to satisfy `ok`; returns { status, text }. A card whose
 * text is not laid out yet (empty innerText while the view re-renders) is waited for, not judged.
 */
async function toolCard(tool, ok) {
  return wb.poll(`the ${tool} tool card to reach its end state`, async () => {
    await lastAssistant();
    const cards = wb.chat.locator('.tool-card', { has: wb.chat.locator('.tool-name', { hasText: tool }) });
    if ((await cards.count()) === 0) return null;
    const card = cards.last();
    const status = ((await card.getAttribute('class', { timeout: 1000 })) ?? '').match(/status-(\w+)/)?.[1];
    const value = { status, text: (await card.innerText({ timeout: 1000 })).replace(/\s+/g, ' ').trim() };
    return value.text !== '' && ok(value) ? value : null;
  });
}
