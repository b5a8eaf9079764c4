// Model output is untrusted: an XSS corpus streamed into the view (whole and in tiny chunks, in
// text, thinking, tool output, paths and questions) must not run anything or leave live handlers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { buildWebview, launch, openHarness, sendMessage, stream } from './support';

let browser: Browser;
beforeAll(async () => {
  await buildWebview();
  browser = await launch();
});
afterAll(async () => browser?.close());

/** Each payload, if it ran, would set window.__xss. */
const corpus = [
  '<script>window.__xss = "script"</script>',
  '<img src=x onerror="window.__xss = \'img\'">',
  '<svg onload="window.__xss = \'svg\'"><circle r=1 /></svg>',
  '<iframe src="javascript:parent.__xss=\'iframe\'"></iframe>',
  '<iframe srcdoc="<script>parent.__xss=\'srcdoc\'</script>"></iframe>',
  '<details open ontoggle="window.__xss = \'details\'"><summary>x</summary></details>',
  '<math><mtext><table><mglyph><style><img src=x onerror="window.__xss=\'mxss\'"></style></mglyph></table></mtext></math>',
  '<a href="javascript:window.__xss=\'a\'">click me</a>',
  '<a href=" javascript:window.__xss=\'a-space\'">click me too</a>',
  '<a href="jav&#x09;ascript:window.__xss=\'a-entity\'">entity link</a>',
  '[md link](javascript:window.__xss=\'md\')',
  '[md data](data:text/html,<script>parent.__xss=\'data\'</script>)',
  '<a href="vbscript:msgbox(1)">vb</a>',
  '<form action="javascript:window.__xss=\'form\'"><button>go</button></form>',
  '<input autofocus onfocus="window.__xss=\'input\'">',
  '<video><source onerror="window.__xss=\'video\'"></video>',
  '<object data="javascript:window.__xss=\'object\'"></object>',
  '<embed src="javascript:window.__xss=\'embed\'">',
  '<meta http-equiv="refresh" content="0;url=javascript:window.__xss=\'meta\'">',
  '<style>body { background: url("javascript:window.__xss=\'style\'") }</style>',
  '<div style="background-image: url(javascript:window.__xss=\'css\')" onmouseover="window.__xss=\'hover\'">hover</div>',
  '<base href="javascript:window.__xss=\'base\'//">',
  '<img src="https://tracker.example/pixel.png" alt="remote">',
  '```"><img src=x onerror="window.__xss=\'fence\'">\ncode\n```',
  '`<img src=x onerror="window.__xss=\'inline\'">`',
].join('\n\n');

async function assertInert(page: Page): Promise<void> {
  // Give event handlers and navigations a chance to fire, then try the links.
  await page.waitForTimeout(200);
  const links = page.locator('.message-list a');
  for (let i = 0; i < (await links.count()); i++) await links.nth(i).click({ force: true }).catch(() => {});
  await page.locator('.message-list').hover();
  await page.waitForTimeout(200);
  const report = await page.evaluate(() => {
    const list = document.querySelector('.message-list')!;
    const all = [...list.querySelectorAll('*')];
    return {
      flag: (window as any).__xss,
      handlers: all.flatMap((el) => [...el.attributes].filter((a) => /^on/i.test(a.name)).map((a) => `${el.tagName}.${a.name}`)),
      badHrefs: all.filter((el) => el.hasAttribute('href') && !/^(https?:|mailto:|#)/i.test(el.getAttribute('href')!.trim())).map((el) => el.getAttribute('href')),
      dangerous: all.filter((el) => ['SCRIPT', 'IFRAME', 'OBJECT', 'EMBED', 'FORM', 'INPUT', 'STYLE', 'META', 'BASE', 'svg'].includes(el.tagName)).map((el) => el.tagName),
      styled: list.querySelectorAll('.markdown [style]').length,
      remoteImages: [...list.querySelectorAll('img[src]')].map((img) => img.getAttribute('src')),
      url: location.href,
    };
  });
  expect(report.flag).toBeUndefined();
  expect(report.handlers).toEqual([]);
  expect(report.badHrefs).toEqual([]);
  expect(report.dangerous).toEqual([]);
  expect(report.styled).toBe(0);
  expect(report.remoteImages).toEqual([]);
  expect(report.url).toContain('harness.html');
}

describe('untrusted model output', () => {
  it('renders the XSS corpus inert when it arrives whole', async () => {
    const page = await openHarness(browser);
    page.on('dialog', () => {
      throw new Error('a dialog opened');
    });
    const id = await sendMessage(page, 'Show me HTML');
    await stream(page, id, [{ event: 'Chunk', data: { text: corpus } }, { event: 'Done', data: {} }]);
    await page.waitForSelector('.usage, .message.assistant .markdown');
    await assertInert(page);
    expect(await page.textContent('.message.assistant')).toContain('click me');
  });

  it('stays inert when streamed in 7-character chunks (half-open tags in the tail)', async () => {
    const page = await openHarness(browser);
    const id = await sendMessage(page, 'Again');
    const pieces = corpus.match(/[\s\S]{1,7}/g)!;
    for (let i = 0; i < pieces.length; i += 40) {
      await stream(page, id, pieces.slice(i, i + 40).map((text) => ({ event: 'Chunk', data: { text } })), { start: i });
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(null))));
    }
    await assertInert(page);
    await stream(page, id, [{ event: 'Done', data: {} }], { start: pieces.length });
    await assertInert(page);
  });

  it('shows HTML in thinking, tool output, paths, questions and errors as text', async () => {
    const page = await openHarness(browser);
    const id = await sendMessage(page, 'Tools');
    const evil = '<img src=x onerror="window.__xss=\'tool\'">';
    await stream(page, id, [
      { event: 'Chunk', data: { text: '', thinking: evil } },
      { event: 'ToolCall', data: { id: 'x1', tool: evil, args: { command: evil } } },
      { event: 'ToolPermission', data: { id: 1, toolCallId: 'x1', tool: 'bash', args: { command: evil }, reason: evil } },
      { event: 'ToolResult', data: { id: 'x1', tool: 'write_file', success: false, output: evil, path: evil } },
      { event: 'AskUser', data: { id: 2, question: evil, questionType: 'choice', choices: [evil] } },
      { event: 'AskUserForm', data: { id: 3, title: evil, fields: [{ id: 'f', label: evil, fieldType: 'choice', choices: [evil] }] } },
      { event: 'Error', data: { message: evil } },
    ]);
    await page.waitForSelector('.error-card');
    await page.click('.thinking summary');
    await assertInert(page);
    expect(await page.locator('.message-list img').count()).toBe(0);
  });
});
