// The chat history: this workspace's chats grouped by date (Today, Yesterday, Previous 7 days, …,
// then by month) with dates in the user's locale; search over titles and messages; open, rename
// (inline) or delete (the host asks to confirm); the open chat is marked.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ChatSummary } from '../../src/protocol/webviewMessages';
import { chat, deleteChat, openChat, renameChat } from '../chat/controller';
import { openHistory, refreshHistory, session } from '../session/session';
import { useStore } from '../state/store';
import { TextField, type InputElement } from './fields';

const DAY = 24 * 60 * 60 * 1000;

/** The date groups of a list, newest first: fixed spans near today, then one per month. */
export function groupByDate(chats: ChatSummary[], now: number, locale?: string): { label: string; chats: ChatSummary[] }[] {
  const midnight = new Date(now);
  midnight.setHours(0, 0, 0, 0);
  const today = midnight.getTime();
  const month = new Intl.DateTimeFormat(locale, { month: 'long', year: 'numeric' });
  const groups = new Map<string, ChatSummary[]>();
  for (const c of chats) {
    const at = c.updatedAt || c.createdAt;
    const label =
      at >= today ? 'Today' : at >= today - DAY ? 'Yesterday' : at >= today - 7 * DAY ? 'Previous 7 days' : at >= today - 30 * DAY ? 'Previous 30 days' : month.format(new Date(at));
    groups.set(label, [...(groups.get(label) ?? []), c]);
  }
  return [...groups].map(([label, list]) => ({ label, chats: list }));
}

/** When a chat was last changed: the time for recent ones, the date for older ones. */
export function formatWhen(at: number, now: number, locale?: string): string {
  const date = new Date(at);
  const recent = now - at < 7 * DAY;
  return new Intl.DateTimeFormat(locale, recent ? { weekday: now - at >= DAY ? 'short' : undefined, hour: 'numeric', minute: '2-digit' } : { dateStyle: 'medium' }).format(date);
}

export function History() {
  const chats = useStore(session, (s) => s.chats);
  const locale = useStore(session, (s) => s.settings?.locale);
  const current = useStore(chat, (s) => s.chatId);
  const [query, setQuery] = useState('');
  const [renaming, setRenaming] = useState<string | null>(null);
  const search = useRef<InputElement>(null);
  useEffect(() => {
    search.current?.focus();
  }, []);
  useEffect(() => {
    const timer = setTimeout(() => void refreshHistory(query), 150);
    return () => clearTimeout(timer);
  }, [query]);
  const now = Date.now();
  const groups = groupByDate(chats, now, locale);
  return (
    <div class="history" role="region" aria-label="Chat history">
      <div class="history-head">
        <TextField
          inputRef={search}
          class="history-search"
          label="Search chats"
          placeholder="Search chats"
          value={query}
          onInput={(e) => setQuery((e.currentTarget as HTMLInputElement).value)}
          onKeyDown={(e) => {
            if (e.key === 'Escape' && query) {
              e.preventDefault();
              setQuery('');
            }
          }}
        />
        <vscode-button appearance="icon" title="Close history" aria-label="Close history" onClick={() => void openHistory(false)}>
          <span class="codicon codicon-close" />
        </vscode-button>
      </div>
      {chats.length === 0 && <div class="history-empty">{query.trim() ? `No chats mention "${query.trim()}".` : 'No saved chats yet.'}</div>}
      {groups.map((group) => (
        <section key={group.label} class="history-group" aria-label={group.label}>
          <h3 class="history-group-label">{group.label}</h3>
          <ul class="history-list">
            {group.chats.map((c) => (
              <li key={c.chatId} class={c.chatId === current ? 'current' : ''}>
                {renaming === c.chatId ? (
                  <RenameField
                    title={c.title}
                    onDone={(title) => {
                      setRenaming(null);
                      if (title !== null && title.trim() && title.trim() !== c.title) void renameChat(c.chatId, title).then(() => refreshHistory(query));
                    }}
                  />
                ) : (
                  <button type="button" class="history-open" aria-current={c.chatId === current ? 'true' : undefined} onClick={() => void openChat(c.chatId)} title={`Open "${c.title || 'Untitled chat'}"`}>
                    <span class="history-title">{c.title || 'Untitled chat'}</span>
                    <span class="history-meta">
                      {formatWhen(c.updatedAt || c.createdAt, now, locale)} · {c.messageCount.toLocaleString(locale)} {c.messageCount === 1 ? 'message' : 'messages'}
                      {c.chatId === current && ' · open'}
                    </span>
                    {c.snippet && <span class="history-snippet">{c.snippet}</span>}
                  </button>
                )}
                {renaming !== c.chatId && (
                  <span class="history-actions">
                    <vscode-button appearance="icon" title="Rename chat" aria-label={`Rename ${c.title || 'Untitled chat'}`} onClick={() => setRenaming(c.chatId)}>
                      <span class="codicon codicon-edit" />
                    </vscode-button>
                    <vscode-button appearance="icon" title="Delete chat" aria-label={`Delete ${c.title || 'Untitled chat'}`} onClick={() => void deleteChat(c.chatId)}>
                      <span class="codicon codicon-trash" />
                    </vscode-button>
                  </span>
                )}
              </li>
            ))}
          </ul>
        </section>
      ))}
    </div>
  );
}

/** The inline title editor: Enter saves, Escape cancels, leaving the field saves. */
function RenameField({ title, onDone }: { title: string; onDone: (title: string | null) => void }) {
  const field = useRef<InputElement>(null);
  const done = useRef(false);
  const finish = (value: string | null) => {
    if (done.current) return;
    done.current = true;
    onDone(value);
  };
  useEffect(() => {
    field.current?.focus();
    field.current?.control?.select();
  }, []);
  return (
    <TextField
      inputRef={field}
      class="history-rename"
      label="Chat title"
      value={title}
      onKeyDown={(e) => {
        if (e.key === 'Enter') {
          e.preventDefault();
          finish((e.currentTarget as HTMLInputElement).value);
        } else if (e.key === 'Escape') {
          e.preventDefault();
          e.stopPropagation();
          finish(null);
        }
      }}
      onBlur={(e) => finish((e.currentTarget as HTMLInputElement).value)}
    />
  );
}
