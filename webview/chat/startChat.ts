// A chat started by the host with its first message (tailoring a new project): a new chat that
// sends `text` as soon as it can. A view that has just loaded gets its settings a moment later,
// so a send that is refused for want of them is tried once more when they arrive; if it still
// cannot go (no model chosen), the text waits in the composer for the user to send.
import { session, setDraft } from '../session/session';
import { newChat, send } from './controller';

export function startChatWith(text: string): void {
  newChat();
  if (send(text, [])) return;
  setDraft(text);
  if (session.get().settings) return;
  const unsubscribe = session.subscribe(() => {
    if (!session.get().settings) return;
    unsubscribe();
    if (session.get().draft === text) send(text, []);
  });
}
