// The conversation: renders the newest messages first and older ones in slices as the user scrolls
// up (so a 2,000-message chat opens at once), sticks to the bottom while answers grow (and ends
// there), offers "Jump to latest" when the user scrolled up, and routes link clicks.
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { chat, dismissError } from '../chat/controller';
import { invoke } from '../ipc';
import { focusComposer } from '../session/session';
import { useStore } from '../state/store';
import { ErrorCard } from './ErrorCard';
import { MessageView } from './MessageView';
import { Welcome } from './Welcome';

/** How many messages a chat opens with, and how many more each scroll to the top adds. */
const INITIAL = 30;
const SLICE = 20;
/** Within this many pixels of the end counts as "at the end". */
const NEAR_END = 24;

export function MessageList() {
  const messages = useStore(chat, (s) => s.messages);
  const streaming = useStore(chat, (s) => s.streaming);
  const chatId = useStore(chat, (s) => s.chatId);
  const error = useStore(chat, (s) => s.error);
  const scroller = useRef<HTMLDivElement>(null);
  const content = useRef<HTMLDivElement>(null);
  const sentinel = useRef<HTMLDivElement>(null);
  const [shown, setShown] = useState({ chatId, start: Math.max(0, messages.length - INITIAL) });
  /** Whether the view follows the end: true until the user scrolls up, again once they reach it. */
  const stuck = useRef(true);
  const [away, setAway] = useState(false);
  const anchor = useRef<number | null>(null);
  /** Where the view was last seen (scroll events, and our own moves). The view itself only ever
   * moves down (to the end, or to keep what was shown in place when older messages go in above),
   * so a move up that leaves the end is the user's however it was made: find in page, a screen
   * reader, a script. */
  const lastTop = useRef(0);
  /** Whether the view moved up since it was last seen and no longer shows the end: the user
   * left. Checked before snapping to the end, since a scroll event comes at most once a frame and
   * may come after the content grew. */
  const movedUpByUser = () => {
    const root = scroller.current;
    if (!root || root.scrollTop >= lastTop.current - 1) return false;
    if (root.scrollHeight - root.scrollTop - root.clientHeight <= NEAR_END) return false;
    unstick();
    return true;
  };

  // A different chat starts again from its tail, at its end.
  const start = shown.chatId === chatId ? Math.min(shown.start, Math.max(0, messages.length - INITIAL)) : Math.max(0, messages.length - INITIAL);
  if (shown.chatId !== chatId) {
    setShown({ chatId, start });
    stuck.current = true;
    if (away) setAway(false);
  }

  const toEnd = () => {
    const root = scroller.current;
    if (!root) return;
    root.scrollTop = root.scrollHeight;
    lastTop.current = root.scrollTop;
  };

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

  // Content grows after a render too (code highlighting, images, fonts, off-screen messages
  // laid out for real): whenever its size or the view's changes, a stuck view goes to the end.
  useEffect(() => {
    const root = scroller.current;
    const inner = content.current;
    if (!root || !inner) return;
    const observer = new ResizeObserver(() => {
      if (stuck.current && anchor.current === null && !movedUpByUser()) toEnd();
    });
    observer.observe(inner);
    observer.observe(root);
    return () => observer.disconnect();
  }, []);

  useLayoutEffect(() => {
    const root = scroller.current;
    if (!root) return;
    if (anchor.current !== null) {
      // Older messages went in above: keep what the user was looking at in place.
      root.scrollTop = root.scrollHeight - anchor.current;
      lastTop.current = root.scrollTop;
      anchor.current = null;
    } else if (stuck.current && !movedUpByUser()) {
      toEnd();
    }
  });

  /** Whether there is anything to scroll at all. */
  const scrollable = () => {
    const root = scroller.current;
    return !!root && root.scrollHeight - root.clientHeight > NEAR_END;
  };
  const unstick = () => {
    if (!scrollable()) return;
    stuck.current = false;
    setAway(true);
  };
  /** A scrollbar drag or a touch is under way: the scroll it makes is the user's. */
  const dragging = useRef(false);

  const items = streaming ? [...messages, streaming] : messages;
  const busy = streaming !== null;
  const last = messages[messages.length - 1];
  // The failed answer shows its own error; a failure that is not an answer's (a lost card answer) shows here.
  const looseError = error && !(last?.error && last.error.message === error.message) ? error : null;
  return (
    <div class="conversation">
      <div
        class="message-list"
        ref={scroller}
        role="log"
        aria-live="polite"
        aria-relevant="additions"
        tabIndex={0}
        aria-label="Conversation"
        // Only the user unsticks the view (scrolling up by wheel, key, drag or touch): growth
        // of the content never does, however fast it comes.
        onWheel={(e) => {
          if (e.deltaY < 0) unstick();
        }}
        onKeyDown={(e) => {
          if (['ArrowUp', 'PageUp', 'Home'].includes(e.key)) unstick();
          if ((e.key === 'Enter' || e.key === ' ') && (e.target as HTMLElement).dataset?.fileLink) onLinkClick(e as unknown as MouseEvent);
        }}
        onPointerDown={() => (dragging.current = true)}
        onPointerUp={() => (dragging.current = false)}
        onTouchStart={() => (dragging.current = true)}
        onTouchEnd={() => (dragging.current = false)}
        onScroll={() => {
          const root = scroller.current;
          if (!root) return;
          const atEnd = root.scrollHeight - root.scrollTop - root.clientHeight <= NEAR_END;
          const movedUp = root.scrollTop < lastTop.current - 1;
          lastTop.current = root.scrollTop;
          // Reaching the end by any means sticks again.
          if (atEnd && !stuck.current) {
            stuck.current = true;
            setAway(false);
          } else if (!atEnd && (dragging.current || (movedUp && stuck.current))) {
            unstick();
          }
        }}
        onClick={onLinkClick}
      >
        <div ref={content} class="message-list-content">
          <div ref={sentinel} class="history-sentinel" aria-hidden="true">
            {start > 0 ? `${start} earlier messages` : ''}
          </div>
          {items.length === 0 && <Welcome />}
          {items.slice(start).map((message, i) => {
            const index = start + i;
            const isStreaming = message === streaming;
            return <MessageView key={message.id} message={message} index={index} streaming={isStreaming} last={index === items.length - 1} busy={busy} />;
          })}
          {looseError && <ErrorCard message={looseError.message} code={looseError.code} onDismiss={() => dismissError()} />}
        </div>
      </div>
      {away && (
        <button
          type="button"
          class="jump-to-latest"
          aria-label="Jump to latest"
          title="Jump to latest"
          onClick={() => {
            stuck.current = true;
            setAway(false);
            toEnd();
            focusComposer();
          }}
        >
          <span class="codicon codicon-arrow-down" aria-hidden="true" />
        </button>
      )}
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
