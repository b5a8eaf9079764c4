// Smoke test of the harness: the bundle boots, says ready, shows models, and streams an answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { buildWebview, launch, openHarness, screenshot, sendMessage, stream } from './support';

let browser: Browser;
beforeAll(async () => {
  await buildWebview();
  browser = await launch();
});
afterAll(async () => browser?.close());

describe('webview smoke', () => {
  it('boots and streams', async () => {
    const page = await openHarness(browser);
    const id = await sendMessage(page, 'Hello');
    await stream(page, id, [
      { event: 'Chunk', data: { text: 'Hi **there**.\n\n```ts\nconst a = 1;\n```\n' } },
      { event: 'Done', data: { usage: { promptTokens: 10, completionTokens: 5, timeToFirstTokenMs: 120, tokensPerSecond: 33.3, totalDurationMs: 400, truncated: false } } },
    ]);
    await page.waitForSelector('.message.assistant .code-block');
    expect(await page.textContent('.message.assistant .markdown')).toContain('there');
    await screenshot(page, 'smoke');
  });

  it('runs under a strict content security policy (no inline script or style, no eval)', async () => {
    const page = await openHarness(browser, { csp: true });
    const id = await sendMessage(page, 'Hello under CSP');
    await stream(page, id, [{ event: 'Chunk', data: { text: '# Title\n\n```js\nlet a = 1;\n```\n' } }, { event: 'Done', data: {} }]);
    await page.waitForSelector('.message.assistant .code-block .hljs-keyword');
    // Toolkit components styled (constructable stylesheets are allowed), and nothing was blocked.
    const buttonHeight = await page.evaluate(() => document.querySelector('vscode-button.send-button')!.getBoundingClientRect().height);
    expect(buttonHeight).toBeGreaterThan(10);
    expect(await page.evaluate(() => (window as any).cspViolations)).toEqual([]);
  });
});
