// The conversation: renders the newest messages first and older ones a small slice per frame as the
// user scrolls up (so a 2,000-message chat opens at once and scrolls without long tasks), sticks to
// the bottom while answers grow (and ends there), offers "Jump to latest" when the user scrolled
// up, and routes link clicks.
import { memo } from 'preact/compat';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { ChatMessage } from '../chat/types';
import { chat, dismissError } from '../chat/controller';
import { invoke } from '../ipc';
import { focusComposer } from '../session/session';
import { useStore } from '../state/store';
import { ErrorCard } from './ErrorCard';
import { MessageView } from './MessageView';
import { Welcome } from './Welcome';

/** Older messages come in slices of this many, one slice per frame, each a task well under a frame. */
const SLICE = 6;
/**
 * Messages are boxed in chunks of this many, by index (a chunk always holds the same messages).
 * A chunk is one box the browser skips while it is off screen (content-visibility), so a long chat
 * costs layout, pre-paint, paint and hit testing per chunk, not per message, and per chunk on
 * screen for most of it. A multiple of SLICE, so slices fill chunks from their end.
 */
const CHUNK = 12;
/** A chat opens with at least this many of its last messages: more than a view holds. */
const INITIAL = 8;
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
  const [shown, setShown] = useState({ chatId, start: openingStart(messages.length) });
  /** Whether the view follows the end: true until the user scrolls up, again once they reach it. */
  const stuck = useRef(true);
  const [away, setAway] = useState(false);
  const anchor = useRef<number | null>(null);
  const loader = useRef<IntersectionObserver | null>(null);
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
  const start = shown.chatId === chatId ? Math.min(shown.start, openingStart(messages.length)) : openingStart(messages.length);
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
    loader.current = observer;
    return () => {
      observer.disconnect();
      loader.current = null;
    };
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

  // A chunk above the view changes size when the browser lays it out for real (it was skipped
  // off screen, with an estimated height): what the user is reading stays in place.
  const chunkSizes = useRef(new WeakMap<Element, number>());
  const chunkObserver = useRef<ResizeObserver | null>(null);
  useEffect(() => {
    const observer = new ResizeObserver((entries) => {
      const root = scroller.current;
      if (!root) return;
      const viewTop = root.getBoundingClientRect().top;
      for (const entry of entries) {
        const height = entry.borderBoxSize[0]?.blockSize ?? entry.contentRect.height;
        const before = chunkSizes.current.get(entry.target);
        chunkSizes.current.set(entry.target, height);
        if (before === undefined || stuck.current || anchor.current !== null) continue;
        // Only a chunk wholly above the view moves it (one the view shows grows where it is seen).
        if (entry.target.getBoundingClientRect().top + before <= viewTop + 1) {
          root.scrollTop += height - before;
          lastTop.current = root.scrollTop;
        }
      }
    });
    chunkObserver.current = observer;
    for (const chunk of content.current?.querySelectorAll('.message-chunk') ?? []) observer.observe(chunk);
    return () => observer.disconnect();
  }, []);
  const observeChunk = (element: Element | null) => {
    if (element) chunkObserver.current?.observe(element);
  };

  useLayoutEffect(() => {
    const root = scroller.current;
    if (!root) return;
    if (anchor.current !== null) {
      // Older messages went in above: keep what the user was looking at in place.
      root.scrollTop = root.scrollHeight - anchor.current;
      lastTop.current = root.scrollTop;
      anchor.current = null;
      // Observed afresh, the sentinel is reported again: while it is still near, the next slice
      // comes in the next frame (an observer that saw no change would say nothing).
      const target = sentinel.current;
      if (loader.current && target) {
        loader.current.unobserve(target);
        loader.current.observe(target);
      }
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
          {chunkStarts(start, items.length).map((from) => {
            const to = Math.min(items.length, from - (from % CHUNK) + CHUNK);
            return (
              <MessageChunk
                key={Math.floor(from / CHUNK)}
                box={observeChunk}
                messages={items.slice(from, to)}
                from={from}
                streaming={streaming !== null && to === items.length ? streaming : null}
                lastIndex={to === items.length ? items.length - 1 : -1}
                busy={busy}
              />
            );
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

/** The first message a chat of `length` messages opens with: a slice boundary. */
function openingStart(length: number): number {
  return Math.max(0, Math.floor((length - INITIAL) / SLICE) * SLICE);
}

/** Where each chunk from `start` on begins (the first is partly shown while older slices load). */
function chunkStarts(start: number, length: number): number[] {
  const starts: number[] = [];
  for (let from = start; from < length; from = from - (from % CHUNK) + CHUNK) starts.push(from);
  return starts;
}

interface MessageChunkProps {
  /** Told the chunk's box, to follow its size. */
  box: (element: Element | null) => void;
  messages: ChatMessage[];
  /** Index of the chunk's first message. */
  from: number;
  /** The streamed turn, when it is in this chunk. */
  streaming: ChatMessage | null;
  /** Index of the conversation's last message, when it is in this chunk (-1 otherwise). */
  lastIndex: number;
  busy: boolean;
}

/** A chunk of messages; it renders again only when one of its messages or flags changed. */
const MessageChunk = memo(
  function MessageChunk({ box, messages, from, streaming, lastIndex, busy }: MessageChunkProps) {
    return (
      <div ref={box} class={lastIndex >= 0 ? 'message-chunk newest' : 'message-chunk'}>
        {messages.map((message, i) => (
          <MessageView key={message.id} message={message} index={from + i} streaming={message === streaming} last={from + i === lastIndex} busy={busy} />
        ))}
      </div>
    );
  },
  (a, b) =>
    a.from === b.from &&
    a.streaming === b.streaming &&
    a.lastIndex === b.lastIndex &&
    a.busy === b.busy &&
    a.messages.length === b.messages.length &&
    a.messages.every((message, i) => message === b.messages[i]),
);

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
