// Whether the configured provider answers, for the status bar and the walkthrough: lists its
// models through the sidecar now and then (every 5 s while it is down, every 15 s while a local
// one is up, every 60 s for cloud APIs; the sidecar caches what each model can do, so a check is
// one small request), and learns from answers as they stream (a provider that refuses a chat is
// down now). No `vscode` import.
import type { ChannelEnvelope, Provider } from './protocol/webviewMessages';

export type Health =
  | { kind: 'unknown' }
  | { kind: 'checking' }
  /** It answered; `modelListed` says whether the configured model is among its `models`. */
  | { kind: 'up'; models: number; modelListed: boolean }
  | { kind: 'noModels' }
  | { kind: 'needsKey' }
  | { kind: 'down'; message: string; code?: string };

/** What to check: the settings and key in effect. */
export interface HealthTarget {
  provider: Provider;
  host: string;
  apiKey: string;
  model: string;
}

export interface HealthOptions {
  /** A sidecar request (`SidecarSupervisor.request`). */
  request(method: string, params: object): Promise<unknown>;
  target(): Promise<HealthTarget>;
  onChange(health: Health, target: HealthTarget | undefined): void;
  /** Between checks while the provider answers (local: 15 s; cloud APIs are polled less, 60 s). */
  upIntervalMs?: number;
  cloudUpIntervalMs?: number;
  /** Between checks while it does not (5 s: a restarted Ollama shows up quickly). */
  downIntervalMs?: number;
}

const LIST_METHODS: Record<Provider, string> = { ollama: 'list_ollama_models', openai: 'list_openai_models', anthropic: 'list_anthropic_models' };

/** Error codes of a stream that mean the provider itself is not reachable. */
const DOWN_CODES = new Set(['provider_unreachable']);

export class ProviderHealth {
  private current: Health = { kind: 'unknown' };
  private lastTarget: HealthTarget | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<Health> | undefined;
  private queued: Promise<Health> | undefined;
  private sidecarReady = false;
  private disposed = false;

  constructor(private readonly options: HealthOptions) {}

  get health(): Health {
    return this.current;
  }

  get target(): HealthTarget | undefined {
    return this.lastTarget;
  }

  /** The sidecar's state: checks need it, and a fresh one is checked at once. */
  setSidecarReady(ready: boolean): void {
    const was = this.sidecarReady;
    this.sidecarReady = ready;
    if (ready && !was) void this.check();
    if (!ready) {
      this.clearTimer();
      this.set({ kind: 'unknown' });
    }
  }

  /** VS Code came back to the foreground: check at once rather than at the next tick. */
  windowFocused(): void {
    void this.check();
  }

  /**
   * Checks now (settings changed, the user asked). A call while a check runs gets the next check,
   * which starts when the running one ends (calls meanwhile share it): the running one may have
   * read the settings before the change that prompted the call.
   */
  check(): Promise<Health> {
    if (this.disposed || !this.sidecarReady) return Promise.resolve(this.current);
    if (this.running) {
      this.queued ??= this.running.then(() => {
        this.queued = undefined;
        return this.start();
      });
      return this.queued;
    }
    return this.start();
  }

  private start(): Promise<Health> {
    this.clearTimer();
    const running = this.run().finally(() => {
      if (this.running === running) this.running = undefined;
      if (!this.queued) this.schedule();
    });
    this.running = running;
    return running;
  }

  /** Streams say how the provider is doing between checks. */
  observe(envelope: ChannelEnvelope): void {
    const message = envelope.message as { event?: string; data?: { code?: string; message?: string } } | null;
    if (!message || !envelope.terminal) return;
    if (message.event === 'Error' && message.data?.code && DOWN_CODES.has(message.data.code)) {
      this.set({ kind: 'down', message: message.data.message ?? 'The provider did not answer.', code: message.data.code });
      this.schedule();
    } else if (message.event === 'Done' && this.current.kind === 'down') {
      void this.check();
    }
  }

  dispose(): void {
    this.disposed = true;
    this.clearTimer();
  }

  private async run(): Promise<Health> {
    let target: HealthTarget;
    try {
      target = await this.options.target();
    } catch (error) {
      return this.set({ kind: 'down', message: (error as Error).message });
    }
    this.lastTarget = target;
    if (target.provider !== 'ollama' && !target.apiKey) return this.set({ kind: 'needsKey' });
    if (this.current.kind === 'unknown') this.set({ kind: 'checking' });
    try {
      const models = (await this.options.request(LIST_METHODS[target.provider], { host: target.host, apiKey: target.apiKey })) as Array<{ id?: string; name?: string }>;
      if (models.length === 0) return this.set({ kind: 'noModels' });
      const modelListed = models.some((m) => m.id === target.model || m.name === target.model);
      return this.set({ kind: 'up', models: models.length, modelListed });
    } catch (error) {
      const e = error as { message?: string; data?: { kind?: string } };
      return this.set({ kind: 'down', message: e.message ?? String(error), code: e.data?.kind });
    }
  }

  private set(health: Health): Health {
    const changed = JSON.stringify(health) !== JSON.stringify(this.current);
    this.current = health;
    if (changed && !this.disposed) this.options.onChange(health, this.lastTarget);
    return health;
  }

  private schedule(): void {
    this.clearTimer();
    if (this.disposed || !this.sidecarReady || this.current.kind === 'needsKey') return;
    const cloud = this.lastTarget !== undefined && this.lastTarget.provider !== 'ollama';
    const interval =
      this.current.kind === 'down' || this.current.kind === 'noModels'
        ? this.options.downIntervalMs ?? 5_000
        : cloud
          ? this.options.cloudUpIntervalMs ?? 60_000
          : this.options.upIntervalMs ?? 15_000;
    this.timer = setTimeout(() => void this.check(), interval);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
