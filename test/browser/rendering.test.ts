// How the webview renders for speed without changing what the user sees: a streamed answer keeps
// the DOM of its finished blocks while later tokens arrive, shows exactly the answer, and has its
// code highlighted (a grammar not yet compiled first shows the code plain); a long chat opens at
// its end with its last messages and loads older ones in slices up to the first.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { buildWebview, chunks, launch, openHarness, sendMessage, stream } from './support';

let browser: Browser;
beforeAll(async () => {
  await buildWebview();
  browser = await launch();
});
afterAll(async () => browser?.close());

/** Model-sized pieces: a word with its leading space, or a run of other characters. */
const tokens = (text: string) => text.match(/\s*[A-Za-z0-9_]+|\s*[^A-Za-z0-9_\s]+|\s+/g) ?? [];
const words = (text: string) => text.match(/[A-Za-z0-9_]+/g) ?? [];

const RUBY = 'class Greeter\n  def hello(name)\n    puts "Hello #{name}"\n  end\nend';
const TS = 'export function add(a: number, b: number): number {\n  return a + b;\n}';
const ANSWER = [
  '## First step',
  '',
  'Read the parser and keep its state small.',
  '',
  '- one item',
  '- two items',
  '',
  '```ts',
  TS,
  '```',
  '',
  'Then the Ruby side:',
  '',
  '```ruby',
  RUBY,
  '```',
  '',
  '| name | value |',
  '|---|---|',
  '| a | 1 |',
  '',
  'That is all there is to it.',
].join('\n');
/** The words a reader sees once it is rendered: markdown syntax and fence languages left out. */
const VISIBLE = words('First step Read the parser and keep its state small. one item two items ' + `${TS} Then the Ruby side: ${RUBY} name value a 1 That is all there is to it.`);

/** The words shown in the newest answer's blocks and code, in order. */
const shownWords = (page: Page) =>
  page.evaluate(() => {
    const answer = [...document.querySelectorAll('.message.assistant .markdown')].pop();
    return [...(answer?.querySelectorAll('.md-block, pre > code') ?? [])].map((element) => element.textContent).join('\n');
  }).then(words);

describe('a streamed answer', () => {
  it('keeps the DOM of finished blocks while later tokens arrive, shows exactly the answer, and highlights its code', async () => {
    const page = await openHarness(browser, { theme: 'dark' });
    const id = await sendMessage(page, 'Explain');
    const pieces = tokens(ANSWER);
    const firstList = pieces.findIndex((_, i) => pieces.slice(0, i).join('').includes('- two items\n\n'));
    await stream(page, id, chunks(pieces.slice(0, firstList)));
    await page.waitForFunction(() => document.querySelectorAll('.message.assistant .md-block').length >= 2);
    // Marked: a finished heading and paragraph must be these very nodes at the end.
    await page.evaluate(() => {
      for (const block of document.querySelectorAll('.message.assistant .md-block')) (block as any).__seen = true;
    });
    const heading = await page.evaluateHandle(() => document.querySelector('.message.assistant .md-block'));
    for (let i = firstList; i < pieces.length; i += 3) {
      await stream(page, id, chunks(pieces.slice(i, i + 3)), { start: i });
      if (i % 12 === 0) await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(resolve)));
    }
    await stream(page, id, [{ event: 'Done', data: {} }], { start: pieces.length });
    await page.waitForSelector('.message.assistant:not(.streaming)');

    expect(await heading.evaluate((node) => (node as Element).isConnected && (node as Element).textContent?.trim())).toBe('First step');
    const kept = await page.evaluate(() => [...document.querySelectorAll('.message.assistant .md-block')].filter((block) => (block as any).__seen).length);
    expect(kept).toBeGreaterThanOrEqual(2);
    expect(await shownWords(page)).toEqual(VISIBLE);

    // Ruby's grammar is not among those warmed up: its code shows plain, then highlighted.
    await page.waitForSelector('.code-block[data-lang="ruby"] .hljs-keyword', { timeout: 15_000 });
    await page.waitForSelector('.code-block[data-lang="ts"] .hljs-keyword');
    expect(await page.textContent('.code-block[data-lang="ruby"] pre code')).toBe(RUBY);
    expect(await page.textContent('.code-block[data-lang="ts"] pre code')).toBe(TS);
    expect(await shownWords(page)).toEqual(VISIBLE);
  });
});

describe('a long chat', () => {
  const COUNT = 300;
  const history = () => {
    const messages = [];
    for (let i = 0; i < COUNT; i++) {
      if (i % 2 === 0) messages.push({ id: `m${i}`, role: 'user', content: `Question ${i}` });
      else {
        const content = `Answer ${i} in a paragraph of some length, so that the view has to scroll.\n\n- point ${i}\n- another point\n\n\`\`\`ts\nconst answer${i} = ${i};\n\`\`\``;
        messages.push({ id: `m${i}`, role: 'assistant', content, parts: [{ kind: 'text', text: content, thinking: '' }] });
      }
    }
    return { chatId: 'long', title: 'A long chat', createdAt: 1, updatedAt: 2, messageCount: COUNT, messages };
  };

  it('opens at its end with its last messages, then loads older ones in slices up to the first, each once and in order', async () => {
    const page = await openHarness(browser, { height: 700 });
    await page.evaluate((chat) => {
      const harness = (window as any).harness;
      harness.handlers.list_chats = () => [{ chatId: chat.chatId, title: chat.title, createdAt: chat.createdAt, updatedAt: chat.updatedAt, messageCount: chat.messages.length }];
      harness.handlers.load_chat = () => chat;
    }, history());
    await page.locator('vscode-button[aria-label="Chat history"]').click();
    await page.getByRole('button', { name: /A long chat/ }).first().click();
    await page.waitForSelector(`[data-message-id="m${COUNT - 1}"]`);
    const opened = await page.evaluate(() => document.querySelectorAll('.message').length);
    expect(opened).toBeLessThan(20);
    await page.waitForFunction(() => {
      const list = document.querySelector('.message-list') as HTMLElement;
      return list.scrollHeight - list.scrollTop - list.clientHeight <= 24;
    });

    const reached = await page.evaluate(
      () =>
        new Promise<boolean>((resolve) => {
          const list = document.querySelector('.message-list') as HTMLElement;
          let frames = 0;
          const step = () => {
            list.scrollTop = Math.max(0, list.scrollTop - 700);
            if (document.querySelector('[data-message-id="m0"]') && list.scrollTop === 0) resolve(true);
            else if (++frames > 3000) resolve(false);
            else requestAnimationFrame(step);
          };
          step();
        }),
    );
    expect(reached).toBe(true);
    const indices = await page.evaluate(() => [...document.querySelectorAll('.message')].map((m) => Number((m as HTMLElement).dataset.index)));
    expect(indices).toEqual([...Array(COUNT).keys()]);
    expect(await page.textContent('.history-sentinel')).toBe('');
    // The first message is on screen at the top, not skipped.
    const top = await page.evaluate(() => {
      const list = document.querySelector('.message-list')!.getBoundingClientRect();
      const first = document.querySelector('[data-message-id="m0"]')!.getBoundingClientRect();
      return first.top - list.top;
    });
    expect(top).toBeGreaterThanOrEqual(0);
    expect(top).toBeLessThan(60);
  });
});
