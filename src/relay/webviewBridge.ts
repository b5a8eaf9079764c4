// Dispatches what one chat webview posts (`ready`, `invoke`, `ack`, `release`) to the channel
// relay and the invoke router, and answers each invoke exactly once. Pure logic, no `vscode`.
import type { WebviewToHost } from '../protocol/webviewMessages';
import type { ChannelRelay } from './channelRelay';
import { toInvokeError, type InvokeRouter } from './invokeRouter';

export interface BridgeLogger {
  error(message: string): void;
}

export class WebviewBridge {
  constructor(
    private readonly relay: ChannelRelay,
    private readonly router: InvokeRouter,
    private readonly logger: BridgeLogger,
    /** Called after a session's `ready` was handled (to push the current state to it). */
    private readonly onReady: (sessionKey: string) => void = () => {},
  ) {}

  /** The surface of `sessionKey` closed for good: cancel its calls, forget its channels. */
  close(sessionKey: string): void {
    this.router.cancelSession(sessionKey);
    this.relay.close(sessionKey);
  }

  /** One message from the webview of session `sessionKey`. Malformed ones are logged and ignored. */
  receive(sessionKey: string, raw: unknown): void {
    const message = raw as WebviewToHost;
    switch (message?.type) {
      case 'ready':
        this.relay.ready(sessionKey, isRecord(message.channels) ? (message.channels as Record<string, number>) : {});
        this.onReady(sessionKey);
        return;
      case 'ack':
        if (typeof message.id === 'number' && typeof message.index === 'number') this.relay.ack(sessionKey, message.id, message.index);
        return;
      case 'release':
        if (typeof message.id === 'number') this.relay.release(sessionKey, message.id);
        return;
      case 'invoke':
        this.invoke(sessionKey, message);
        return;
      default:
        this.logger.error(`Ignored a malformed message from the chat webview: ${JSON.stringify(raw)?.slice(0, 200)}`);
    }
  }

  private invoke(sessionKey: string, message: Extract<WebviewToHost, { type: 'invoke' }>): void {
    const { callId, command, args } = message;
    if (typeof callId !== 'number') {
      this.logger.error(`Ignored an invoke without a callId (${String(command)}).`);
      return;
    }
    const generation = this.relay.generation(sessionKey);
    let answered = false;
    const answer = (reply: { ok: true; result: unknown } | { ok: false; error: ReturnType<typeof toInvokeError> }) => {
      if (answered) return;
      answered = true;
      this.relay.postResponse(sessionKey, generation, { type: 'response', callId, ...reply });
    };
    // Called synchronously so the channels it passes are registered before any later message;
    // a synchronous throw and a rejection both become the one answer.
    let pending: Promise<unknown>;
    try {
      pending = this.router.invoke({ sessionKey }, command, args);
    } catch (error) {
      pending = Promise.reject(error);
    }
    pending.then(
      (result) => answer({ ok: true, result: result === undefined ? null : result }),
      (error) => answer({ ok: false, error: toInvokeError(error) }),
    );
  }
}

function isRecord(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
