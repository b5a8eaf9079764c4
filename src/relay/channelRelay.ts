// Relays sidecar channel messages to chat webviews (design.md §3): per channel it keeps what the
// webview has not acked, replays it after a reload, batches delivery, and ends every open channel
// with one terminal error when the sidecar dies. Pure logic, no `vscode` import.
//
// Invariants kept here:
// - per channel, messages leave in index order, without duplicates, and nothing after the terminal;
// - nothing is posted to a session before it said `ready`, and after `ready` the webview gets every
//   message after the index it reported, exactly once per load;
// - a message stays buffered until acked (or the channel is released or its session closed), up to
//   a bound: a channel that outgrows it is ended for its webview with one `overflow` error;
// - delivery adds no timer: what arrives in one synchronous burst is posted as one batch.
import type { ChannelEnvelope, HostToWebview } from '../protocol/webviewMessages';

/** Where a session's messages go (a webview's postMessage). Lost posts are covered by replay. */
export type Sink = (message: HostToWebview) => void;

/** Runs `flush` after the current synchronous burst; no timers (latency budget < 1 ms). */
export type Scheduler = (flush: () => void) => void;

/** A host-side consumer of a channel (a terminal): gets every message in order, nothing buffered. */
export type HostChannelConsumer = (envelope: ChannelEnvelope) => void;

export const INTERRUPTED_MESSAGE =
  'This response was interrupted (VS Code reloaded or the sidecar restarted). Retry to ask again.';

export function sidecarExitedMessage(exit: { code: number | null; signal: string | null; expected?: boolean }): string {
  if (exit.expected) {
    return "The Prototyper sidecar was restarted or stopped, which ended this. Retry your request. See the 'Prototyper Sidecar' output for details.";
  }
  const how = exit.code !== null ? `exit code ${exit.code}` : exit.signal ? `signal ${exit.signal}` : 'no exit code';
  return `The Prototyper sidecar stopped unexpectedly (${how}). It is restarting; retry your request. See the 'Prototyper Sidecar' output for details.`;
}

/** A refused channel registration (bad or duplicate id); carries a JSON-RPC code. */
export class ChannelRegistrationError extends Error {
  readonly code = -32602;
}

interface Session {
  key: string;
  sink: Sink | undefined;
  /** The webview said `ready` and is live: posting reaches it. */
  live: boolean;
  /** Bumped at each `ready` (a new load): answers to calls of an earlier load are dropped. */
  generation: number;
  /** Envelopes waiting for the scheduled flush. */
  pending: ChannelEnvelope[];
  flushScheduled: boolean;
  /** Host events posted while not live; delivered after the next `ready`. */
  heldEvents: HostToWebview[];
  channels: Set<number>;
}

interface Channel {
  id: number;
  /** Owning session key, or the host consumer. */
  session?: string;
  consumer?: HostChannelConsumer;
  /** Accepted messages the webview has not acked, in index order. */
  buffer: ChannelEnvelope[];
  /** Next index expected from the sidecar. */
  next: number;
  /** Messages that arrived ahead of a missing index. */
  early: Map<number, ChannelEnvelope>;
  /** The terminal message was accepted: nothing more is accepted. */
  ended: boolean;
  /** Highest index handed to the session's current load (posted or queued). */
  sent: number;
}

/** Host events are bounded while a webview is not live: the newest ones matter. */
const MAX_HELD_EVENTS = 50;
/**
 * A burst is posted in batches of at most this many messages: one 64 KB read of small chunks is
 * ~450 messages, and the first of them should not wait for the last to be decoded (latency
 * budget < 1 ms p99), while 256 per post keeps the post count low.
 */
const MAX_BATCH = 256;
/**
 * Unacked messages a webview channel may hold (a panel hidden for hours beside a chatty process
 * or agent run). Far beyond any answer's chunk count; past it the host would only grow.
 */
const MAX_UNACKED = 100_000;

export function overflowMessage(limit: number): string {
  return `Prototyper stopped showing this after ${limit.toLocaleString('en-US')} messages the panel had not taken in (was it hidden for long?). What was shown is kept; the work itself may still be running. Retry to see it again.`;
}

export class ChannelRelay {
  private readonly sessions = new Map<string, Session>();
  private readonly channels = new Map<number, Channel>();
  private readonly schedule: Scheduler;
  private readonly maxBatch: number;
  private readonly maxUnacked: number;

  constructor(options: { schedule?: Scheduler; maxBatch?: number; maxUnacked?: number } = {}) {
    this.schedule = options.schedule ?? queueMicrotask;
    this.maxBatch = options.maxBatch ?? MAX_BATCH;
    this.maxUnacked = options.maxUnacked ?? MAX_UNACKED;
  }

  // ---- sessions (one per chat surface: the sidebar view, each editor panel) -------------------

  /** A webview for `key` was created (or re-created): deliver to `sink` once it says `ready`. */
  attach(key: string, sink: Sink): void {
    const session = this.session(key);
    session.sink = sink;
    session.live = false;
  }

  /** The webview was hidden (its document may be destroyed): stop posting until it is back. */
  suspend(key: string): void {
    const session = this.sessions.get(key);
    if (session) session.live = false;
  }

  /**
   * The webview is visible again without having reloaded (it kept its document): post what it
   * missed while suspended. If it did reload, its `ready` follows and resets delivery anyway.
   */
  resume(key: string): void {
    const session = this.sessions.get(key);
    if (!session?.sink || session.live || session.generation === 0) return;
    session.live = true;
    for (const id of session.channels) {
      const channel = this.channels.get(id);
      if (!channel) continue;
      for (const envelope of channel.buffer) {
        if (envelope.index > channel.sent) this.enqueue(session, channel, envelope);
      }
    }
  }

  /** The surface is gone for good (panel closed): forget its channels and held events. */
  close(key: string): void {
    const session = this.sessions.get(key);
    if (!session) return;
    for (const id of session.channels) this.channels.delete(id);
    this.sessions.delete(key);
  }

  /** The current load of a session, for answering its calls (see `postResponse`). */
  generation(key: string): number {
    return this.sessions.get(key)?.generation ?? -1;
  }

  /**
   * The webview (re)loaded. `reported` maps the channels it still has to the last index it
   * processed. Replays what it lacks, ends channels the host no longer knows with an
   * `interrupted` error, and forgets this session's channels the webview no longer has.
   */
  ready(key: string, reported: Record<string, number>): void {
    const session = this.session(key);
    session.generation++;
    session.live = session.sink !== undefined;
    session.pending = [];
    const listed = new Set<number>();
    const replay: ChannelEnvelope[] = [];
    for (const [idText, lastValue] of Object.entries(reported ?? {})) {
      const id = Number(idText);
      const last = typeof lastValue === 'number' && Number.isInteger(lastValue) ? lastValue : -1;
      if (!Number.isSafeInteger(id)) continue;
      listed.add(id);
      const channel = this.channels.get(id);
      if (!channel || channel.consumer) {
        replay.push({ id, index: last + 1, message: interrupted(), terminal: true });
        continue;
      }
      this.adopt(session, channel);
      this.trim(channel, last);
      channel.sent = last;
      if (this.freeIfDone(channel, last)) continue;
      for (const envelope of channel.buffer) {
        if (envelope.index > last) {
          replay.push(envelope);
          channel.sent = envelope.index;
        }
      }
    }
    for (const id of [...session.channels]) {
      if (!listed.has(id)) this.free(id);
    }
    if (session.live && replay.length > 0) session.sink!({ type: 'channel', messages: replay });
    const held = session.heldEvents.splice(0);
    if (session.live) for (const message of held) session.sink!(message);
  }

  /** The webview processed channel `id` up to `index`: drop that; free the channel after its terminal. */
  ack(key: string, id: number, index: number): void {
    const channel = this.channels.get(id);
    if (!channel || channel.session !== key) return;
    this.trim(channel, index);
    this.freeIfDone(channel, index);
  }

  /** The webview no longer wants channel `id`. */
  release(key: string, id: number): void {
    const channel = this.channels.get(id);
    if (channel && channel.session === key) this.free(id);
  }

  // ---- channels ---------------------------------------------------------------------------------

  /** A webview passed a new channel in an invoke. Ids are the webview's; a live duplicate is refused. */
  registerChannel(key: string, id: number): void {
    if (!Number.isSafeInteger(id) || id <= 0) {
      throw new ChannelRegistrationError(`Channel id ${String(id)} is not a positive integer.`);
    }
    if (this.channels.has(id)) {
      throw new ChannelRegistrationError(`Channel id ${id} is already in use; create a new Channel for each call.`);
    }
    const session = this.session(key);
    const channel = newChannel(id);
    channel.session = key;
    this.channels.set(id, channel);
    session.channels.add(id);
  }

  /** A channel consumed by the host itself (a terminal). Returns its id (fresh, random). */
  openHostChannel(consumer: HostChannelConsumer): number {
    let id: number;
    do id = 1 + Math.floor(Math.random() * (Number.MAX_SAFE_INTEGER - 1));
    while (this.channels.has(id));
    const channel = newChannel(id);
    channel.consumer = consumer;
    this.channels.set(id, channel);
    return id;
  }

  /** The call that opened `id` failed: forget the channel unless the sidecar already used it. */
  abandonChannel(id: number): void {
    const channel = this.channels.get(id);
    if (channel && channel.next === 0 && channel.early.size === 0) this.free(id);
  }

  /** Forgets a host channel (its terminal closed before the process ended). */
  closeHostChannel(id: number): void {
    if (this.channels.get(id)?.consumer) this.free(id);
  }

  /** Whether channel `id` is registered and not yet ended. */
  isOpen(id: number): boolean {
    const channel = this.channels.get(id);
    return channel !== undefined && !channel.ended;
  }

  /** One `channel` notification from the sidecar. Duplicates and stale ones are dropped, early ones held. */
  fromSidecar(envelope: ChannelEnvelope): void {
    const channel = this.channels.get(envelope?.id);
    if (!channel || channel.ended || !Number.isInteger(envelope.index)) return;
    if (envelope.index < channel.next) return; // duplicate
    if (envelope.index > channel.next) {
      if (!channel.early.has(envelope.index)) channel.early.set(envelope.index, envelope);
      return;
    }
    this.accept(channel, envelope);
    let following: ChannelEnvelope | undefined;
    while (!channel.ended && (following = channel.early.get(channel.next))) {
      channel.early.delete(following.index);
      this.accept(channel, following);
    }
  }

  /** The sidecar process ended: every open channel gets one terminal error as its next message. */
  sidecarExited(exit: { code: number | null; signal: string | null; expected?: boolean }): void {
    const message = { event: 'Error', data: { message: sidecarExitedMessage(exit), code: 'sidecar_exited' } };
    for (const channel of [...this.channels.values()]) {
      if (channel.ended) continue;
      channel.early.clear();
      this.accept(channel, { id: channel.id, index: channel.next, message, terminal: true });
    }
  }

  // ---- other messages to webviews -----------------------------------------------------------------

  /**
   * The answer to a call made by load `generation` of session `key`. Dropped when the webview
   * has reloaded since: its call ids restart, and an old answer would resolve a new call.
   * Channel messages queued before it are posted first, so order is kept.
   */
  postResponse(key: string, generation: number, message: HostToWebview): void {
    const session = this.sessions.get(key);
    if (!session || session.generation !== generation || !session.live || !session.sink) return;
    this.flush(session);
    session.sink(message);
  }

  /** A host event for one session; held (bounded) until the webview is ready. */
  postEvent(key: string, message: HostToWebview): void {
    const session = this.session(key);
    if (session.live && session.sink) {
      this.flush(session);
      session.sink(message);
      return;
    }
    session.heldEvents.push(message);
    if (session.heldEvents.length > MAX_HELD_EVENTS) session.heldEvents.shift();
  }

  /** A host event for every session that is live (others ask for state when they load). */
  broadcast(message: HostToWebview): void {
    for (const session of this.sessions.values()) {
      if (session.live && session.sink) {
        this.flush(session);
        session.sink(message);
      }
    }
  }

  /** For tests and diagnostics: what is kept. */
  stats(): { channels: number; buffered: number; sessions: number } {
    let buffered = 0;
    for (const channel of this.channels.values()) buffered += channel.buffer.length;
    return { channels: this.channels.size, buffered, sessions: this.sessions.size };
  }

  // ---- internals --------------------------------------------------------------------------------

  private session(key: string): Session {
    let session = this.sessions.get(key);
    if (!session) {
      session = { key, sink: undefined, live: false, generation: 0, pending: [], flushScheduled: false, heldEvents: [], channels: new Set() };
      this.sessions.set(key, session);
    }
    return session;
  }

  private accept(channel: Channel, envelope: ChannelEnvelope): void {
    channel.next = envelope.index + 1;
    if (envelope.terminal) channel.ended = true;
    if (channel.consumer) {
      if (channel.ended) this.channels.delete(channel.id);
      channel.consumer(envelope);
      return;
    }
    channel.buffer.push(envelope);
    const session = channel.session === undefined ? undefined : this.sessions.get(channel.session);
    if (session?.live) this.enqueue(session, channel, envelope);
    if (!channel.ended && channel.buffer.length >= this.maxUnacked) {
      // End it here for the webview; the sidecar's further messages are dropped as after any terminal.
      const message = { event: 'Error', data: { message: overflowMessage(this.maxUnacked), code: 'overflow' } };
      this.accept(channel, { id: channel.id, index: channel.next, message, terminal: true });
    }
  }

  private enqueue(session: Session, channel: Channel, envelope: ChannelEnvelope): void {
    channel.sent = envelope.index;
    session.pending.push(envelope);
    if (session.pending.length >= this.maxBatch) {
      this.flush(session);
      return;
    }
    if (!session.flushScheduled) {
      session.flushScheduled = true;
      this.schedule(() => this.flush(session));
    }
  }

  private flush(session: Session): void {
    session.flushScheduled = false;
    if (session.pending.length === 0) return;
    const messages = session.pending;
    session.pending = [];
    if (session.live && session.sink && this.sessions.get(session.key) === session) {
      session.sink({ type: 'channel', messages });
    }
  }

  /** Moves a channel to the session that reported it (a webview restored into another surface). */
  private adopt(session: Session, channel: Channel): void {
    if (channel.session === session.key) return;
    if (channel.session !== undefined) this.sessions.get(channel.session)?.channels.delete(channel.id);
    channel.session = session.key;
    session.channels.add(channel.id);
  }

  private trim(channel: Channel, upTo: number): void {
    let drop = 0;
    while (drop < channel.buffer.length && channel.buffer[drop].index <= upTo) drop++;
    if (drop > 0) channel.buffer.splice(0, drop);
  }

  private freeIfDone(channel: Channel, processed: number): boolean {
    if (channel.ended && processed >= channel.next - 1) {
      this.free(channel.id);
      return true;
    }
    return false;
  }

  private free(id: number): void {
    const channel = this.channels.get(id);
    if (!channel) return;
    this.channels.delete(id);
    if (channel.session !== undefined) this.sessions.get(channel.session)?.channels.delete(id);
  }
}

function newChannel(id: number): Channel {
  return { id, buffer: [], next: 0, early: new Map(), ended: false, sent: -1 };
}

function interrupted(): unknown {
  return { event: 'Error', data: { message: INTERRUPTED_MESSAGE, code: 'interrupted' } };
}
