// The chat at the widths a sidebar takes (170, 300 and 600 px) in light, dark and high-contrast
// themes: the header stays one row from 250 px, nothing spills sideways, every control stays on
// screen; screenshots go to test-results/screenshots/layout-*.png for a person to look at.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { buildWebview, launch, openHarness, screenshot, sendMessage, stream } from './support';

let browser: Browser;
beforeAll(async () => {
  await buildWebview();
  browser = await launch();
});
afterAll(async () => browser?.close());

const THEMES = ['light', 'dark', 'hc'];
const WIDTHS = [170, 300, 600];

/** A finished answer with a tool, code, usage and a context meter, then a failed one. */
async function conversation(page: Page): Promise<void> {
  const id = await sendMessage(page, 'Add a parse helper to src/util.ts');
  await stream(page, id, [
    { event: 'Chunk', data: { text: 'Reading the file first.' } },
    { event: 'ToolCall', data: { id: 'r1', tool: 'read_file', args: { path: 'src/util.ts' } } },
    { event: 'ToolResult', data: { id: 'r1', tool: 'read_file', success: true, output: 'export const x = 1;' } },
    { event: 'Chunk', data: { text: 'Put this in `src/util.ts`:\n\n```ts\n// Parses "a=1&b=2" into an object.\nexport function parse(input: string): Record<string, string> {\n  return Object.fromEntries(input.split("&").map((pair) => pair.split("=") as [string, string]));\n}\n```\n' } },
    { event: 'Done', data: { usage: { promptTokens: 6100, completionTokens: 96, timeToFirstTokenMs: 420, tokensPerSecond: 31.5, totalDurationMs: 3900, truncated: false, contextLength: 8192 } } },
  ]);
  await page.waitForSelector('.usage');
  const id2 = await sendMessage(page, 'Now run the tests');
  await stream(page, id2, [{ event: 'Error', data: { message: 'Ollama is not running at http://localhost:11434 (Connection refused) — start it with `ollama serve` or change prototyper.ollama.host.', code: 'provider_unreachable' } }]);
  await page.waitForSelector('.message-error');
}

/** Every visible button and field lies within the view horizontally, and nothing scrolls sideways. */
async function checkFits(page: Page, width: number): Promise<void> {
  const problems = await page.evaluate((w) => {
    const out: string[] = [];
    const app = document.querySelector('.app') as HTMLElement;
    if (app.scrollWidth > w + 1) out.push(`the app is ${app.scrollWidth}px wide in a ${w}px view`);
    for (const el of document.querySelectorAll<HTMLElement>('.header *, .composer button, .composer vscode-button, .composer vscode-text-area')) {
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.height === 0) continue;
      if (box.left < -1 || box.right > w + 1) out.push(`${el.tagName.toLowerCase()}.${el.className} spans ${Math.round(box.left)}–${Math.round(box.right)}`);
    }
    return out;
  }, width);
  expect(problems).toEqual([]);
}

describe('layout', () => {
  for (const theme of THEMES) {
    for (const width of WIDTHS) {
      it(`fits ${width} px in the ${theme} theme`, async () => {
        const page = await openHarness(browser, { theme, width, height: 720 });
        await page.waitForSelector('.welcome-ready');
        const header = await page.locator('.header').boundingBox();
        // One row: icon buttons are 26 px; two rows would be over 50.
        if (width >= 250) expect(header!.height).toBeLessThan(40);
        await checkFits(page, width);
        await screenshot(page, `layout-empty-${theme}-${width}`);

        await conversation(page);
        await checkFits(page, width);
        await screenshot(page, `layout-conversation-${theme}-${width}`);

        // A long model name: shown whole in the list, cut short on the button, never wrapping the toolbar above 240 px.
        const long = 'hf.co/bartowski/Qwen2.5-Coder-32B-Instruct-GGUF:Q4_K_M';
        await page.evaluate((name) => (window as any).harness.models.push({ id: name, name, capabilities: ['completion', 'tools'], family: 'qwen2', contextLength: 32768, parameterSize: '32.8B' }), long);
        await page.locator('.composer .model-picker').click();
        await page.locator('.model-popover button[aria-label="Refresh models"]').click();
        await page.locator('.model-popover [role="option"]', { hasText: long }).click();
        await page.waitForFunction((name) => (document.querySelector('.composer .model-picker') as HTMLButtonElement).value === name, long);
        if (width >= 250) {
          const rows = await page.evaluate(() => new Set([...document.querySelectorAll('.composer-toolbar > *')].map((el) => el.getBoundingClientRect()).filter((box) => box.width > 0 && box.height > 0).map((box) => Math.round((box.top + box.bottom) / 2 / 10))).size);
          expect(rows).toBe(1);
        }
        await page.locator('.composer .model-picker').click();
        await page.waitForSelector('.model-popover [role="option"]');
        await checkFits(page, width);
        const cut = await page.evaluate(() => [...document.querySelectorAll('.model-popover .model-name')].filter((el) => el.scrollWidth > el.clientWidth + 1).length);
        expect(cut).toBe(0);
        await screenshot(page, `layout-models-${theme}-${width}`);
        await page.keyboard.press('Escape');

        await page.locator('vscode-button[aria-label="Chat history"]').click();
        await page.waitForSelector('.history-list li');
        await checkFits(page, width);
        await screenshot(page, `layout-history-${theme}-${width}`);
      });
    }
  }
});
