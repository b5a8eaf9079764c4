// One `generate_inline` call from the host: a host channel for its CompletionEvents, the request
// (its response, `InlineResult`, comes after the terminal message), and a stop that takes effect
// at once on this side — nothing is delivered after it — while `$/cancelRequest` ends the
// sidecar's side. Free of `vscode`: tested against the real sidecar in plain Node.
import { CancellationTokenSource, type CancellationToken } from 'vscode-jsonrpc';
import type { InlineRequest } from '../protocol/generated/InlineRequest';
import type { InlineResult } from '../protocol/generated/InlineResult';
import type { Usage } from '../protocol/generated/Usage';
import type { ChannelEnvelope } from '../protocol/webviewMessages';

export interface InlineStreamDeps {
  channels: {
    openHostChannel(consumer: (envelope: ChannelEnvelope) => void): number;
    closeHostChannel(id: number): void;
  };
  sidecar: { request(method: string, params: object, token?: CancellationToken): Promise<unknown> };
}

export type InlineEnd =
  | { kind: 'done'; usage?: Usage; doneReason?: string }
  | { kind: 'error'; message: string; code?: string }
  | { kind: 'stopped' };

export interface InlineStreamHandlers {
  /** Model text as it arrives (one call per network read in the sidecar). */
  chunk(text: string, receivedAt: number): void;
  /** Exactly once: the terminal event, a failed request, or `stop()`. */
  end(end: InlineEnd): void;
}

export interface InlineStream {
  /** Ends it now: no more `chunk` calls, `end({kind: 'stopped'})`, and the sidecar is told. */
  stop(): void;
  /** The response (how the model was prompted, what was left out), once the sidecar answers. */
  readonly result: Promise<InlineResult | undefined>;
}

export function startInlineStream(deps: InlineStreamDeps, params: Omit<InlineRequest, 'onEvent'>, handlers: InlineStreamHandlers): InlineStream {
  let ended = false;
  const finish = (end: InlineEnd) => {
    if (ended) return;
    ended = true;
    handlers.end(end);
  };
  const source = new CancellationTokenSource();
  const channel = deps.channels.openHostChannel((envelope) => {
    if (ended) return;
    const event = envelope.message as { event?: string; data?: Record<string, unknown> };
    const data = event.data ?? {};
    switch (event.event) {
      case 'Chunk':
        if (typeof data.text === 'string' && data.text.length > 0) handlers.chunk(data.text, performance.now());
        break;
      case 'Done':
        finish({ kind: 'done', usage: data.usage as Usage | undefined, doneReason: data.doneReason as string | undefined });
        break;
      case 'Error':
        finish({ kind: 'error', message: String(data.message ?? 'The inline request failed.'), code: data.code as string | undefined });
        break;
      default:
        // Other CompletionEvents never come on this channel; a terminal of any kind still ends it.
        if (envelope.terminal) finish({ kind: 'error', message: `The inline request ended with an unexpected ${String(event.event)} event.` });
    }
  });
  const result = deps.sidecar.request('generate_inline', { ...params, onEvent: channel }, source.token).then(
    (value) => value as InlineResult,
    (error: { message?: string; code?: number }) => {
      deps.channels.closeHostChannel(channel);
      if (error?.code !== -32800) finish({ kind: 'error', message: error?.message ?? String(error) });
      return undefined;
    },
  );
  return {
    result,
    stop() {
      if (ended) return;
      finish({ kind: 'stopped' });
      deps.channels.closeHostChannel(channel);
      source.cancel();
    },
  };
}
