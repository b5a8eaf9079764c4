// Shared set-up of the browser tests: builds the webview bundle with esbuild.mjs, launches
// Debian's Chromium through playwright-core, and opens the harness page around the bundle. An
// error thrown in a page (or a promise rejected with nobody to catch it) fails the test it
// happened in.
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterEach } from 'vitest';

export const root = resolve(import.meta.dirname, '../..');
export const screenshotDir = resolve(root, 'test-results/screenshots');

let built: Promise<void> | null = null;

/** Builds dist/webview (main.js, main.css, codicons) with the project's own build, esbuild.mjs. */
export function buildWebview(): Promise<void> {
  built ??= promisify(execFile)(process.execPath, ['esbuild.mjs'], { cwd: root }).then(() => undefined);
  return built;
}

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
}

export const harnessUrl = (theme = 'light', csp = false) => `${pathToFileURL(resolve(root, 'test/browser/harness.html')).href}?theme=${theme}${csp ? '&csp=1' : ''}`;

/** Opens the harness, waits for the webview to say `ready` and to show its header. */
export async function openHarness(browser: Browser, options: { theme?: string; width?: number; height?: number; csp?: boolean } = {}): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: options.width ?? 460, height: options.height ?? 760 } });
  page.setDefaultTimeout(8000);
  page.on('pageerror', (error) => pageErrors.push(`${error.message}\n${error.stack ?? ''}`));
  await page.goto(harnessUrl(options.theme, options.csp));
  await waitReady(page);
  return page;
}

/** Uncaught errors of the pages opened by the running test. */
const pageErrors: string[] = [];

// Registered by every test file that imports this module: a page error fails its test.
afterEach(() => {
  const errors = pageErrors.splice(0);
  if (errors.length > 0) throw new Error(`The page threw ${errors.length} error(s):\n${errors.join('\n---\n')}`);
});

export async function waitReady(page: Page): Promise<void> {
  await page.waitForFunction(() => (window as any).harness?.readies.length > 0);
  await page.waitForSelector('.composer .model-picker');
  await page.waitForFunction(() => (window as any).harness.calls('list_ollama_models').length > 0);
}

/** Types a message in the composer and sends it with Enter; returns the stream's channel id. */
export async function sendMessage(page: Page, text: string): Promise<number> {
  const before = await page.evaluate(() => (window as any).harness.streams.length);
  await page.locator('.composer-input').click();
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
  await page.waitForFunction((n) => (window as any).harness.streams.length > n, before);
  return page.evaluate(() => (window as any).harness.lastStream());
}

/** `Chunk` CompletionEvents carrying `texts`, one each. */
export const chunks = (texts: string[]) => texts.map((text) => ({ event: 'Chunk', data: { text } }));

/** Pushes CompletionEvents on a channel, in the order of `order` (indices into `events`) if given. */
export async function stream(page: Page, channelId: number, events: unknown[], options: { start?: number; order?: number[]; perBatch?: number } = {}): Promise<void> {
  await page.evaluate(
    ({ channelId, events, start, order, perBatch }) => {
      const h = (window as any).harness;
      const envs = h.envelopes(channelId, events, start);
      h.emit(order ? order.map((i: number) => envs[i]) : envs, perBatch);
    },
    { channelId, events, start: options.start ?? 0, order: options.order, perBatch: options.perBatch },
  );
}

/** The invokes of one command the webview made. */
export function calls(page: Page, command: string): Promise<any[]> {
  return page.evaluate((c) => (window as any).harness.calls(c), command);
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(screenshotDir, { recursive: true });
  const path = resolve(screenshotDir, `${name}.png`);
  await page.screenshot({ path });
  return path;
}
