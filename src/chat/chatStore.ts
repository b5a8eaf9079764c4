// Chat history on disk: one `<chatId>.json` per chat plus a small `index.json` of summaries, in
// the workspace's storage (or global storage without a folder). Writes are atomic (temp file +
// rename) and serialized per chat, so a crash or two saves racing never leave a torn file. Chats
// can be searched (titles and message text) and renamed.
// No `vscode` import.
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { ChatSummary, StoredChat } from '../protocol/webviewMessages';
import { HostCommandError } from '../relay/invokeRouter';

const CHAT_ID = /^[A-Za-z0-9_-]{1,128}$/;
const INDEX_FILE = 'index.json';

export interface SaveChat {
  chatId: string;
  title: string;
  fromIndex: number;
  messages: unknown[];
  createdAt: number;
}

export class ChatStore {
  /** One queue for all writes: the index is shared by every chat. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly dir: string,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Summaries, most recently updated first. With `query`, only chats whose title or messages
   * contain it (case-insensitive); a match in a message comes with a snippet around it.
   */
  async list(query = ''): Promise<ChatSummary[]> {
    await this.queue.catch(() => {});
    const index = await this.readIndex();
    const all = Object.values(index).sort((a, b) => b.updatedAt - a.updatedAt);
    const needle = query.trim().toLowerCase();
    if (!needle) return all;
    const found: ChatSummary[] = [];
    for (const chat of all) {
      if (chat.title.toLowerCase().includes(needle)) {
        found.push(chat);
        continue;
      }
      const stored = await this.readChat(chat.chatId).catch(() => null);
      const snippet = stored ? findSnippet(stored.messages, needle) : undefined;
      if (snippet !== undefined) found.push({ ...chat, snippet });
    }
    return found;
  }

  /** Gives chat `chatId` a new title (in its file and the index). */
  async rename(chatId: unknown, title: unknown): Promise<void> {
    const id = checkId(chatId);
    const name = typeof title === 'string' ? title.trim().replace(/\s+/g, ' ') : '';
    if (!name) throw new HostCommandError(-32602, '"title" must be a non-empty string.');
    if (name.length > 200) throw new HostCommandError(-32602, `"title" may have at most 200 characters (got ${name.length}).`);
    return this.enqueue(async () => {
      const existing = await this.readChat(id);
      if (!existing) throw new HostCommandError(-32010, `Chat ${id} was not found; it may have been deleted.`);
      const stored: StoredChat = { ...existing, title: name, updatedAt: this.now() };
      await this.writeAtomic(this.chatFile(id), JSON.stringify(stored));
      const index = await this.readIndex();
      index[id] = summary(stored);
      await this.writeAtomic(path.join(this.dir, INDEX_FILE), JSON.stringify(index));
    });
  }

  async load(chatId: unknown): Promise<StoredChat | null> {
    const id = checkId(chatId);
    await this.queue.catch(() => {});
    return this.readChat(id);
  }

  /** Replaces the stored messages from `fromIndex` on (earlier ones are kept). */
  save(chat: SaveChat): Promise<void> {
    const id = checkId(chat.chatId);
    if (!Number.isInteger(chat.fromIndex) || chat.fromIndex < 0) {
      return Promise.reject(new HostCommandError(-32602, '"fromIndex" must be a non-negative integer.'));
    }
    if (!Array.isArray(chat.messages)) return Promise.reject(new HostCommandError(-32602, '"messages" must be an array.'));
    return this.enqueue(async () => {
      const existing = await this.readChat(id);
      const kept = existing?.messages ?? [];
      if (chat.fromIndex > kept.length) {
        throw new HostCommandError(
          -32602,
          `Chat ${id} has ${kept.length} stored messages, so it cannot be saved from message ${chat.fromIndex}; save it from 0.`,
        );
      }
      const messages = [...kept.slice(0, chat.fromIndex), ...chat.messages];
      const stored: StoredChat = {
        chatId: id,
        title: typeof chat.title === 'string' && chat.title.trim() ? chat.title : existing?.title ?? 'New chat',
        createdAt: existing?.createdAt ?? (Number.isFinite(chat.createdAt) ? chat.createdAt : this.now()),
        updatedAt: this.now(),
        messageCount: messages.length,
        messages,
      };
      await this.writeAtomic(this.chatFile(id), JSON.stringify(stored));
      const index = await this.readIndex();
      index[id] = summary(stored);
      await this.writeAtomic(path.join(this.dir, INDEX_FILE), JSON.stringify(index));
    });
  }

  /** Returns whether there was such a chat. */
  delete(chatId: unknown): Promise<boolean> {
    const id = checkId(chatId);
    return this.enqueue(async () => {
      const removed = await fs.rm(this.chatFile(id)).then(
        () => true,
        (error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? false : Promise.reject(error)),
      );
      const index = await this.readIndex();
      const listed = id in index;
      delete index[id];
      if (listed) await this.writeAtomic(path.join(this.dir, INDEX_FILE), JSON.stringify(index));
      return removed || listed;
    });
  }

  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.catch(() => {}).then(work);
    this.queue = next;
    return next;
  }

  private chatFile(id: string): string {
    return path.join(this.dir, `${id}.json`);
  }

  private async readChat(id: string): Promise<StoredChat | null> {
    try {
      return JSON.parse(await fs.readFile(this.chatFile(id), 'utf8')) as StoredChat;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new HostCommandError(-32011, `IO error: chat ${id} could not be read (${(error as Error).message}).`);
    }
  }

  /** The index, rebuilt from the chat files when it is missing or unreadable. */
  private async readIndex(): Promise<Record<string, ChatSummary>> {
    try {
      const parsed = JSON.parse(await fs.readFile(path.join(this.dir, INDEX_FILE), 'utf8'));
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, ChatSummary>;
    } catch {
      // Rebuild below.
    }
    const index: Record<string, ChatSummary> = {};
    const files = await fs.readdir(this.dir).catch(() => [] as string[]);
    for (const file of files) {
      const id = file.endsWith('.json') ? file.slice(0, -5) : '';
      if (!CHAT_ID.test(id) || file === INDEX_FILE) continue;
      const chat = await this.readChat(id).catch(() => null);
      if (chat) index[id] = summary(chat);
    }
    return index;
  }

  private async writeAtomic(file: string, text: string): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true });
    const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await fs.writeFile(temp, text, 'utf8');
      await fs.rename(temp, file);
    } catch (error) {
      await fs.rm(temp, { force: true }).catch(() => {});
      throw new HostCommandError(-32011, `IO error: could not write ${file} (${(error as Error).message}).`);
    }
  }
}

function checkId(chatId: unknown): string {
  if (typeof chatId !== 'string' || !CHAT_ID.test(chatId)) {
    throw new HostCommandError(-32602, `"chatId" must be 1–128 letters, digits, "-" or "_" (got ${JSON.stringify(chatId)}).`);
  }
  return chatId;
}

const SNIPPET_CONTEXT = 40;

/** The first message text containing `needle` (lower case), trimmed to a line around it. */
function findSnippet(messages: unknown[], needle: string): string | undefined {
  for (const message of Array.isArray(messages) ? messages : []) {
    const content = (message as { content?: unknown } | null)?.content;
    if (typeof content !== 'string') continue;
    const at = content.toLowerCase().indexOf(needle);
    if (at < 0) continue;
    const start = Math.max(0, at - SNIPPET_CONTEXT);
    const end = Math.min(content.length, at + needle.length + SNIPPET_CONTEXT);
    const text = content.slice(start, end).replace(/\s+/g, ' ').trim();
    return `${start > 0 ? '…' : ''}${text}${end < content.length ? '…' : ''}`;
  }
  return undefined;
}

function summary(chat: StoredChat): ChatSummary {
  return {
    chatId: chat.chatId,
    title: chat.title,
    createdAt: chat.createdAt,
    updatedAt: chat.updatedAt,
    messageCount: Array.isArray(chat.messages) ? chat.messages.length : 0,
  };
}
