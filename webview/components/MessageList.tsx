// The conversation: renders the newest messages first and older ones in slices as the user scrolls
// up (so a 2,000-message chat opens at once), keeps to the bottom while streaming, routes link clicks.
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { chat } from '../chat/controller';
import { invoke } from '../ipc';
import { useStore } from '../state/store';
import { ErrorBanner } from './ErrorBanner';
import { MessageView } from './MessageView';
import { NewProjectButton } from './NewProjectButton';

/** How many messages a chat opens with, and how many more each scroll to the top adds. */
const INITIAL = 30;
const SLICE = 20;

export function MessageList() {
  const messages = useStore(chat, (s) => s.messages);
  const streaming = useStore(chat, (s) => s.streaming);
  const chatId = useStore(chat, (s) => s.chatId);
  const error = useStore(chat, (s) => s.error);
  const scroller = useRef<HTMLDivElement>(null);
  const sentinel = useRef<HTMLDivElement>(null);
  const [shown, setShown] = useState({ chatId, start: Math.max(0, messages.length - INITIAL) });
  const atBottom = useRef(true);
  const anchor = useRef<number | null>(null);

  // A different chat starts again from its tail.
  const start = shown.chatId === chatId ? Math.min(shown.start, Math.max(0, messages.length - INITIAL)) : Math.max(0, messages.length - INITIAL);
  if (shown.chatId !== chatId) {
    setShown({ chatId, start });
    atBottom.current = true;
  }

  useEffect(() => {
    const target = sentinel.current;
    const root = scroller.current;
    if (!target || !root) return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (!entries.some((e) => e.isIntersecting)) return;
        setShown((s) => {
          if (s.start === 0) return s;
          anchor.current = root.scrollHeight - root.scrollTop;
          return { ...s, start: Math.max(0, s.start - SLICE) };
        });
      },
      { root, rootMargin: '600px 0px 0px 0px' },
    );
    observer.observe(target);
    return () => observer.disconnect();
  }, [start === 0]);

  useLayoutEffect(() => {
    const root = scroller.current;
    if (!root) return;
    if (anchor.current !== null) {
      // Older messages went in above: keep what the user was looking at in place.
      root.scrollTop = root.scrollHeight - anchor.current;
      anchor.current = null;
    } else if (atBottom.current) {
      root.scrollTop = root.scrollHeight;
    }
  });

  const items = streaming ? [...messages, streaming] : messages;
  const busy = streaming !== null;
  return (
    <div
      class="message-list"
      ref={scroller}
      role="log"
      aria-live="polite"
      aria-relevant="additions"
      onScroll={(e) => {
        const el = e.currentTarget as HTMLDivElement;
        atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 48;
      }}
      onClick={onLinkClick}
      onKeyDown={(e) => {
        if ((e.key === 'Enter' || e.key === ' ') && (e.target as HTMLElement).dataset?.fileLink) onLinkClick(e as unknown as MouseEvent);
      }}
    >
      <div ref={sentinel} class="history-sentinel" aria-hidden="true">
        {start > 0 ? `${start} earlier messages` : ''}
      </div>
      {items.length === 0 && <Welcome />}
      {items.slice(start).map((message, i) => {
        const index = start + i;
        const isStreaming = message === streaming;
        return <MessageView key={message.id} message={message} index={index} streaming={isStreaming} last={index === items.length - 1} busy={busy} />;
      })}
      {error && <ErrorBanner error={error} />}
    </div>
  );
}

/** Workspace-relative links open in the editor; web links are left to VS Code; others are inert. */
function onLinkClick(e: MouseEvent): void {
  const target = (e.target as HTMLElement).closest?.('a');
  if (!target || !target.closest('.md-block')) return;
  const file = target.getAttribute('data-file-link');
  if (file) {
    e.preventDefault();
    const [path, line] = file.split('#L');
    void invoke('open_file', { path, line: line ? Number(line) : undefined });
  } else if (!target.getAttribute('href')) {
    e.preventDefault();
  }
}

function Welcome() {
  return (
    <div class="welcome">
      <span class="codicon codicon-sparkle welcome-icon" aria-hidden="true" />
      <h2>Prototyper</h2>
      <p>Ask about your code, or ask the agent to change it. Type @ to attach a file; use "Add Selection to Chat" in the editor to attach a selection.</p>
      <p class="welcome-keys">Enter sends · Shift+Enter adds a line</p>
      <NewProjectButton />
    </div>
  );
}
