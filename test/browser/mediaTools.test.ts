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
});
