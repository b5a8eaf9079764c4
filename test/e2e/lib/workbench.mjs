// Drives the VS Code workbench that code-server serves, in Debian Chromium through playwright-core:
// launching the browser, the command palette, the chat webview two iframes deep, explicit polling
// waits whose failures show what the chat displayed, and screenshots.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium } from 'playwright-core';

export const repoRoot = resolve(import.meta.dirname, '../../..');
export const resultsDir = resolve(repoRoot, 'test-results/e2e');

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export function launchBrowser() {
  return chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
}

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

/** Thrown by a poll's probe when waiting longer cannot help (the answer already failed). */
export class PollAbort extends Error {}

/**
 * The workbench page plus the chat webview of extension `extensionId`. Every wait is a poll with a
 * deadline; on timeout the error says what was awaited, the last value seen and the chat's text.
 */
export class Workbench {
  constructor(page, extensionId) {
    this.page = page;
    this.extensionId = extensionId;
    /** Console errors of the workbench and its webviews, newest last (for failure reports). */
    this.consoleErrors = [];
    page.on('console', (message) => {
      if (message.type() === 'error') this.consoleErrors.push(`${message.location()?.url ?? ''}: ${message.text()}`.slice(0, 400));
    });
    page.on('pageerror', (error) => this.consoleErrors.push(`pageerror: ${error.message}`.slice(0, 400)));
  }

  /** The chat's DOM: the outer webview iframe of our extension, then its active frame. */
  get chat() {
    return this.page.frameLocator(`iframe.webview[src*="extensionId=${this.extensionId}"]`).frameLocator('iframe#active-frame');
  }

  async open(url) {
    await this.page.goto(url);
    await this.waitForWorkbench();
  }

  async waitForWorkbench() {
    await this.page.locator('.monaco-workbench').waitFor({ timeout: 90_000 });
    // The palette needs the workbench's keybinding service, which comes a little after the DOM.
    await this.page.locator('.monaco-workbench .part.activitybar').waitFor({ timeout: 30_000 });
  }

  /**
   * Runs a command from the palette (F1) by its full title, e.g. "Prototyper: Focus Chat". The
   * palette lists the commands known when it opens, so while the extension is still registering
   * its contributions it is closed and opened again until the title is the highlighted entry.
   */
  async runCommand(title) {
    const input = this.page.locator('.quick-input-widget input.input');
    const row = this.page.locator('.quick-input-list .monaco-list-row.focused');
    const highlighted = () => row.getAttribute('aria-label', { timeout: 500 }).catch(() => null);
    await this.poll(`"${title}" to be the highlighted palette entry`, async () => {
      if (!(await input.isVisible())) {
        await this.page.keyboard.press('F1');
        await input.waitFor({ state: 'visible', timeout: 5000 });
      }
      await input.fill(`>${title}`);
      const deadline = Date.now() + 3000;
      while (Date.now() < deadline) {
        if ((await highlighted())?.startsWith(title)) return true;
        await sleep(100);
      }
      await this.page.keyboard.press('Escape');
      await input.waitFor({ state: 'hidden', timeout: 5000 }).catch(() => {});
      return false;
    }, { timeout: 45_000, dumpChat: false, describe: async () => `highlighted: ${(await highlighted()) ?? '(none)'}` });
    await this.page.keyboard.press('Enter');
    await input.waitFor({ state: 'hidden', timeout: 10_000 });
  }

  /** Opens (or focuses) the chat view and waits until the webview shows its composer with a model. */
  async openChat() {
    await this.runCommand('Prototyper: Focus Chat');
    await this.poll('the chat webview to show its composer and the configured model', async () => {
      const composer = await this.chat.locator('.composer vscode-text-area').count();
      const model = await this.chat.locator('.model-picker').evaluate((el) => el.value, undefined, { timeout: 1000 }).catch(() => null);
      return composer > 0 && model ? model : null;
    }, { timeout: 60_000 });
  }

  /** The chat's visible text, for failure messages (never throws). */
  async chatText() {
    try {
      return await this.chat.locator('body').innerText({ timeout: 2000 });
    } catch (error) {
      return `(chat webview not readable: ${error.message.split('\n')[0]})`;
    }
  }

  /**
   * Calls `probe` until it returns a truthy value (or `until(value)` holds) and returns that value.
   * Errors thrown by the probe count as "not yet", except PollAbort, which ends the wait at once.
   * On timeout: what was awaited, the last value or error, and the chat's text.
   */
  async poll(what, probe, { timeout = 20_000, interval = 100, until = (value) => !!value, describe, dumpChat = true } = {}) {
    const deadline = Date.now() + timeout;
    let last;
    let lastError;
    for (;;) {
      try {
        last = await probe();
        lastError = undefined;
        if (until(last)) return last;
      } catch (error) {
        if (error instanceof PollAbort) {
          error.message = `${error.message}\nWhile waiting for ${what}.\n--- chat webview text ---\n${await this.chatText()}\n--- end of chat text ---`;
          throw error;
        }
        lastError = error;
      }
      if (Date.now() > deadline) break;
      await sleep(interval);
    }
    const lines = [`Timed out after ${timeout} ms waiting for ${what}.`];
    if (lastError) lines.push(`Last error: ${lastError.message.split('\n')[0]}`);
    else lines.push(`Last value: ${JSON.stringify(last)?.slice(0, 2000)}`);
    if (describe) lines.push(await describe().catch((error) => `(describe failed: ${error.message})`));
    if (dumpChat) lines.push('--- chat webview text ---', await this.chatText(), '--- end of chat text ---');
    if (this.consoleErrors.length > 0) lines.push('Recent console errors:', ...this.consoleErrors.slice(-5));
    throw new Error(lines.join('\n'));
  }

  async screenshot(name) {
    mkdirSync(resultsDir, { recursive: true });
    const path = resolve(resultsDir, `${name}.png`);
    await this.page.screenshot({ path });
    return path;
  }
}
