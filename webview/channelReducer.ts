// Pure delivery core of a webview Channel: turns envelopes as they arrive (out of order, twice, or
// after the end) into the messages to deliver, in index order, at most once, none after the terminal.
import type { ChannelEnvelope } from '../src/protocol/webviewMessages';

/** Events that end a channel even when the envelope lacks `terminal: true` (defence in depth). */
const TERMINAL_EVENTS = new Set(['Done', 'Error', 'Exit']);

export interface ChannelCursor {
  /** The index the next delivered message must have. */
  readonly next: number;
  /** Messages that arrived ahead of `next`, by index. */
  readonly held: ReadonlyMap<number, HeldMessage>;
  /** True once the terminal message has been delivered. */
  readonly closed: boolean;
  /** Index of a terminal message seen (held or delivered); later indices are dropped. */
  readonly terminalAt: number | null;
}

interface HeldMessage {
  readonly message: unknown;
  readonly terminal: boolean;
}

export interface ReceiveResult {
  cursor: ChannelCursor;
  /** Messages to deliver now, in order. */
  deliver: unknown[];
  /** True when this call delivered the terminal message. */
  closedNow: boolean;
}

/** A fresh cursor; `lastIndex` is the last index already processed (-1 for none). */
export function openCursor(lastIndex = -1): ChannelCursor {
  return { next: lastIndex + 1, held: new Map(), closed: false, terminalAt: null };
}

/** Whether a message ends its channel: the envelope says so, or it is a Done/Error/Exit event. */
export function isTerminal(envelope: Pick<ChannelEnvelope, 'message' | 'terminal'>): boolean {
  if (envelope.terminal === true) return true;
  const message = envelope.message as { event?: unknown } | null;
  return typeof message === 'object' && message !== null && TERMINAL_EVENTS.has(message.event as string);
}

/** Accepts one envelope; never mutates `cursor`. */
export function receive(cursor: ChannelCursor, envelope: Pick<ChannelEnvelope, 'index' | 'message' | 'terminal'>): ReceiveResult {
  const { index } = envelope;
  const ignored = { cursor, deliver: [], closedNow: false };
  if (cursor.closed || !Number.isInteger(index) || index < cursor.next || cursor.held.has(index)) return ignored;
  if (cursor.terminalAt !== null && index > cursor.terminalAt) return ignored;

  const terminal = isTerminal(envelope);
  const held = new Map(cursor.held);
  held.set(index, { message: envelope.message, terminal });
  let terminalAt = cursor.terminalAt;
  if (terminal && (terminalAt === null || index < terminalAt)) {
    terminalAt = index;
    for (const key of held.keys()) if (key > index) held.delete(key);
  }

  const deliver: unknown[] = [];
  let next = cursor.next;
  let closed = false;
  for (let item = held.get(next); item !== undefined; item = held.get(next)) {
    held.delete(next);
    deliver.push(item.message);
    next += 1;
    if (item.terminal) {
      closed = true;
      held.clear();
      break;
    }
  }
  return { cursor: { next, held, closed, terminalAt }, deliver, closedNow: closed };
}

/** Accepts several envelopes in arrival order. */
export function receiveAll(cursor: ChannelCursor, envelopes: Iterable<Pick<ChannelEnvelope, 'index' | 'message' | 'terminal'>>): ReceiveResult {
  let current = cursor;
  const deliver: unknown[] = [];
  let closedNow = false;
  for (const envelope of envelopes) {
    const result = receive(current, envelope);
    current = result.cursor;
    deliver.push(...result.deliver);
    closedNow ||= result.closedNow;
  }
  return { cursor: current, deliver, closedNow };
}

/** The last index processed (delivered), -1 for none. */
export function lastProcessed(cursor: ChannelCursor): number {
  return cursor.next - 1;
}
