// The header: one calm row with the chat history, the current chat's title and New chat. Model,
// mode and options live in the composer's toolbar; problems show once, where they matter.
import { chat, newChat } from '../chat/controller';
import { openHistory, session } from '../session/session';
import { useStore } from '../state/store';

export function Header() {
  const historyOpen = useStore(session, (s) => s.historyOpen);
  const title = useStore(chat, (s) => s.title);
  return (
    <header class="header">
      <vscode-button appearance="icon" title="Chat history" aria-label="Chat history" aria-pressed={historyOpen} onClick={() => void openHistory(!historyOpen)}>
        <span class="codicon codicon-history" />
      </vscode-button>
      <h1 class="chat-title" title={title || 'New chat'}>
        {historyOpen ? 'Chats' : title || 'New chat'}
      </h1>
      <vscode-button appearance="icon" title="New chat" aria-label="New chat" onClick={() => newChat()}>
        <span class="codicon codicon-add" />
      </vscode-button>
    </header>
  );
}
