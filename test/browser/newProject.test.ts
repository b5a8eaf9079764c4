// The empty chat's New Project button and the chat the host starts for a new project: the button
// asks the host to run the wizard, a `startChat` event opens a new chat and sends its text (even
// when it arrives before the settings), and screenshots in light, dark and a narrow view.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { buildWebview, calls, harnessUrl, launch, openHarness, screenshot, waitReady } from './support';

let browser: Browser;
beforeAll(async () => {
  await buildWebview();
  browser = await launch();
});
afterAll(async () => browser?.close());

describe('new projects from the chat', () => {
  it('the empty chat offers New Project, which the host runs', async () => {
    const page = await openHarness(browser);
    const button = page.locator('.welcome vscode-button', { hasText: 'New Project' });
    await button.click();
    await page.waitForFunction(() => (window as any).harness.calls('run_command').length === 1);
    expect((await calls(page, 'run_command'))[0].args).toEqual({ command: 'prototyper.newProject' });
  });

  for (const [name, options] of [
    ['light', { theme: 'light' }],
    ['dark', { theme: 'dark' }],
    ['narrow', { theme: 'light', width: 240 }],
  ] as const) {
    it(`looks right (${name})`, async () => {
      const page = await openHarness(browser, options);
      const box = await page.locator('.welcome vscode-button', { hasText: 'New Project' }).boundingBox();
      const width = 'width' in options ? options.width : 460;
      expect(box && box.x >= 0 && box.x + box.width <= width).toBe(true);
      await screenshot(page, `new-project-${name}`);
    });
  }

  it('a startChat event opens a new chat and sends the text, even before the settings arrive', async () => {
    const page = await browser.newPage({ viewport: { width: 460, height: 760 } });
    // The settings answer is held back, as in a view that has just loaded.
    await page.addInitScript(() => {
      const waitForHarness = setInterval(() => {
        const h = (window as any).harness;
        if (!h) return;
        clearInterval(waitForHarness);
        h.handlers.get_settings = () => new Promise((resolve) => ((window as any).releaseSettings = () => resolve(h.settings)));
      }, 0);
    });
    await page.goto(harnessUrl('light'));
    await page.waitForFunction(() => (window as any).harness?.readies.length > 0);
    const text = 'This project was just created from the React + shadcn/ui template. Tailor it:\n\na tea shop';
    await page.evaluate((t) => (window as any).harness.event({ kind: 'startChat', text: t }), text);
    await page.waitForFunction(() => typeof (window as any).releaseSettings === 'function');
    expect(await page.evaluate(() => (window as any).harness.streams.length)).toBe(0);
    await page.evaluate(() => (window as any).releaseSettings());
    await waitReady(page);
    await page.waitForFunction(() => (window as any).harness.streams.length === 1);
    const [stream] = await calls(page, 'generate_completion_stream');
    const user = stream.args.messages.filter((m: { role: string }) => m.role === 'user');
    expect(user).toEqual([{ role: 'user', content: text }]);
    await page.waitForSelector('.message.user');
    expect(await page.locator('.message.user .user-text').innerText()).toContain('a tea shop');
    expect(await page.locator('.composer-input').evaluate((el: any) => el.value)).toBe('');
  });
});
