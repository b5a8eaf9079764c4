// The webview's only door to the extension host: `invoke` and `Channel` shaped like the seed's
// @tauri-apps/api/core, host events, and the reload-safe state that ties channel progress to the UI.
import type {
  ChannelEnvelope,
  HostEvent,
  HostToWebview,
  InvokeError,
  WebviewInitialData,
  WebviewToHost,
} from '../src/protocol/webviewMessages';
import { lastProcessed, openCursor, receive, type ChannelCursor } from './channelReducer';

/** The part of VS Code's webview API this module uses. */
export interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** What `setState` holds: channel progress and the app's snapshot, written together so they agree. */
interface PersistedState {
  channels: Record<string, number>;
  app?: unknown;
  /** An editor-tab chat's identity; the host reads it back to restore the panel after a reload. */
  panelId?: string;
}

/** A rejected invoke: the host's or sidecar's error, with its code and data. */
export class InvokeFailure extends Error implements InvokeError {
  readonly code: number;
  readonly data?: unknown;
  constructor(error: InvokeError) {
    super(error.message);
    this.name = 'InvokeFailure';
    this.code = error.code;
    this.data = error.data;
  }
}

interface ChannelEntry {
  cursor: ChannelCursor;
  /** Highest index written to setState and acked. */
  acked: number;
  channel?: Channel<unknown>;
  /** Envelopes that came before the app re-attached this channel after a reload. */
  waiting: ChannelEnvelope[];
}

interface PendingCall {
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

const PERSIST_DELAY_MS = 250;
/** 40 bytes/ms: a 100 KB snapshot is written at most every 2.5 s. */
const PERSIST_BYTES_PER_MS = 40;
const UNCLAIMED_RELEASE_MS = 10_000;

/** One webview's connection to the host. The app uses the default one (`invoke`, `Channel`). */
export class IpcConnection {
  private readonly channels = new Map<number, ChannelEntry>();
  private readonly calls = new Map<number, PendingCall>();
  private readonly hostListeners = new Set<(event: HostEvent) => void>();
  private nextCallId = 1;
  private persistTimer: ReturnType<typeof setTimeout> | null = null;
  private appState: (() => unknown) | null = null;
  private appStateSize: () => number = () => 0;
  private readonly restoredApp: unknown;
  private readonly panelId: string | undefined;

  constructor(
    private readonly api: VsCodeApi,
    target: Pick<Window, 'addEventListener'>,
    initial?: WebviewInitialData,
  ) {
    const saved = (api.getState() ?? {}) as Partial<PersistedState>;
    this.restoredApp = saved.app;
    this.panelId = initial?.panelId ?? saved.panelId;
    for (const [id, last] of Object.entries(saved.channels ?? {})) {
      const numericId = Number(id);
      if (Number.isSafeInteger(numericId) && typeof last === 'number') {
        this.channels.set(numericId, { cursor: openCursor(last), acked: last, waiting: [] });
      }
    }
    target.addEventListener('message', (event: Event) => this.onMessage((event as MessageEvent).data));
    // `ready` is the first message; the host sends nothing before it and replays after the indices.
    this.post({ type: 'ready', channels: this.progress() });
    // A panel's identity is saved at once, so even an untouched panel comes back as itself.
    if (this.panelId !== undefined && saved.panelId !== this.panelId) this.api.setState({ ...saved, channels: this.progress(), panelId: this.panelId });
    setTimeout(() => this.releaseUnclaimed(), UNCLAIMED_RELEASE_MS);
  }

  /** The app snapshot saved before the last reload, if any. */
  restoredAppState(): unknown {
    return this.restoredApp;
  }

  /**
   * Called at each persist; its value is saved with the channel indices it reflects. `size`
   * estimates its serialized length: big states are written less often, so a long stream costs
   * time linear in its length rather than quadratic.
   */
  setAppStateProvider(provider: () => unknown, size: () => number = () => 0): void {
    this.appState = provider;
    this.appStateSize = size;
  }

  invoke<T>(command: string, args: Record<string, unknown> = {}): Promise<T> {
    const callId = this.nextCallId++;
    return new Promise<T>((resolve, reject) => {
      this.calls.set(callId, { resolve: resolve as (value: unknown) => void, reject });
      this.post({ type: 'invoke', callId, command, args: serializeArgs(args) as Record<string, unknown> });
    });
  }

  onHostEvent(listener: (event: HostEvent) => void): () => void {
    this.hostListeners.add(listener);
    return () => this.hostListeners.delete(listener);
  }

  /** Registers a new or re-attached channel; delivers what arrived while it was unclaimed. */
  attach(channel: Channel<unknown>, lastIndex: number | undefined): void {
    let entry = this.channels.get(channel.id);
    if (!entry) {
      const last = lastIndex ?? -1;
      entry = { cursor: openCursor(last), acked: last, waiting: [] };
      this.channels.set(channel.id, entry);
    }
    entry.channel = channel;
    const waiting = entry.waiting.splice(0);
    if (waiting.length > 0) queueMicrotask(() => this.deliver(waiting));
  }

  /** Whether a channel id is known from before a reload (so the app can re-attach it). */
  isOpen(id: number): boolean {
    return this.channels.has(id);
  }

  /** Forgets a channel and tells the host to drop what it keeps for it. */
  release(id: number): void {
    if (!this.channels.delete(id)) return;
    this.post({ type: 'release', id });
    this.persistNow();
  }

  /** Writes state now and acks what it covers (called at user actions and terminal messages). */
  persistNow(): void {
    if (this.persistTimer !== null) clearTimeout(this.persistTimer);
    this.persistTimer = null;
    const channels = this.progress();
    const state: PersistedState = { channels, app: this.appState?.(), panelId: this.panelId };
    this.api.setState(state);
    // Acks only cover what setState holds, so a reload never asks for less than the host kept.
    for (const [id, entry] of this.channels) {
      const last = lastProcessed(entry.cursor);
      if (last > entry.acked) {
        entry.acked = last;
        this.post({ type: 'ack', id, index: last });
      }
    }
  }

  /** Schedules a persist soon; repeated calls coalesce. */
  persistSoon(): void {
    if (this.persistTimer !== null) return;
    const delay = Math.max(PERSIST_DELAY_MS, this.appStateSize() / PERSIST_BYTES_PER_MS);
    this.persistTimer = setTimeout(() => this.persistNow(), delay);
  }

  private progress(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [id, entry] of this.channels) out[String(id)] = lastProcessed(entry.cursor);
    return out;
  }

  private post(message: WebviewToHost): void {
    this.api.postMessage(message);
  }

  private onMessage(data: unknown): void {
    const message = data as HostToWebview | null;
    if (!message || typeof message !== 'object') return;
    switch (message.type) {
      case 'response': {
        const call = this.calls.get(message.callId);
        if (!call) return;
        this.calls.delete(message.callId);
        if (message.ok) call.resolve(message.result);
        else call.reject(new InvokeFailure(message.error));
        return;
      }
      case 'channel':
        this.deliver(message.messages ?? []);
        return;
      case 'event':
        for (const listener of [...this.hostListeners]) {
          try {
            listener(message.event);
          } catch (error) {
            console.error('host event listener failed', error);
          }
        }
        return;
    }
  }

  private deliver(envelopes: ChannelEnvelope[]): void {
    let delivered = false;
    const finished: number[] = [];
    for (const envelope of envelopes) {
      // A malformed batch from the host loses its bad entries, never the webview.
      if (!envelope || typeof envelope !== 'object') continue;
      const entry = this.channels.get(envelope.id);
      if (!entry) continue;
      if (!entry.channel) {
        entry.waiting.push(envelope);
        continue;
      }
      const result = receive(entry.cursor, envelope);
      entry.cursor = result.cursor;
      for (const item of result.deliver) {
        delivered = true;
        try {
          entry.channel.onmessage(item);
        } catch (error) {
          console.error('channel handler failed', error);
        }
      }
      if (result.closedNow) finished.push(envelope.id);
    }
    if (finished.length > 0) {
      this.persistNow();
      for (const id of finished) this.release(id);
    } else if (delivered) {
      this.persistSoon();
    }
  }

  private releaseUnclaimed(): void {
    for (const [id, entry] of this.channels) if (!entry.channel) this.release(id);
  }
}

/** Replaces Channels in invoke args with the `{__channel__: id}` marker the host expects. */
function serializeArgs(value: unknown): unknown {
  if (value instanceof Channel) return { __channel__: value.id };
  if (Array.isArray(value)) return value.map(serializeArgs);
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = serializeArgs(item);
    return out;
  }
  return value;
}

/** A random id in [1, 2^53): unique across webviews and reloads without coordination. */
function randomChannelId(): number {
  const words = new Uint32Array(2);
  crypto.getRandomValues(words);
  const id = (words[0] & 0x1fffff) * 2 ** 32 + words[1];
  return id === 0 ? 1 : id;
}

let defaultConnection: IpcConnection | null = null;

/** What the host put in `<div id="root" data-initial>`: which surface this is (sidebar or panel). */
export function initialData(): WebviewInitialData | undefined {
  try {
    const raw = document.getElementById('root')?.dataset.initial;
    return raw ? (JSON.parse(raw) as WebviewInitialData) : undefined;
  } catch {
    return undefined;
  }
}

/** The connection to the real host, created on first use. */
export function connection(): IpcConnection {
  defaultConnection ??= new IpcConnection(acquireVsCodeApi(), window, initialData());
  return defaultConnection;
}

/** The seed's Channel: pass it in invoke args; messages arrive in order through `onmessage`. */
export class Channel<T> {
  readonly id: number;
  onmessage: (message: T) => void = () => {};
  private readonly owner: IpcConnection;

  /** `options.id` re-attaches a channel that was open before a reload. */
  constructor(options: { id?: number; connection?: IpcConnection } = {}) {
    this.owner = options.connection ?? connection();
    this.id = options.id ?? randomChannelId();
    this.owner.attach(this as Channel<unknown>, undefined);
  }

  /** Stops delivery and lets the host forget the channel. */
  release(): void {
    this.owner.release(this.id);
  }
}

/** Calls a host or sidecar command; rejects with an `InvokeFailure` ({code, message, data}). */
export function invoke<T>(command: string, args: Record<string, unknown> = {}): Promise<T> {
  return connection().invoke<T>(command, args);
}

/** Subscribes to host events (settings, attach, newChat, focusInput, sidecarState). */
export function onHostEvent(listener: (event: HostEvent) => void): () => void {
  return connection().onHostEvent(listener);
}
