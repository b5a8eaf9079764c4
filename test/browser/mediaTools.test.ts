// The agent's generate_image and web_search as the chat shows them: the permission card names the
// prompt or the query (not raw JSON), and the tool cards summarise them the same way.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { buildWebview, launch, openHarness, screenshot, sendMessage, stream } from './support';

let browser: Browser;
beforeAll(async () => {
  await buildWebview();
  browser = await launch();
});
afterAll(async () => browser?.close());

describe('image and search tools', () => {
  it('read as what they do', async () => {
    const page = await openHarness(browser, { theme: 'dark' });
    const id = await sendMessage(page, 'Add a hero image and check the docs');
    await stream(page, id, [
      { event: 'ToolCall', data: { id: 'g1', tool: 'generate_image', args: { prompt: 'a bakery storefront at dawn', width: 768, height: 512 } } },
      { event: 'ToolPermission', data: { id: 7, toolCallId: 'g1', tool: 'generate_image', args: { prompt: 'a bakery storefront at dawn', width: 768, height: 512 }, reason: 'generates an image with the local image server: "a bakery storefront at dawn"' } },
    ]);
    await page.waitForSelector('.permission-card.pending');
    expect(await page.textContent('.permission-card .permission-subject')).toContain('a bakery storefront at dawn');
    expect(await page.textContent('.permission-card .subject-label')).toBe('Image');
    await screenshot(page, 'media-tools-permission-dark');
    await stream(page, id, [
      { event: 'ToolResult', data: { id: 'g1', tool: 'generate_image', success: true, output: 'Saved the image to assets/generated/bonsai_1_5.png (768×512, seed 5).', path: 'assets/generated/bonsai_1_5.png' } },
      { event: 'ToolCall', data: { id: 's1', tool: 'web_search', args: { query: 'vite image assets', num_results: 3 } } },
      { event: 'ToolResult', data: { id: 's1', tool: 'web_search', success: true, output: '[1] Static Asset Handling\nhttps://vite.dev/guide/assets\nImporting a static asset…' } },
      { event: 'Done', data: {} },
    ], { start: 2 });
    await page.waitForSelector('[data-tool-id="s1"].status-succeeded');
    expect(await page.textContent('[data-tool-id="g1"] .tool-summary')).toBe('a bakery storefront at dawn');
    expect(await page.textContent('[data-tool-id="s1"] .tool-summary')).toBe('vite image assets');
  });

  it('fit a narrow light sidebar without spilling over', async () => {
    const page = await openHarness(browser, { theme: 'light', width: 240 });
    const id = await sendMessage(page, 'Add a hero image');
    await stream(page, id, [
      { event: 'ToolCall', data: { id: 'g1', tool: 'generate_image', args: { prompt: 'a wide panoramic photograph of a bakery storefront at dawn with warm light', width: 1024, height: 512 } } },
      { event: 'ToolResult', data: { id: 'g1', tool: 'generate_image', success: true, output: 'Saved the image to assets/generated/bonsai_1_5.png (1024×512, seed 5).', path: 'assets/generated/bonsai_1_5.png' } },
      { event: 'ToolCall', data: { id: 's1', tool: 'web_search', args: { query: 'vite static asset handling public folder', num_results: 3 } } },
      { event: 'ToolPermission', data: { id: 9, toolCallId: 's1', tool: 'web_search', args: { query: 'vite static asset handling public folder' }, reason: 'searches the web with your SearXNG: "vite static asset handling public folder"' } },
    ]);
    await page.waitForSelector('.permission-card.pending');
    // Nothing runs past the edge of its card or of the view (a status too long for the row wraps).
    const spills = await page.evaluate(() => {
      const right = document.documentElement.clientWidth;
      return [...document.querySelectorAll('.tool-card, .tool-card *, .permission-card, .permission-card *')]
        .filter((el) => el.getBoundingClientRect().right > Math.min(right, el.closest('.tool-card, .permission-card')!.getBoundingClientRect().right) + 0.5)
        .map((el) => `${el.className}: ${el.textContent}`);
    });
    expect(spills).toEqual([]);
    await screenshot(page, 'media-tools-light-narrow');
  });
});
