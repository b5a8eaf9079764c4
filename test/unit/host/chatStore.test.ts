// Chat persistence: save from an index, list order, delete, atomic files, a rebuilt index, bad ids.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ChatStore } from '../../../src/chat/chatStore';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'prototyper-chats-'));
  dirs.push(dir);
  return dir;
}

describe('ChatStore', () => {
  it('searches titles and message text, with a snippet around a match in a message', async () => {
    let clock = 1000;
    const store = new ChatStore(tempDir(), () => clock++);
    await store.save({ chatId: 'a', title: 'Parser refactor', fromIndex: 0, messages: [{ role: 'user', content: 'split it' }], createdAt: 1 });
    const long = `${'x'.repeat(80)} the Webpack config broke after the upgrade ${'y'.repeat(80)}`;
    await store.save({ chatId: 'b', title: 'Build', fromIndex: 0, messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: long }], createdAt: 2 });
    await store.save({ chatId: 'c', title: 'Other', fromIndex: 0, messages: [{ notAMessage: true }], createdAt: 3 });
    expect((await store.list('PARSER')).map((c) => [c.chatId, c.snippet])).toEqual([['a', undefined]]);
    const [found, ...rest] = await store.list('webpack config');
    expect(rest).toEqual([]);
    expect(found.chatId).toBe('b');
    expect(found.snippet).toMatch(/^…x+ the Webpack config broke after the upgrade y+…$/);
    expect(found.snippet!.length).toBeLessThan(120);
    expect(await store.list('nowhere')).toEqual([]);
    expect((await store.list('  ')).length).toBe(3);
  });

  it('renames a chat in its file and the index, and refuses empty titles and unknown chats', async () => {
    let clock = 1000;
    const dir = tempDir();
    const store = new ChatStore(dir, () => clock++);
    await store.save({ chatId: 'a', title: 'Untitled', fromIndex: 0, messages: [{ role: 'user', content: 'hi' }], createdAt: 1 });
    await store.rename('a', '  Parser   split ');
    expect((await store.load('a'))?.title).toBe('Parser split');
    expect((await store.list())[0]).toMatchObject({ chatId: 'a', title: 'Parser split', messageCount: 1 });
    // The index was rewritten too: a fresh store reading only index.json agrees.
    expect((await new ChatStore(dir).list())[0].title).toBe('Parser split');
    await expect(store.rename('a', '   ')).rejects.toMatchObject({ code: -32602 });
    await expect(store.rename('a', 'x'.repeat(201))).rejects.toMatchObject({ code: -32602 });
    await expect(store.rename('missing', 'Title')).rejects.toMatchObject({ code: -32010 });
    await expect(store.rename('../a', 'Title')).rejects.toMatchObject({ code: -32602 });
  });

  it('saves, replaces from an index, lists newest first and loads', async () => {
    let clock = 1000;
    const dir = path.join(tempDir(), 'chats');
    const store = new ChatStore(dir, () => clock++);
    await store.save({ chatId: 'a', title: 'First', fromIndex: 0, messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'hel' }], createdAt: 5 });
    await store.save({ chatId: 'a', title: 'First', fromIndex: 1, messages: [{ role: 'assistant', content: 'hello' }, { role: 'user', content: 'more' }], createdAt: 5 });
    await store.save({ chatId: 'b', title: 'Second', fromIndex: 0, messages: [], createdAt: 6 });
    const a = await store.load('a');
    expect(a?.messages).toEqual([{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello' }, { role: 'user', content: 'more' }]);
    expect(a).toMatchObject({ title: 'First', createdAt: 5, messageCount: 3 });
    expect((await store.list()).map((c) => c.chatId)).toEqual(['b', 'a']);
    expect(await store.load('missing')).toBeNull();
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses a fromIndex past the stored messages and bad chat ids', async () => {
    const store = new ChatStore(tempDir());
    await store.save({ chatId: 'c', title: 't', fromIndex: 0, messages: [1], createdAt: 1 });
    await expect(store.save({ chatId: 'c', title: 't', fromIndex: 3, messages: [2], createdAt: 1 })).rejects.toMatchObject({ code: -32602 });
    await expect(store.load('../etc/passwd')).rejects.toMatchObject({ code: -32602 });
    expect(() => store.delete('a/b')).toThrow(/chatId/);
  });

  it('serializes concurrent saves of the same chat', async () => {
    const store = new ChatStore(tempDir());
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.save({ chatId: 'd', title: 't', fromIndex: i, messages: [i], createdAt: 1 })));
    expect((await store.load('d'))?.messages).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('deletes and rebuilds a lost index from the chat files', async () => {
    const dir = tempDir();
    const store = new ChatStore(dir);
    await store.save({ chatId: 'e', title: 'E', fromIndex: 0, messages: [1], createdAt: 1 });
    await store.save({ chatId: 'f', title: 'F', fromIndex: 0, messages: [1, 2], createdAt: 1 });
    expect(await store.delete('e')).toBe(true);
    expect(await store.delete('e')).toBe(false);
    writeFileSync(path.join(dir, 'index.json'), '{torn');
    expect(await new ChatStore(dir).list()).toMatchObject([{ chatId: 'f', title: 'F', messageCount: 2 }]);
  });
});
