// End-to-end tests of new projects as a user meets them, in a real VS Code (code-server) with the
// packaged VSIX: "New Project…" from the empty chat's button through the wizard (QuickPick, name,
// VS Code's folder dialog, description, package manager) puts the project on disk with npm's
// install and opens it, where the tailoring chat starts from the description; then "Run Dev
// Server" shows the page in the Simple Browser, the status bar shows the server, and "Stop Dev
// Server" stops it. Screenshots go to test-results/e2e/.
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startFakeProvider } from './lib/fakeProvider.mjs';
import { requireVsix, SpecVsCode } from './lib/spec.mjs';

const MODEL = 'llama3.2:latest';
const NAME = 'tea-site';
const DESCRIPTION = 'a landing page for a tea shop';
const ANSWER = 'I will turn the template into a tea shop landing page.';

const vscode = new SpecVsCode();
let fake;
let wb;
let stateDir;
let projects;
let devServerUrl;

describe('new projects in a real VS Code', { timeout: 15 * 60_000 }, () => {
  before(async () => {
    requireVsix();
    fake = await startFakeProvider();
    stateDir = mkdtempSync(join(tmpdir(), 'prototyper-e2e-scaffold-'));
    const workspace = join(stateDir, 'workspace');
    cpSync(resolve(import.meta.dirname, 'sample-workspace'), workspace, { recursive: true });
    projects = join(stateDir, 'projects');
    mkdirSync(projects);
    wb = await vscode.start({
      stateDir,
      workspace,
      open: 'chat',
      settings: {
        'prototyper.provider': 'ollama',
        'prototyper.ollama.host': fake.base,
        'prototyper.model': MODEL,
        'prototyper.packageManager': 'npm',
        'workbench.welcomePage.walkthroughs.openOnInstall': false,
        'files.hotExit': 'off',
        // The folder dialog as VS Code shows it in a browser: a path box in the quick input.
        'files.simpleDialog.enable': true,
      },
    });
  }, { timeout: 240_000 });

  after(() => vscode.stop({ log: 'scaffold-code-server.log', fake, stateDir }));

  it('New Project puts the project on disk, opens it, and starts the tailoring chat', { timeout: 8 * 60_000 }, async () => {
    await fake.script({ ollama: [{ text: ANSWER, chunkSize: 8, delayMs: 20 }] });
    const project = join(projects, NAME);

    // The empty chat's button starts the wizard.
    await wb.chat.locator('.welcome vscode-button', { hasText: 'New Project' }).click();
    await pick('New Project (1/5)', 'Static site');
    await wb.screenshot('scaffold-1-name');
    await type('the project\'s name', NAME);
    await wb.poll('the folder dialog', async () => /the folder to create "tea-site" in/.test(await quickInputText()), { dumpChat: false });
    await type('the folder dialog', `${projects}/`);
    await type('what to build', DESCRIPTION);
    await pick('install the dependencies with', 'npm');

    // The progress notification, then the choice of where to open it.
    const done = await wb.poll('the "created tea-site" notification', async () => {
      const toast = wb.page.locator('.notifications-toasts .notification-toast', { hasText: `created ${NAME}` });
      return (await toast.count()) > 0 ? toast.first() : null;
    }, { timeout: 5 * 60_000, dumpChat: false, describe: notificationsText });
    await wb.screenshot('scaffold-2-created');
    assert.ok(existsSync(join(project, 'index.html')), 'the template files are on disk');
    assert.ok(existsSync(join(project, 'node_modules/.bin/vite')), 'npm installed the dependencies');
    assert.equal(JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')).name, NAME);
    await done.locator('.monaco-button', { hasText: 'Open Here' }).click();

    // The window reloads on the new project, whose chat starts from the description.
    await wb.poll('the workbench on the new project', async () => decodeURIComponent(wb.page.url()).includes(project), { timeout: 60_000, dumpChat: false });
    await wb.waitForWorkbench();
    await wb.poll('the explorer to list index.html', async () => (await wb.page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'index.html' }).count()) > 0, {
      timeout: 60_000,
      dumpChat: false,
    });
    const user = await wb.poll('the tailoring message in the chat', async () => {
      const texts = await wb.chat.locator('.message.user .user-text').allInnerTexts();
      return texts.find((text) => text.includes(DESCRIPTION)) ?? null;
    }, { timeout: 90_000 });
    assert.match(user, /^This project was just created from the Static site template/);
    await wb.poll('the agent\'s answer', async () => (await wb.chat.locator('.message.assistant').innerText({ timeout: 1000 })).includes(ANSWER), { timeout: 30_000 });
    const request = (await fake.requests()).filter((r) => r.method === 'POST' && r.path === '/api/chat').at(-1);
    const system = request.body.messages.find((m) => m.role === 'system')?.content ?? '';
    assert.match(system, /created from Prototyper's Static site template/, 'the system prompt knows the template');
    await wb.screenshot('scaffold-3-tailoring-chat');
  });

  it('Run Dev Server shows the page in the Simple Browser, and Stop Dev Server stops it', { timeout: 4 * 60_000 }, async () => {
    await wb.runCommand('Prototyper: Run Dev Server');
    const browserFrame = wb.page
      .frameLocator('iframe.webview[src*="extensionId=vscode.simple-browser"]')
      .frameLocator('iframe#active-frame')
      .frameLocator('iframe');
    const heading = await wb.poll('the page in the Simple Browser', async () => {
      const text = await browserFrame.locator('h1').innerText({ timeout: 1000 });
      return text || null;
    }, { timeout: 90_000, dumpChat: false, describe: notificationsText });
    assert.equal(heading, 'Tea Site');
    const status = await wb.poll('the dev server in the status bar', async () => {
      const item = wb.page.locator('.statusbar-item', { hasText: 'localhost:' });
      return (await item.count()) > 0 ? item.first().innerText() : null;
    }, { dumpChat: false });
    devServerUrl = `http://${status.trim()}/`;
    assert.equal((await fetch(devServerUrl)).ok, true, `${devServerUrl} answers`);
    await wb.screenshot('scaffold-4-simple-browser');

    await wb.runCommand('Prototyper: Stop Dev Server');
    await wb.poll('the status bar item to go', async () => (await wb.page.locator('.statusbar-item', { hasText: 'localhost:' }).count()) === 0, { dumpChat: false });
    await wb.poll(`${devServerUrl} to stop answering`, async () => {
      try {
        await fetch(devServerUrl, { signal: AbortSignal.timeout(1000) });
        return false;
      } catch {
        return true;
      }
    }, { timeout: 20_000, dumpChat: false });
  });
});

async function quickInputText() {
  return wb.page.locator('.quick-input-widget').innerText({ timeout: 1000 }).catch(() => '');
}

async function notificationsText() {
  const text = await wb.page.locator('.notifications-toasts').innerText({ timeout: 1000 }).catch(() => '');
  return `notifications: ${text || '(none)'}`;
}

/** In the open QuickPick whose text mentions `step`, filters for `label` and accepts it. */
async function pick(step, label) {
  const input = wb.page.locator('.quick-input-widget input.input');
  await wb.poll(`the "${step}" pick`, async () => (await quickInputText()).includes(step), { dumpChat: false, timeout: 30_000 });
  await input.fill(label);
  await wb.poll(`"${label}" to be the highlighted entry`, async () => {
    const row = await wb.page.locator('.quick-input-list .monaco-list-row.focused').getAttribute('aria-label', { timeout: 1000 });
    return row?.startsWith(label);
  }, { dumpChat: false });
  await wb.page.keyboard.press('Enter');
}

/**
 * Types `text` into the open input box (whose text mentions `step`) and accepts it. VS Code's folder
 * dialog fills its box with the starting folder once it has listed it, which would replace text
 * typed before; so the text is typed once that has happened, and typed again if the box was
 * rewritten under it, as a user would.
 */
async function type(step, text) {
  const input = wb.page.locator('.quick-input-widget input.input');
  const folderDialog = step === 'the folder dialog';
  await wb.poll(`the "${step}" input`, async () => folderDialog || (await quickInputText()).includes(step), { dumpChat: false, timeout: 30_000 });
  if (folderDialog) {
    // Its list (with at least "..") appears in the same step that sets the box to the folder.
    await wb.poll('the folder dialog to list its starting folder', async () => (await wb.page.locator('.quick-input-list .monaco-list-row').count()) > 0 && (await input.inputValue()).endsWith('/'), {
      dumpChat: false,
      timeout: 30_000,
      describe: async () => `value: ${JSON.stringify(await input.inputValue())}`,
    });
  }
  await input.fill(text);
  await wb.poll(`the input to hold "${text}" without a validation error`, async () => {
    const value = await input.inputValue();
    if (value !== text) {
      await input.fill(text);
      return false;
    }
    return !(await quickInputBusy()) && (await validationErrors()) === 0;
  }, {
    dumpChat: false,
    describe: async () => `value: ${JSON.stringify(await input.inputValue())}; busy: ${await quickInputBusy()}; message: ${JSON.stringify(await wb.page.locator('.quick-input-widget .quick-input-message').innerText({ timeout: 1000 }).catch(() => ''))}`,
  });
  await wb.page.keyboard.press('Enter');
}

async function validationErrors() {
  return wb.page.locator('.quick-input-widget .quick-input-message.message-error, .quick-input-widget .inputbox.error').count();
}

/** The quick input's progress bar, which runs while the folder dialog reads a folder for long. */
async function quickInputBusy() {
  return (await wb.page.locator('.quick-input-widget .quick-input-progress .monaco-progress-container.active').count()) > 0;
}
