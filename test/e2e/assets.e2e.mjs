// End-to-end tests of image generation and export as a user meets them: the packaged VSIX in a
// real VS Code (code-server) with a fake Bonsai install (test/fake-bonsai) configured as the image
// server. "Generate Image…" is driven through the palette and its prompt box, and the image must
// show in the Generated Images view; "Export Project…" goes through VS Code's own save dialog and
// must write a zip without the workspace's secrets. Screenshots go to test-results/e2e/.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createFakeInstall } from '../fake-bonsai/install.mjs';
import { freePort } from './lib/codeServer.mjs';
import { EXTENSION_ID, requireVsix, SpecVsCode } from './lib/spec.mjs';

const TEST_TIMEOUT = 180_000;
const SECRET = 'sk-live-e2e-SECRET-4242';
const PROMPT = 'A lighthouse on a cliff at dusk';

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

const vscode = new SpecVsCode();
let wb;
let stateDir;
let workspace;

describe('images and export in a real VS Code', { timeout: 10 * 60_000 }, () => {
  before(async () => {
    requireVsix();
    stateDir = mkdtempSync(join(tmpdir(), 'prototyper-e2e-assets-'));
    workspace = join(stateDir, 'shop');
    cpSync(resolve(import.meta.dirname, 'sample-workspace'), workspace, { recursive: true });
    writeFileSync(join(workspace, 'package.json'), JSON.stringify({ name: 'shop', scripts: { dev: 'vite' } }, null, 2));
    writeFileSync(join(workspace, '.env'), `STRIPE_KEY=${SECRET}\n`);
    mkdirSync(join(workspace, 'node_modules/left-pad'), { recursive: true });
    writeFileSync(join(workspace, 'node_modules/left-pad/index.js'), 'module.exports = 1;\n');
    // The image server config lives in the extension's global storage; point it at the fake install.
    const install = createFakeInstall(join(stateDir, 'Bonsai-Image-Demo'));
    const storage = join(stateDir, 'code-server/user-data/User/globalStorage', EXTENSION_ID.toLowerCase());
    mkdirSync(storage, { recursive: true });
    writeFileSync(join(storage, 'bonsai-config.json'), JSON.stringify({ installPath: install, port: await freePort(), variant: 'ternary', autoStopTimeoutSecs: 120 }));
    wb = await vscode.start({
      stateDir,
      workspace,
      settings: {
        'workbench.welcomePage.walkthroughs.openOnInstall': false,
        'files.hotExit': 'off',
        // VS Code's own save dialog (a path in the quick input), the same in a browser and on the desktop.
        'files.simpleDialog.enable': true,
        // The theme follows the browser's colour scheme, so the test can look at both.
        'window.autoDetectColorScheme': true,
      },
    });
  }, { timeout: 240_000 });

  after(() => vscode.stop({ log: 'code-server-assets.log', stateDir }));

  it('Generate Image starts the image server and shows the image in the Generated Images view', { timeout: TEST_TIMEOUT }, () => scenario('assets-1', async () => {
    await wb.runCommand('Prototyper: Generate Image…');
    const input = wb.page.locator('.quick-input-widget input.input');
    await input.waitFor({ state: 'visible' });
    await input.fill(PROMPT);
    await wb.page.keyboard.press('Enter');

    const folder = join(workspace, 'assets/generated');
    const png = await wb.poll('the generated PNG in assets/generated', async () => {
      const names = existsSync(folder) ? readdirSync(folder).filter((n) => n.endsWith('.png')) : [];
      return names[0] ?? null;
    }, { timeout: 90_000, dumpChat: false, describe: notifications });
    assert.match(png, /^bonsai_\d+_\d+\.png$/);
    assert.deepEqual([...readFileSync(join(folder, png)).subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.equal(JSON.parse(readFileSync(join(folder, png.replace(/\.png$/, '.json')), 'utf8')).prompt, PROMPT);

    const row = await wb.poll('the image in the Generated Images view, labelled with its prompt', async () => {
      const rows = imagesView().locator('.monaco-list-row');
      const labels = await rows.evaluateAll((els) => els.map((el) => el.getAttribute('aria-label') ?? el.textContent));
      return labels.find((label) => label.includes(PROMPT)) ?? null;
    }, { timeout: 30_000, dumpChat: false, describe: notifications });
    assert.ok(row.includes(png), `the row names the file too: ${row}`);
    // Its thumbnail is the image itself.
    const icon = await imagesView().locator('.monaco-list-row .custom-view-tree-node-item-icon').first().evaluate((el) => getComputedStyle(el).backgroundImage);
    assert.match(icon, /bonsai_\d+_\d+\.png/);
    // The image opened in VS Code's image preview, and the status bar shows the running server.
    await wb.poll('an editor tab for the image', async () => (await wb.page.locator('.tabs-container .tab', { hasText: png }).count()) > 0, { dumpChat: false });
    await wb.poll('the image server in the status bar', async () => (await wb.page.locator('.statusbar-item', { hasText: 'Image server' }).count()) > 0, { dumpChat: false });
    await sleep(1500); // the image preview paints
    await wb.screenshot('assets-1-generated-image');

    // Hovering the row previews the image; seen in both themes and at a narrow width.
    await imagesView().locator('.monaco-list-row').first().hover();
    const preview = await wb.poll('the hover with the image preview', async () => {
      const images = await wb.page.locator('.monaco-hover img').evaluateAll((els) => els.map((el) => el.getAttribute('src') ?? ''));
      return images.find((src) => src.includes(png)) ?? null;
    }, { dumpChat: false });
    assert.ok(preview);
    await sleep(500);
    await wb.screenshot('assets-1b-preview-hover');
    await wb.page.emulateMedia({ colorScheme: 'dark' });
    await wb.poll('the dark theme', async () => (await wb.page.locator('.monaco-workbench.vs-dark').count()) > 0, { dumpChat: false });
    await wb.page.setViewportSize({ width: 760, height: 700 });
    await wb.page.mouse.move(700, 650);
    await sleep(800);
    await wb.screenshot('assets-1c-dark-narrow');
    await wb.page.setViewportSize({ width: 1280, height: 800 });
    await wb.page.emulateMedia({ colorScheme: 'light' });
  }));

  it('Export Project writes a zip without node_modules or .env secrets', { timeout: TEST_TIMEOUT }, () => scenario('assets-2', async () => {
    const target = join(stateDir, 'exports', 'shop-export.zip');
    mkdirSync(join(stateDir, 'exports'), { recursive: true });
    await wb.runCommand('Prototyper: Export Project…');
    const input = wb.page.locator('.quick-input-widget input.input');
    await input.waitFor({ state: 'visible' });
    await wb.poll('the save dialog to suggest shop.zip', async () => (await input.inputValue()).endsWith('shop.zip'), { dumpChat: false });
    await input.fill(target);
    // The dialog checks the typed path before it accepts; OK until it closes.
    await wb.poll('the save dialog to accept the path', async () => {
      if (!(await input.isVisible())) return true;
      await wb.page.locator('.quick-input-widget .monaco-button', { hasText: 'OK' }).click({ timeout: 1000 }).catch(() => {});
      await sleep(300);
      return !(await input.isVisible());
    }, { dumpChat: false });

    await wb.poll('the notification that the project was exported', async () => {
      const text = await notifications();
      return text.includes('was exported') && text.includes('shop-export.zip') ? text : null;
    }, { timeout: 60_000, dumpChat: false, describe: notifications });
    assert.ok(existsSync(target), `${target} was written`);
    const listing = execFileSync('unzip', ['-Z1', target], { encoding: 'utf8' }).split('\n').filter(Boolean).sort();
    assert.ok(listing.includes('package.json') && listing.includes('src/greeting.ts') && listing.includes('.env.example'), listing.join(', '));
    assert.ok(!listing.some((name) => name.startsWith('node_modules/') || name === '.env'), listing.join(', '));
    assert.ok(listing.some((name) => /^assets\/generated\/bonsai_.*\.png$/.test(name)), 'the generated image is part of the project');
    const content = execFileSync('unzip', ['-p', target], { encoding: 'latin1', maxBuffer: 64 * 1024 * 1024 });
    assert.ok(!content.includes(SECRET), 'no secret from .env is in the zip');
    assert.match(execFileSync('unzip', ['-p', target, '.env.example'], { encoding: 'utf8' }), /^STRIPE_KEY=$/m);
    await wb.screenshot('assets-2-exported');
  }));
});

/** Runs a test body; on failure keeps a screenshot of what the workbench showed, and closes what it left open. */
async function scenario(name, body) {
  try {
    await body();
  } catch (error) {
    await wb.screenshot(`${name}-failed`).catch(() => {});
    await wb.page.keyboard.press('Escape').catch(() => {});
    throw error;
  }
}

/** The Generated Images view's pane in the Prototyper side bar. */
function imagesView() {
  return wb.page.locator('.pane', { has: wb.page.locator('.pane-header', { hasText: 'Generated Images' }) });
}

/** The notifications VS Code shows, for waits and failure messages. */
async function notifications() {
  const toasts = await wb.page.locator('.notification-toast').allInnerTexts().catch(() => []);
  return toasts.join('\n---\n').replace(/\s+/g, ' ');
}
