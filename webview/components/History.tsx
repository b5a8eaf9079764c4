// The chat history: this workspace's chats by date; open one to resume it, or delete it (the host
// asks to confirm).
import { chat, deleteChat, openChat } from '../chat/controller';
import { openHistory, session } from '../session/session';
import { useStore } from '../state/store';

export function History() {
  const chats = useStore(session, (s) => s.chats);
  const current = useStore(chat, (s) => s.chatId);
  return (
    <div class="history" role="region" aria-label="Chat history">
      <div class="history-head">
        <span class="codicon codicon-history" aria-hidden="true" /> Chats
        <span class="header-spacer" />
        <vscode-button appearance="icon" title="Close history" aria-label="Close history" onClick={() => void openHistory(false)}>
          <span class="codicon codicon-close" />
        </vscode-button>
      </div>
      {chats.length === 0 && <div class="history-empty">No saved chats yet.</div>}
      <ul class="history-list">
        {chats.map((c) => (
          <li key={c.chatId} class={c.chatId === current ? 'current' : ''}>
            <button class="history-open" onClick={() => void openChat(c.chatId)} title={`Open "${c.title}"`}>
              <span class="history-title">{c.title || 'Untitled chat'}</span>
              <span class="history-meta">
                {new Date(c.updatedAt || c.createdAt).toLocaleString()} · {c.messageCount} messages
              </span>
            </button>
            <vscode-button appearance="icon" title="Delete chat" aria-label={`Delete ${c.title}`} onClick={() => void deleteChat(c.chatId)}>
              <span class="codicon codicon-trash" />
            </vscode-button>
          </li>
        ))}
      </ul>
    </div>
  );
}
