// The chat HTML carries the webview bundle inside its own <script> and <style> elements. Chromium's
// HTML parser must end each exactly where the HTML does, whatever the bundle's strings, regular
// expressions and comments hold, and the script must mean what it meant as a file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { scriptForHtml, styleForHtml } from '../../src/chat/inlineAssets';
import { launch } from './support';

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => browser?.close());

// Every sequence that changes how HTML reads a script: in strings, a template, a regular
// expression (with and without the u flag) and comments.
const tricky = String.raw`
  // a comment with <!-- and <script> and </script>
  window.__values = [
    "<!--", '<script>', "</script>", "<SCRIPT src=x>", '</Script >',
    ` + '`<!--<script>${1 + 1}</script>-->`' + String.raw`,
    /<\/script>/i.source, /<!--[<script]/u.test("<!--s") ? "regex ok" : "regex wrong",
  ];
  /* <!-- <script> */
`;

describe('the bundle inside the chat HTML', () => {
  it('keeps the script whole and its values the same as when it ran as a file', async () => {
    const expected = new Function(`const window = {}; ${tricky}; return window.__values;`)();
    const page = await browser.newPage();
    try {
      await page.setContent(`<!DOCTYPE html><html><head><style>${styleForHtml('body::after { content: "</style><b>"; }')}</style></head>` +
        `<body><script>${scriptForHtml(tricky)}</script><div id="after">after the script</div></body></html>`);
      expect(await page.locator('#after').textContent()).toBe('after the script');
      expect(await page.locator('script').count()).toBe(1);
      expect(await page.locator('b').count()).toBe(0);
      expect(await page.evaluate(() => (window as unknown as { __values: unknown[] }).__values)).toEqual(expected);
    } finally {
      await page.close();
    }
  });
});
