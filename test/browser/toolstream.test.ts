// A tool call as it forms, in Chromium: the card appears as soon as the model names the tool, its
// arguments fill in live, the final ToolCall turns it into a running call; the usage line marks
// estimated counts with "~" and shows the sidecar's warning. Screenshots in light and dark and at
// a narrow width go to test-results/screenshots/ for a person to look at.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { buildWebview, launch, openHarness, screenshot, sendMessage, stream } from './support';

let browser: Browser;
beforeAll(async () => {
  await buildWebview();
  browser = await launch();
});
afterAll(async () => browser?.close());

const delta = (argsDelta: string) => ({ event: 'ToolCallDelta', data: { id: 'w1', tool: 'write_file', argsDelta } });

describe('a tool call streaming in', () => {
  for (const [theme, width] of [['light', 460], ['dark', 460], ['dark', 280]] as const) {
    it(`shows the card at once and fills its arguments live (${theme}, ${width}px)`, async () => {
      const page = await openHarness(browser, { theme, width });
      const id = await sendMessage(page, 'Write the parser');
      await stream(page, id, [{ event: 'Chunk', data: { text: 'Writing it now.' } }, delta('')]);
      const card = page.locator('[data-tool-id="w1"]');
      await card.waitFor();
      expect(await card.locator('.tool-name').textContent()).toBe('write_file');
      expect(await card.locator('.tool-status').textContent()).toBe('Writing…');

      await stream(page, id, [delta('{"path": "src/par'), delta('se.ts", "content": "export function parse(input) {\\n  return input.split(\'&\');')], { start: 2 });
      await page.waitForFunction(() => document.querySelector('[data-tool-id="w1"] .tool-args-live')?.textContent?.includes("split('&')"));
      expect(await card.locator('.tool-summary').textContent()).toBe('src/parse.ts');
      expect(await card.locator('.tool-args-live').textContent()).toContain('content: export function parse(input) {\n  return');
      await screenshot(page, `tool-forming-${theme}-${width}`);

      const args = { path: 'src/parse.ts', content: "export function parse(input) {\n  return input.split('&');\n}\n" };
      await stream(page, id, [
        delta('\\n}\\n"}'),
        { event: 'ToolCall', data: { id: 'w1', tool: 'write_file', args } },
        { event: 'ToolResult', data: { id: 'w1', tool: 'write_file', success: true, output: 'Wrote 3 lines', path: 'src/parse.ts', content: args.content, previousContent: null } },
        { event: 'Chunk', data: { text: 'Done.' } },
        {
          event: 'Done',
          data: {
            usage: { completionTokens: 64, estimated: true, timeToFirstTokenMs: 180, tokensPerSecond: 51.3, totalDurationMs: 2400, truncated: false },
            warning: 'The model wrote a bash call as text instead of calling the tool: the OpenAI-compatible server did not give this model the tools — set prototyper.openai.toolChoice to "auto".',
          },
        },
      ], { start: 4 });
      await page.waitForSelector('.usage-figures');
      expect(await card.locator('.tool-status').textContent()).toBe('Done');
      expect(await card.locator('.tool-args-live').count()).toBe(0);
      expect(await card.locator('a.tool-path').textContent()).toBe('src/parse.ts');
      const figures = await page.locator('.usage-figures').textContent();
      expect(figures).toContain('~51.3 tok/s');
      expect(figures).toContain('~64 tokens');
      expect(await page.locator('.usage-warning.tools-ignored').textContent()).toContain('prototyper.openai.toolChoice');
      await screenshot(page, `tool-done-${theme}-${width}`);
      await page.close();
    });
  }

  it('keeps what a call had become when the stream ends while it forms', async () => {
    const page = await openHarness(browser, {});
    const id = await sendMessage(page, 'Run it');
    await stream(page, id, [
      { event: 'ToolCallDelta', data: { id: 'b1', tool: 'grep', argsDelta: '{"pattern": "TODO' } },
      { event: 'Done', data: { doneReason: 'cancelled', usage: { completionTokens: 4, estimated: false, tokensPerSecond: 20, totalDurationMs: 300, truncated: false } } },
    ]);
    const card = page.locator('[data-tool-id="b1"]');
    await page.waitForSelector('[data-tool-id="b1"].status-interrupted');
    expect(await card.locator('.tool-summary').textContent()).toBe('TODO');
    expect(await page.locator('.usage-figures').textContent()).not.toContain('~');
    await page.close();
  });
});
