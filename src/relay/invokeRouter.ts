// Answers a webview's `invoke`: registers the channels it passes, sends host commands to their
// VS Code handlers and everything else to the sidecar, with provider credentials filled in by the
// host (the webview never holds an API key), and cancels a session's sidecar calls when its surface
// closes for good. Pure logic, no `vscode` import.
import { CancellationTokenSource, type CancellationToken } from 'vscode-jsonrpc';
import {
  COMMANDS_WITH_PROVIDER_CREDENTIALS,
  type HostCommandName,
  type InvokeError,
  type Provider,
} from '../protocol/webviewMessages';

/** Who is calling: the chat surface (relay session) the invoke came from. */
export interface InvokeContext {
  sessionKey: string;
}

export type HostCommandHandler = (args: Record<string, unknown>, context: InvokeContext) => Promise<unknown>;
export type HostCommandTable = Partial<Record<HostCommandName, HostCommandHandler>>;

export interface ProviderCredentials {
  host: string;
  apiKey: string;
}

export interface InvokeRouterDeps {
  channels: {
    registerChannel(sessionKey: string, id: number): void;
    abandonChannel(id: number): void;
  };
  sidecar: { request(method: string, params: object, token?: CancellationToken): Promise<unknown> };
  hostCommands: HostCommandTable;
  credentials(provider: Provider): Promise<ProviderCredentials>;
  /**
   * Settings for `generate_completion(_stream)` that the webview may leave out (timeouts, tool
   * mode, allowlist, the OpenAI-compatible tool choice, …), given the args (with the provider
   * already settled); filled in only where the args do not set them.
   */
  completionDefaults?(params: Record<string, unknown>): Record<string, unknown>;
}

/** An invoke that failed in the host, with the JSON-RPC code the webview sees. */
export class HostCommandError extends Error implements InvokeError {
  override name = 'HostCommandError';
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

const CREDENTIAL_COMMANDS: ReadonlySet<string> = new Set(COMMANDS_WITH_PROVIDER_CREDENTIALS);

const COMPLETION_COMMANDS: ReadonlySet<string> = new Set(['generate_completion', 'generate_completion_stream']);

/**
 * Sidecar commands a webview may not call: scaffold_project writes into any folder it is given,
 * so that folder must come from VS Code's folder dialog ("Prototyper: New Project…"), never from
 * a page that renders model output.
 */
const HOST_ONLY_COMMANDS: ReadonlySet<string> = new Set(['scaffold_project']);

/** Commands whose provider is fixed by their name, whatever `provider` the args carry. */
const FIXED_PROVIDER: Record<string, Provider> = {
  list_ollama_models: 'ollama',
  pull_ollama_model: 'ollama',
  list_openai_models: 'openai',
  list_anthropic_models: 'anthropic',
};

export class InvokeRouter {
  /** Sidecar calls still unanswered, per session, so closing a chat can cancel them. */
  private readonly inFlight = new Map<string, Set<CancellationTokenSource>>();

  constructor(private readonly deps: InvokeRouterDeps) {}

  /**
   * The surface of `sessionKey` is gone for good (an editor chat was closed): its calls still
   * running in the sidecar are cancelled (`$/cancelRequest`), so a closed chat stops streaming
   * and running its agent instead of spending tokens on an answer nobody will see.
   */
  cancelSession(sessionKey: string): void {
    const sources = this.inFlight.get(sessionKey);
    if (!sources) return;
    this.inFlight.delete(sessionKey);
    for (const source of sources) source.cancel();
  }

  /** Runs one invoke; resolves with its result or rejects with an `InvokeError`-shaped error. */
  async invoke(context: InvokeContext, command: string, rawArgs: unknown): Promise<unknown> {
    if (typeof command !== 'string' || command.length === 0) {
      throw new HostCommandError(-32600, 'An invoke needs a command name.');
    }
    const args = isPlainObject(rawArgs) ? rawArgs : {};
    const handler = Object.prototype.hasOwnProperty.call(this.deps.hostCommands, command)
      ? this.deps.hostCommands[command as HostCommandName]
      : undefined;
    if (handler) return handler(args, context);
    if (HOST_ONLY_COMMANDS.has(command)) {
      throw new HostCommandError(-32015, `${command} cannot be called from a chat: its folder must be picked in VS Code. Use "Prototyper: New Project…".`);
    }

    const opened: number[] = [];
    let params: Record<string, unknown>;
    try {
      params = replaceChannelRefs(args, (id) => {
        this.deps.channels.registerChannel(context.sessionKey, id);
        opened.push(id);
        return id;
      }) as Record<string, unknown>;
      if (CREDENTIAL_COMMANDS.has(command)) await this.fillCredentials(command, params);
      if (COMPLETION_COMMANDS.has(command)) this.fillCompletionDefaults(params);
    } catch (error) {
      for (const id of opened) this.deps.channels.abandonChannel(id);
      throw error;
    }
    const source = new CancellationTokenSource();
    let sources = this.inFlight.get(context.sessionKey);
    if (!sources) this.inFlight.set(context.sessionKey, (sources = new Set()));
    sources.add(source);
    try {
      return await this.deps.sidecar.request(command, params, source.token);
    } catch (error) {
      for (const id of opened) this.deps.channels.abandonChannel(id);
      throw error;
    } finally {
      sources.delete(source);
      if (sources.size === 0 && this.inFlight.get(context.sessionKey) === sources) this.inFlight.delete(context.sessionKey);
      source.dispose();
    }
  }

  private fillCompletionDefaults(params: Record<string, unknown>): void {
    const defaults = this.deps.completionDefaults?.(params) ?? {};
    for (const [key, value] of Object.entries(defaults)) {
      if (params[key] === undefined && value !== undefined) params[key] = value;
    }
  }

  private async fillCredentials(command: string, params: Record<string, unknown>): Promise<void> {
    const requested = params.provider;
    const provider: Provider =
      FIXED_PROVIDER[command] ?? (requested === 'openai' || requested === 'anthropic' || requested === 'ollama' ? requested : 'ollama');
    if (requested !== undefined && FIXED_PROVIDER[command] === undefined && requested !== provider) {
      throw new HostCommandError(-32602, `Unknown provider ${JSON.stringify(requested)}; use "ollama", "openai" or "anthropic".`);
    }
    const { host, apiKey } = await this.deps.credentials(provider);
    // The host always comes from settings: a key is only ever sent to the host the user configured.
    params.host = host;
    params.apiKey = apiKey;
    if (FIXED_PROVIDER[command] === undefined) params.provider = provider;
  }
}

/** Turns an error of any origin into what the webview's rejected invoke carries. */
export function toInvokeError(error: unknown): InvokeError {
  if (error && typeof error === 'object') {
    const { code, message, data } = error as Partial<InvokeError>;
    if (typeof code === 'number' && typeof message === 'string') {
      return data === undefined ? { code, message } : { code, message, data };
    }
    if (typeof message === 'string') return { code: -32603, message };
  }
  return { code: -32603, message: String(error) };
}

/**
 * Copies `value`, replacing each `{ "__channel__": id }` marker (how `webview/ipc.ts` serializes a
 * Channel) with what `register` returns for it: the bare id the sidecar expects as `onEvent`.
 */
export function replaceChannelRefs(value: unknown, register: (id: number) => number): unknown {
  if (Array.isArray(value)) return value.map((item) => replaceChannelRefs(item, register));
  if (!isPlainObject(value)) return value;
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === '__channel__') return register(value.__channel__ as number);
  const copy: Record<string, unknown> = {};
  for (const key of keys) copy[key] = replaceChannelRefs(value[key], register);
  return copy;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
