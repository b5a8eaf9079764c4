// The chat view's layout: header, then the history list or the conversation, then the input; and
// the keys that work anywhere in it (see keys.ts).
import { useEffect } from 'preact/hooks';
import { session } from '../session/session';
import { useStore } from '../state/store';
import { Composer } from './Composer';
import { Header } from './Header';
import { History } from './History';
import { onGlobalKeyDown } from './keys';
import { MessageList } from './MessageList';

export function App() {
  const historyOpen = useStore(session, (s) => s.historyOpen);
  useEffect(() => {
    document.addEventListener('keydown', onGlobalKeyDown);
    return () => document.removeEventListener('keydown', onGlobalKeyDown);
  }, []);
  return (
    <div class="app">
      <Header />
      <main class="main">{historyOpen ? <History /> : <MessageList />}</main>
      <Composer />
    </div>
  );
}
