// Streams through the built webview: out-of-order and duplicated delivery, a reload mid-stream with
// the host's replay, the request the model gets (attachments, images, options), code block actions,
// history.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { buildWebview, calls, chunks, launch, openHarness, screenshot, sendMessage, stream, waitReady } from './support';

let browser: Browser;
beforeAll(async () => {
  await buildWebview();
  browser = await launch();
});
afterAll(async () => browser?.close());

const done = { event: 'Done', data: { usage: { promptTokens: 12, completionTokens: 40, timeToFirstTokenMs: 210, tokensPerSecond: 48.5, totalDurationMs: 900, truncated: false } } };
const answerText = (page: Page) => page.evaluate(() => [...document.querySelectorAll('.message.assistant')].pop()?.querySelector('.markdown')?.textContent ?? '');
const waitCalls = (page: Page, command: string, n = 1) => page.waitForFunction(([c, k]) => (window as any).harness.calls(c).length >= k, [command, n] as const);

describe('channel delivery in the page', () => {
  it('renders messages delivered out of order and twice exactly once, in order', async () => {
    const page = await openHarness(browser);
    const id = await sendMessage(page, 'Count');
    const events = [...chunks(['one ', 'two ', 'three ', 'four ', 'five ', 'six ']), done];
    await stream(page, id, events, { order: [3, 1] });
    await page.waitForTimeout(100);
    expect(await answerText(page)).toBe('');
    await stream(page, id, events, { order: [0, 0, 2, 1, 6, 5, 4, 4, 3, 6], perBatch: 3 });
    await page.waitForSelector('.usage');
    expect((await answerText(page)).trim()).toBe('one two three four five six');
    expect(await page.textContent('.usage')).toContain('210 ms to first token · 48.5 tok/s');
    const acks = await page.evaluate((cid) => (window as any).harness.ofType('ack').filter((a: any) => a.id === cid), id);
    expect(acks.at(-1).index).toBe(6);
    const releases = await page.evaluate(() => (window as any).harness.ofType('release'));
    expect(releases.map((r: any) => r.id)).toContain(id);
  });

  it('survives a reload mid-stream: ready carries the last index, the replay completes the answer', async () => {
    const page = await openHarness(browser);
    const id = await sendMessage(page, 'Tell me a story');
    const events = [...chunks(['Once ', 'upon ', 'a ', 'time ', 'there ', 'was ', 'a ', 'webview.']), done];
    await stream(page, id, events.slice(0, 5));
    await page.waitForFunction((cid) => (window as any).harness.ofType('ack').some((a: any) => a.id === cid && a.index === 4), id);
    await page.reload();
    await waitReady(page);
    const ready = await page.evaluate(() => (window as any).harness.readies[0]);
    expect(ready.channels[String(id)]).toBe(4);
    // The partial answer is back before the replay arrives.
    await page.waitForFunction(() => document.querySelector('.message.assistant .markdown')?.textContent?.includes('Once upon a time there'));
    expect(await page.textContent('.message.user')).toContain('Tell me a story');
    // The host replays from index 3 (two duplicates), out of order.
    await stream(page, id, events.slice(3), { start: 3, order: [1, 0, 3, 2, 5, 4, 1] });
    await page.waitForSelector('.usage');
    expect((await answerText(page)).trim()).toBe('Once upon a time there was a webview.');
    expect(await page.locator('.generating').count()).toBe(0);
    const saved = await page.evaluate(() => Object.values((window as any).harness.chats) as any[]);
    expect(saved).toHaveLength(1);
    expect(saved[0].messages.map((m: any) => m.role)).toEqual(['user', 'assistant']);
    expect(saved[0].messages[1].content).toBe('Once upon a time there was a webview.');
  });
});

describe('reloads', () => {
  it('restores a finished chat and a pending permission card after reloads, and the card still answers', async () => {
    const page = await openHarness(browser);
    const id = await sendMessage(page, 'First');
    await stream(page, id, [...chunks(['Done with the first.']), done]);
    await page.waitForSelector('.usage');
    const id2 = await sendMessage(page, 'Second');
    await stream(page, id2, [
      { event: 'ToolCall', data: { id: 't9', tool: 'bash', args: { command: 'make' } } },
      { event: 'ToolPermission', data: { id: 90, toolCallId: 't9', tool: 'bash', args: { command: 'make' } } },
    ]);
    await page.waitForSelector('[data-prompt-id="90"]');
    await page.waitForFunction((cid) => (window as any).harness.ofType('ack').some((a: any) => a.id === cid && a.index === 1), id2);
    await page.reload();
    await waitReady(page);
    await page.reload();
    await waitReady(page);
    expect((await page.evaluate(() => (window as any).harness.readies[0])).channels[String(id2)]).toBe(1);
    await page.waitForSelector('[data-prompt-id="90"].pending');
    await page.waitForFunction(() => document.body.textContent!.includes('Done with the first.'));
    expect(await page.locator('.message').count()).toBe(4);
    await page.locator('[data-prompt-id="90"] vscode-button', { hasText: 'Accept' }).click();
    await waitCalls(page, 'resolve_tool_permission');
    expect((await calls(page, 'resolve_tool_permission'))[0].args).toEqual({ permissionId: 90, decision: 'accepted' });
    await stream(page, id2, [{ event: 'ToolResult', data: { id: 't9', tool: 'bash', success: true, output: 'built' } }, ...chunks(['Built.']), done], { start: 2 });
    await page.waitForFunction(() => document.querySelectorAll('.usage').length === 2);
    const stored = await page.evaluate(() => (Object.values((window as any).harness.chats) as any[])[0]);
    expect(stored.messages.map((m: any) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
    expect(stored.messages[3].tools.t9.status).toBe('succeeded');
  });
});

describe('the request and the conversation', () => {
  it('sends attachments (host selection and @-picked file) as fenced blocks, with the model options', async () => {
    const page = await openHarness(browser);
    await page.evaluate(() =>
      (window as any).harness.event({ kind: 'attach', attachment: { kind: 'selection', path: 'src/app.ts', startLine: 3, endLine: 5, languageId: 'typescript', content: 'let a = 1;' } }),
    );
    await page.waitForSelector('.composer .chip');
    await page.locator('.composer-input').click();
    await page.keyboard.type('Explain @');
    await page.waitForSelector('.file-picker');
    await page.keyboard.type('strings');
    await page.waitForSelector('.picker-list li[aria-selected="true"]:has-text("src/util/strings.ts")');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelectorAll('.composer .chip').length === 2);
    expect((await calls(page, 'read_attachment'))[0].args).toEqual({ path: 'src/util/strings.ts' });
    await page.locator('.composer-input').click();
    await page.keyboard.press('End');
    await page.keyboard.type('these');
    await page.keyboard.press('Enter');
    await waitCalls(page, 'generate_completion_stream');
    const args = (await calls(page, 'generate_completion_stream'))[0].args;
    expect(args).toMatchObject({ provider: 'ollama', model: 'qwen3:8b', tools: true, toolPermissionMode: 'ask_every_time', toolAllowlist: [], maxToolCalls: 20, think: false, options: {} });
    expect(typeof args.onEvent.__channel__).toBe('number');
    expect(args.messages[0].role).toBe('system');
    expect(args.messages[1]).toEqual({
      role: 'user',
      content: 'src/app.ts (lines 3-5):\n```typescript\nlet a = 1;\n```\n\nsrc/util/strings.ts:\n```typescript\n// contents of src/util/strings.ts\nexport const x = 1;\n```\n\nExplain these',
    });
    expect(await page.locator('.composer .chip').count()).toBe(0);
    expect(await page.locator('.message.user .chip').count()).toBe(2);
  });

  it('takes pasted and dropped images, refuses what models cannot take, and sends them as images', async () => {
    const page = await openHarness(browser);
    // A 1×1 PNG.
    const base64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
    await page.locator('.composer-input').click();
    await page.evaluate((data) => {
      const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
      const transfer = new DataTransfer();
      transfer.items.add(new File([bytes], 'shot.png', { type: 'image/png' }));
      const target = document.querySelector('.composer-input')!;
      target.dispatchEvent(new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, composed: true, cancelable: true }));
      const dropped = new DataTransfer();
      dropped.items.add(new File(['not an image'], 'notes.txt', { type: 'text/plain' }));
      document.querySelector('.composer')!.dispatchEvent(new DragEvent('drop', { dataTransfer: dropped, bubbles: true, cancelable: true }));
    }, base64);
    await page.waitForSelector('.composer .chip-thumb');
    expect(await page.getAttribute('.composer .chip-thumb', 'src')).toBe(`data:image/png;base64,${base64}`);
    await page.waitForSelector('.composer-notice');
    const notice = await page.textContent('.composer-notice');
    expect(notice).toContain('notes.txt (text/plain) is not an image the models take; attach a PNG, JPEG, GIF or WebP image.');
    // The default model (qwen3) has no vision: Send waits for a model that can see.
    expect(notice).toContain('qwen3:8b cannot see images. Pick a model with vision, or remove the images.');
    expect(await page.locator('.send-button').getAttribute('disabled')).not.toBeNull();

    await page.locator('.composer .model-picker').click();
    await page.locator('.model-popover [role="option"]', { hasText: 'llava:7b' }).click();
    await page.waitForFunction(() => !document.querySelector('.composer-notice')?.textContent?.includes('cannot see'));
    await page.locator('.composer-input').click();
    await page.keyboard.type('what is this?');
    await page.keyboard.press('Enter');
    await waitCalls(page, 'generate_completion_stream');
    const messages = (await calls(page, 'generate_completion_stream'))[0].args.messages;
    expect(messages.at(-1)).toMatchObject({ role: 'user', content: 'what is this?', images: [base64] });
    expect(await page.getAttribute('.message.user .chip-thumb', 'src')).toBe(`data:image/png;base64,${base64}`);
  });

  it('Shift+Enter adds a line; saves send only what changed (fromIndex)', async () => {
    const page = await openHarness(browser);
    await page.locator('.composer-input').click();
    await page.keyboard.type('line one');
    await page.keyboard.press('Shift+Enter');
    await page.keyboard.type('line two');
    await page.keyboard.press('Enter');
    await waitCalls(page, 'generate_completion_stream');
    const id = await page.evaluate(() => (window as any).harness.lastStream());
    expect((await calls(page, 'generate_completion_stream'))[0].args.messages[1].content).toBe('line one\nline two');
    await stream(page, id, [...chunks(['Fine.']), done]);
    await page.waitForSelector('.usage');
    await page.waitForFunction(() => (window as any).harness.calls('save_chat').some((c: any) => c.args.messages.some((m: any) => m.content === 'Fine.')));
    const id2 = await sendMessage(page, 'Second');
    await stream(page, id2, [...chunks(['Also fine.']), done]);
    await page.waitForFunction(() => (window as any).harness.calls('save_chat').some((c: any) => c.args.messages.some((m: any) => m.content === 'Also fine.')));
    const saves = (await calls(page, 'save_chat')).map((c) => ({ from: c.args.fromIndex, roles: c.args.messages.map((m: any) => m.role) }));
    expect(saves[0]).toEqual({ from: 0, roles: ['user', 'assistant'] });
    expect(saves.every((s) => s.from <= 3)).toBe(true);
    expect(saves.at(-1)).toEqual({ from: 3, roles: ['assistant'] });
    const stored = await page.evaluate(() => (Object.values((window as any).harness.chats) as any[])[0]);
    expect(stored.messages.map((m: any) => m.content)).toEqual(['line one\nline two', 'Fine.', 'Second', 'Also fine.']);
  });

  it('regenerates, edits and resends, deletes from a message, and starts a new chat', async () => {
    const page = await openHarness(browser);
    const id = await sendMessage(page, 'First question');
    await stream(page, id, [...chunks(['First answer']), done]);
    await page.waitForSelector('.usage');
    await page.locator('.message.assistant button[aria-label="Regenerate"]').click();
    await waitCalls(page, 'generate_completion_stream', 2);
    const regen = (await calls(page, 'generate_completion_stream'))[1].args;
    expect(regen.messages.map((m: any) => m.content).slice(1)).toEqual(['First question']);
    const id2 = await page.evaluate(() => (window as any).harness.lastStream());
    await stream(page, id2, [...chunks(['Second answer']), done]);
    await page.waitForFunction(() => document.querySelectorAll('.message').length === 2 && document.body.textContent!.includes('Second answer'));

    await page.locator('.message.user button[aria-label="Edit and resend"]').click();
    const editor = page.locator('.message.user .edit-box vscode-text-area');
    await editor.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('Edited question');
    await page.locator('.message.user .edit-box vscode-button', { hasText: 'Send' }).click();
    await waitCalls(page, 'generate_completion_stream', 3);
    const edited = (await calls(page, 'generate_completion_stream'))[2].args;
    expect(edited.messages.map((m: any) => m.content).slice(1)).toEqual(['Edited question']);
    const id3 = await page.evaluate(() => (window as any).harness.lastStream());
    await stream(page, id3, [...chunks(['Third answer']), done]);
    await page.waitForFunction(() => document.body.textContent!.includes('Third answer'));
    expect(await page.locator('.message').count()).toBe(2);

    await page.locator('.message.assistant button[aria-label="Delete from here"]').click();
    await page.waitForFunction(() => document.querySelectorAll('.message').length === 1);
    await page.waitForFunction(() => (window as any).harness.calls('save_chat').some((c: any) => c.args.fromIndex === 1 && c.args.messages.length === 0));

    await page.locator('vscode-button[aria-label="New chat"]').click();
    await page.waitForSelector('.welcome');
  });

  it('lists, resumes and deletes chats from history', async () => {
    const page = await openHarness(browser);
    const id = await sendMessage(page, 'A chat to keep');
    await stream(page, id, [...chunks(['Kept.']), done]);
    await page.waitForSelector('.usage');
    await page.locator('vscode-button[aria-label="New chat"]').click();
    await page.waitForSelector('.welcome');
    await page.locator('vscode-button[aria-label="Chat history"]').click();
    await page.waitForSelector('.history-list li');
    expect(await page.textContent('.history-list')).toContain('A chat to keep');
    await page.locator('.history-open').first().click();
    await page.waitForFunction(() => document.body.textContent!.includes('Kept.'));
    await page.locator('vscode-button[aria-label="Chat history"]').click();
    await page.locator('.history-list vscode-button[aria-label^="Delete"]').first().click();
    await waitCalls(page, 'delete_chat');
    await page.waitForSelector('.history-empty');
  });

  it('code blocks offer Copy, Insert at Cursor, Apply to File (with the named path) and Open in Editor', async () => {
    const page = await openHarness(browser);
    const id = await sendMessage(page, 'Write a helper');
    await stream(page, id, [...chunks(['Put this in `src/util.ts`:\n\n```ts\nexport const twice = (n: number) => n * 2;\n```\n']), done]);
    const block = page.locator('.code-block');
    await block.waitFor();
    expect(await block.locator('.hljs-keyword').count()).toBeGreaterThan(0);
    for (const label of ['Copy', 'Insert at Cursor', 'Apply to File', 'Open in Editor']) await block.locator(`button[aria-label="${label}"]`).click();
    await waitCalls(page, 'open_in_editor');
    const code = 'export const twice = (n: number) => n * 2;';
    expect((await calls(page, 'copy_text'))[0].args).toEqual({ text: code });
    expect((await calls(page, 'insert_at_cursor'))[0].args).toEqual({ code });
    expect((await calls(page, 'apply_to_file'))[0].args).toEqual({ path: 'src/util.ts', code, languageId: 'typescript' });
    expect((await calls(page, 'open_in_editor'))[0].args).toEqual({ code, languageId: 'typescript' });
  });

  it('Apply to File says the change is under review in the editor until the user settles it', async () => {
    const page = await openHarness(browser, { theme: 'dark', width: 320 });
    await page.evaluate(() => {
      const h = (window as any).harness;
      h.handlers.apply_to_file = () => new Promise((resolve) => (h.settleApply = resolve));
    });
    const id = await sendMessage(page, 'Write a helper');
    await stream(page, id, [...chunks(['In `src/util.ts`:\n\n```ts\nexport const twice = (n: number) => n * 2;\n```\n']), done]);
    const block = page.locator('.code-block');
    await block.locator('button[aria-label="Apply to File"]').click();
    await page.waitForFunction(() => document.querySelector('.code-block .code-note')?.textContent === 'In review');
    expect(await block.locator('.code-note').getAttribute('title')).toBe('The change is shown in the editor: Tab accepts it, Escape rejects it.');
    await screenshot(page, 'apply-to-file-in-review-dark-narrow');
    await page.evaluate(() => (window as any).harness.settleApply({ applied: true }));
    await page.waitForFunction(() => document.querySelector('.code-block .code-note')?.textContent === 'Applied');
    await block.locator('button[aria-label="Apply to File"]').click();
    await page.waitForFunction(() => document.querySelector('.code-block .code-note')?.textContent === 'In review');
    await page.evaluate(() => (window as any).harness.settleApply({ applied: false }));
    await page.waitForFunction(() => document.querySelector('.code-block .code-note')?.textContent === 'Not applied');
  });

  it('shows thinking collapsed and warns when the prompt was truncated', async () => {
    const page = await openHarness(browser);
    const id = await sendMessage(page, 'Think');
    await stream(page, id, [
      { event: 'Chunk', data: { text: '', thinking: 'Let me consider the options.' } },
      { event: 'Chunk', data: { text: 'Answer.' } },
      { event: 'Done', data: { usage: { promptTokens: 9000, completionTokens: 3, timeToFirstTokenMs: 1500, tokensPerSecond: 12, totalDurationMs: 2000, truncated: true, contextLength: 8192 } } },
    ]);
    await page.waitForSelector('.usage-warning');
    expect(await page.textContent('.usage-warning')).toContain('did not fit the context window of 8,192 tokens');
    expect(await page.isVisible('.thinking-text')).toBe(false);
    await page.click('.thinking summary');
    expect(await page.textContent('.thinking-text')).toBe('Let me consider the options.');
  });
});
