// What a user notices, through the built webview: answers end at the bottom (and "Jump to latest"
// when scrolled up), a restored chat opens at its end, focus lands where the next action is,
// Escape stops, the permission shortcuts, failed attachments, history (search, groups, rename,
// the open chat), code block notes, and the labels under an answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { buildWebview, calls, chunks, launch, openHarness, sendMessage, stream } from './support';

let browser: Browser;
beforeAll(async () => {
  await buildWebview();
  browser = await launch();
});
afterAll(async () => browser?.close());

const waitCalls = (page: Page, command: string, n = 1) => page.waitForFunction(([c, k]) => (window as any).harness.calls(c).length >= k, [command, n] as const);
const done = (extra: Record<string, unknown> = {}) => ({ event: 'Done', data: { usage: { promptTokens: 500, completionTokens: 300, timeToFirstTokenMs: 90, tokensPerSecond: 80, totalDurationMs: 1200, truncated: false, ...extra } } });
/** Pixels between the end of the conversation and the bottom of its view. */
const gap = (page: Page) => page.evaluate(() => {
  const list = document.querySelector('.message-list') as HTMLElement;
  return Math.round(list.scrollHeight - list.scrollTop - list.clientHeight);
});
const active = (page: Page) => page.evaluate(() => {
  const el = document.activeElement as HTMLElement | null;
  return el ? `${el.tagName.toLowerCase()}${el.className ? `.${String(el.className).split(' ').join('.')}` : ''}` : '';
});
/** A long answer with code blocks and a table, the kind whose height settles after rendering. */
function longAnswer(): string[] {
  const out: string[] = [];
  for (let i = 0; i < 12; i++) {
    out.push(`## Part ${i}\n\nSome text about part ${i} with \`code\` in it and more words to wrap the line.\n\n`);
    out.push('```ts\n' + Array.from({ length: 6 }, (_, j) => `export const v${i}_${j} = ${j} * 2; // line ${j}`).join('\n') + '\n```\n\n');
    out.push('| a | b |\n|---|---|\n| 1 | 2 |\n\n');
  }
  return out;
}

describe('scrolling', () => {
  it('ends a fast answer at the bottom, usage line in view', async () => {
    const page = await openHarness(browser, { width: 320, height: 600 });
    const id = await sendMessage(page, 'Explain it all');
    await stream(page, id, [...chunks(longAnswer()), done()], { perBatch: 4 });
    await page.waitForSelector('.usage');
    await page.waitForFunction(() => {
      const list = document.querySelector('.message-list') as HTMLElement;
      return list.scrollHeight - list.scrollTop - list.clientHeight <= 2;
    });
    // It stays there once everything has settled (fonts, highlighting, off-screen layout).
    await page.waitForTimeout(400);
    expect(await gap(page)).toBeLessThanOrEqual(2);
    const usage = await page.locator('.usage').boundingBox();
    const list = await page.locator('.message-list').boundingBox();
    expect(usage!.y + usage!.height).toBeLessThanOrEqual(list!.y + list!.height + 1);
    expect(await page.locator('.jump-to-latest').count()).toBe(0);
  });

  it('offers Jump to latest when the user scrolled up, and leaves their place alone', async () => {
    const { page, finish } = await answerTallerThanTheView();
    const before = await page.evaluate(() => document.querySelector('.message-list')!.scrollTop);
    await page.mouse.move(160, 200);
    await page.mouse.wheel(0, -800);
    // The wheel's scroll lands after the event (Chromium scrolls off the main thread): the place
    // the user reached is where it comes to rest.
    await page.waitForFunction((start) => document.querySelector('.message-list')!.scrollTop < start, before);
    await page.evaluate(
      () =>
        new Promise<void>((resolve) => {
          const list = document.querySelector('.message-list')!;
          let last = list.scrollTop;
          let still = 0;
          const check = () => {
            still = list.scrollTop === last ? still + 1 : 0;
            last = list.scrollTop;
            if (still >= 3) resolve();
            else requestAnimationFrame(check);
          };
          requestAnimationFrame(check);
        }),
    );
    // Growth below does not pull the user down.
    await finish();
    await page.locator('.jump-to-latest').click();
    await page.waitForFunction(() => {
      const list = document.querySelector('.message-list') as HTMLElement;
      return list.scrollHeight - list.scrollTop - list.clientHeight <= 2;
    });
    await page.waitForSelector('.jump-to-latest', { state: 'detached' });
    expect(await active(page)).toContain('composer-input');
  });

  it('keeps a place reached without the wheel (find in page, a screen reader) while the answer grows', async () => {
    const { page, finish } = await answerTallerThanTheView();
    // What find in page does: the view is moved up by script, with no wheel, key or drag.
    await page.evaluate(() => document.querySelector('.message-block, .code-block')!.scrollIntoView({ block: 'start' }));
    await finish();
  });

  /**
   * Streams the first part of a long answer into a short view. After the caller scrolls up,
   * `finish` checks that Jump to latest is offered, streams the rest, and checks that the growth
   * left the place the user reached alone.
   */
  async function answerTallerThanTheView() {
    const page = await openHarness(browser, { width: 320, height: 600 });
    const id = await sendMessage(page, 'Long one');
    const parts = longAnswer();
    await stream(page, id, chunks(parts.slice(0, 18)));
    await page.waitForFunction(() => document.querySelectorAll('.code-block').length >= 5);
    const finish = async () => {
      await page.waitForSelector('.jump-to-latest');
      const top = await page.evaluate(() => document.querySelector('.message-list')!.scrollTop);
      await stream(page, id, [...chunks(parts.slice(18)), done()], { start: 18 });
      await page.waitForSelector('.usage');
      await page.waitForTimeout(200);
      expect(await page.evaluate(() => document.querySelector('.message-list')!.scrollTop)).toBe(top);
    };
    return { page, finish };
  }

  it('opens a chat from history at its end', async () => {
    const page = await openHarness(browser, { width: 320, height: 500 });
    const id = await sendMessage(page, 'A long chat');
    await stream(page, id, [...chunks(longAnswer()), done()]);
    await page.waitForSelector('.usage');
    await page.locator('vscode-button[aria-label="New chat"]').click();
    await page.locator('vscode-button[aria-label="Chat history"]').click();
    await page.locator('.history-open').first().click();
    await page.waitForSelector('.usage');
    await page.waitForTimeout(300);
    expect(await gap(page)).toBeLessThanOrEqual(2);
  });
});

describe('focus and keys', () => {
  const permission = (n: number) => [
    { event: 'ToolCall', data: { id: `t${n}`, tool: 'bash', args: { command: `step ${n}` } } },
    { event: 'ToolPermission', data: { id: 40 + n, toolCallId: `t${n}`, tool: 'bash', args: { command: `step ${n}` } } },
  ];

  it('moves focus to the next card, then the composer, after answers by keyboard; never to the body', async () => {
    const page = await openHarness(browser);
    const id = await sendMessage(page, 'Two steps');
    await stream(page, id, [...permission(1), ...permission(2)]);
    await page.waitForFunction(() => document.activeElement?.matches('[data-prompt-id="41"]'));
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.activeElement?.matches('[data-prompt-id="42"]'));
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.activeElement?.classList.contains('composer-input'));
    expect((await calls(page, 'resolve_tool_permission')).map((c) => c.args)).toEqual([
      { permissionId: 41, decision: 'accepted' },
      { permissionId: 42, decision: 'accepted' },
    ]);
  });

  it('accepts with Ctrl+Enter and rejects with Ctrl+Shift+Enter, from the card or the composer', async () => {
    const page = await openHarness(browser);
    const id = await sendMessage(page, 'Steps');
    await stream(page, id, [...permission(1), ...permission(2)]);
    await page.waitForFunction(() => document.activeElement?.matches('[data-prompt-id="41"]'));
    expect(await page.locator('[data-prompt-id="41"] vscode-button', { hasText: 'Accept' }).getAttribute('aria-keyshortcuts')).toBe('Control+Enter');
    expect(await page.textContent('[data-prompt-id="41"] .prompt-actions')).toContain('Ctrl+Shift+Enter');
    await page.keyboard.press('Control+Enter');
    await waitCalls(page, 'resolve_tool_permission');
    await page.locator('.composer-input').click();
    await page.keyboard.type('draft');
    await page.keyboard.press('Control+Shift+Enter');
    await waitCalls(page, 'resolve_tool_permission', 2);
    expect((await calls(page, 'resolve_tool_permission')).map((c) => c.args.decision)).toEqual(['accepted', 'rejected']);
    // The shortcut answered the card and typed nothing into the draft.
    expect(await page.evaluate(() => (document.querySelector('.composer-input') as any).value)).toBe('draft');
    expect(await page.locator('.generating.waiting').count()).toBe(0);
  });

  it('stops a streaming answer with Escape', async () => {
    const page = await openHarness(browser);
    const id = await sendMessage(page, 'Talk');
    await stream(page, id, chunks(['Talking…']));
    await page.waitForSelector('.stop-button');
    await page.keyboard.press('Escape');
    await waitCalls(page, 'stop_generation_stream');
    expect((await calls(page, 'stop_generation_stream'))[0].args).toEqual({ requestId: id });
  });

  it('puts focus in the composer after New chat, and in the search field when history opens', async () => {
    const page = await openHarness(browser);
    const id = await sendMessage(page, 'Something');
    await stream(page, id, [...chunks(['Done.']), done()]);
    await page.locator('vscode-button[aria-label="New chat"]').click();
    await page.waitForFunction(() => document.activeElement?.classList.contains('composer-input'));
    await page.locator('vscode-button[aria-label="Chat history"]').click();
    await page.waitForFunction(() => document.activeElement?.classList.contains('history-search'));
    // The host's New Chat (view title, palette) does the same.
    await page.evaluate(() => (window as any).harness.event({ kind: 'newChat' }));
    await page.waitForFunction(() => document.activeElement?.classList.contains('composer-input'));
  });

  it('shows "Waiting for your answer" rather than "Generating…" while a card waits', async () => {
    const page = await openHarness(browser);
    const id = await sendMessage(page, 'Ask me');
    await stream(page, id, [{ event: 'AskUser', data: { id: 5, question: 'Which?', questionType: 'text' } }]);
    await page.waitForSelector('.generating.waiting');
    expect(await page.textContent('.generating')).toContain('Waiting for your answer');
  });
});

describe('attachments, history, code blocks, usage', () => {
  it('shows a file that cannot be read as a failed chip, and never sends it', async () => {
    const page = await openHarness(browser);
    await page.evaluate(() => {
      (window as any).harness.handlers.read_attachment = ({ path }: { path: string }) => {
        if (path === 'README.md') throw { code: -32011, message: 'IO error: README.md could not be read (permission denied).' };
        return { kind: 'file', path, content: 'ok' };
      };
    });
    await page.locator('.composer-input').click();
    await page.keyboard.type('Look @');
    await page.waitForSelector('.file-picker');
    await page.keyboard.type('README');
    await page.waitForSelector('.picker-list li[aria-selected="true"]:has-text("README.md")');
    await page.keyboard.press('Enter');
    await page.waitForSelector('.chip-failed');
    expect(await page.textContent('.chip-failed')).toContain('not attached: IO error: README.md could not be read (permission denied).');
    await page.locator('.composer-input').click();
    await page.keyboard.press('End');
    await page.keyboard.type('here');
    await page.keyboard.press('Enter');
    await waitCalls(page, 'generate_completion_stream');
    const sent = (await calls(page, 'generate_completion_stream'))[0].args.messages.at(-1);
    expect(sent).toEqual({ role: 'user', content: 'Look here' });
    expect(await page.locator('.chip-failed').count()).toBe(0);
  });

  it('searches, groups by date, renames and marks the open chat in history', async () => {
    const page = await openHarness(browser);
    const day = 24 * 60 * 60 * 1000;
    await page.evaluate((d) => {
      const h = (window as any).harness;
      const now = Date.now();
      const chat = (chatId: string, title: string, at: number, text: string) => ({ chatId, title, createdAt: at, updatedAt: at, messages: [{ id: `${chatId}-u`, role: 'user', content: text }] });
      h.chats = { a: chat('a', 'Parser refactor', now - 1000, 'split the parser'), b: chat('b', 'Old build fix', now - 40 * d, 'the webpack config broke') };
      h.handlers.list_chats = ({ query }: { query?: string }) =>
        Object.values(h.chats)
          .filter((c: any) => !query || c.title.toLowerCase().includes(query.toLowerCase()) || c.messages.some((m: any) => m.content.includes(query)))
          .map((c: any) => ({ chatId: c.chatId, title: c.title, createdAt: c.createdAt, updatedAt: c.updatedAt, messageCount: c.messages.length, snippet: query && !c.title.toLowerCase().includes(query.toLowerCase()) ? c.messages[0].content : undefined }));
      h.handlers.rename_chat = ({ chatId, title }: { chatId: string; title: string }) => {
        h.chats[chatId].title = title;
        return null;
      };
    }, day);
    await page.locator('vscode-button[aria-label="Chat history"]').click();
    await page.waitForSelector('.history-group');
    expect(await page.locator('.history-group-label').allTextContents()).toEqual(['Today', expect.stringMatching(/^[A-Z][a-z]+ \d{4}$/)]);
    await page.locator('.history-open', { hasText: 'Parser refactor' }).click();
    await page.waitForSelector('.message.user');
    await page.locator('vscode-button[aria-label="Chat history"]').click();
    await page.waitForSelector('.history-list li.current');
    expect(await page.locator('.history-list li.current .history-title').textContent()).toBe('Parser refactor');
    expect(await page.locator('[aria-current="true"]').count()).toBe(1);

    await page.keyboard.type('webpack');
    await page.waitForFunction(() => document.querySelectorAll('.history-list li').length === 1);
    expect(await page.textContent('.history-snippet')).toContain('the webpack config broke');
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => document.querySelectorAll('.history-list li').length === 2);

    await page.locator('vscode-button[aria-label="Rename Parser refactor"]').click();
    await page.waitForFunction(() => document.activeElement?.classList.contains('history-rename'));
    await page.keyboard.press('Control+A');
    await page.keyboard.type('Parser split');
    await page.keyboard.press('Enter');
    await waitCalls(page, 'rename_chat');
    expect((await calls(page, 'rename_chat'))[0].args).toEqual({ chatId: 'a', title: 'Parser split' });
    await page.waitForSelector('.history-title:has-text("Parser split")');
    // The open chat's title follows.
    expect(await page.textContent('.chat-title')).toBe('Chats');
    await page.locator('vscode-button[aria-label="Close history"]').click();
    expect(await page.textContent('.chat-title')).toBe('Parser split');
  });

  it('keeps a failed action visible under the code header; a copy confirmation never wipes it', async () => {
    const page = await openHarness(browser, { width: 300 });
    const id = await sendMessage(page, 'Code');
    await stream(page, id, [...chunks(['```ts\nconst a = 1;\n```\n']), done()]);
    const block = page.locator('.code-block');
    await block.waitFor();
    const before = await block.locator('.code-header').boundingBox();
    await page.evaluate(() => {
      (window as any).harness.handlers.insert_at_cursor = () => {
        throw { code: -32021, message: 'There is no editor to insert into; open a file, put the cursor where the code goes, and try again.' };
      };
    });
    await block.locator('button[aria-label="Copy"]').click();
    await block.locator('button[aria-label="Insert at Cursor"]').click();
    await page.waitForSelector('.code-failure');
    expect(await page.textContent('.code-failure')).toContain('Insert at Cursor failed: There is no editor to insert into');
    // The header keeps its shape whatever the note says.
    expect(await block.locator('.code-header').boundingBox()).toEqual(before);
    await page.waitForTimeout(2300);
    expect(await page.locator('.code-failure').count()).toBe(1);
    // Code inside a block has no inline-code background per line.
    expect(await page.evaluate(() => getComputedStyle(document.querySelector('.code-block code')!).backgroundColor)).toBe('rgba(0, 0, 0, 0)');
  });

  it('leaves waits for the user out of the time, hides tok/s for tiny answers, shows the context meter and "1 line"', async () => {
    const page = await openHarness(browser);
    const id = await sendMessage(page, 'Quick');
    await stream(page, id, [
      { event: 'ToolCall', data: { id: 't1', tool: 'read_file', args: { path: 'a.ts' } } },
      { event: 'ToolPermission', data: { id: 1, toolCallId: 't1', tool: 'read_file', args: { path: 'a.ts' } } },
    ]);
    await page.waitForSelector('[data-prompt-id="1"].pending');
    await page.waitForTimeout(1500);
    await page.locator('[data-prompt-id="1"] vscode-button', { hasText: 'Accept' }).click();
    await waitCalls(page, 'resolve_tool_permission');
    await stream(page, id, [
      { event: 'ToolResult', data: { id: 't1', tool: 'read_file', success: true, output: 'one line\n' } },
      ...chunks(['Yes.']),
      { event: 'Done', data: { usage: { promptTokens: 3000, completionTokens: 3, timeToFirstTokenMs: 200, tokensPerSecond: 150, totalDurationMs: 2000, truncated: false, contextLength: 4096 } } },
    ], { start: 2 });
    await page.waitForSelector('.usage');
    const figures = await page.textContent('.usage-figures');
    expect(figures).not.toContain('tok/s');
    // 2.0 s in all, of which at least 1.5 s waiting for the Accept.
    const total = Number(/([\d.]+) (s|ms) total/.exec(figures ?? '')?.[1]);
    expect(figures).toMatch(/ms total|0\.\d s total/);
    expect(total).toBeLessThan(1000);
    expect(await page.locator('.context-meter [role="meter"]').getAttribute('aria-valuetext')).toBe('Context: 3,000 of 4,096 tokens (73%)');
    expect(await page.textContent('[data-tool-id="t1"] .tool-output summary')).toBe('Result (1 line)');
  });
});
