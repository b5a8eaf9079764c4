// The chat view's layout: header, then the history list or the conversation, then the input.
import { session } from '../session/session';
import { useStore } from '../state/store';
import { Composer } from './Composer';
import { Header } from './Header';
import { History } from './History';
import { MessageList } from './MessageList';

export function App() {
  const historyOpen = useStore(session, (s) => s.historyOpen);
  return (
    <div class="app">
      <Header />
      {historyOpen ? <History /> : <MessageList />}
      <Composer />
    </div>
  );
}
