// Runs the sidecar process: spawn, JSON-RPC over its stdio, the `initialize` handshake, restarts
// with backoff after a crash, giving up after repeated crashes, and a graceful shutdown. Free of
// `vscode` (the extension injects the launch, the params and the logger) so it is tested against a
// real child process in plain Node.
import { spawn, type ChildProcess } from 'node:child_process';
import * as readline from 'node:readline';
import {
  CancellationToken,
  createMessageConnection,
  Emitter,
  ErrorCodes,
  ResponseError,
  StreamMessageReader,
  StreamMessageWriter,
  type Event,
  type MessageConnection,
  type MessageWriter,
} from 'vscode-jsonrpc/node';
import { HOST_ERROR_CODES, type ChannelEnvelope, type InvokeError, type SidecarState } from '../protocol/webviewMessages';
import { PROTOCOL_VERSION, type InitializeParams, type InitializeResult } from './initialize';

/** What to run. For the real sidecar: the resolved binary and no args. */
export interface SidecarLaunch {
  command: string;
  args: string[];
  /** Shown in the status tooltip (`--version` output). */
  version: string;
  /** Where it came from, for messages (usually the binary's path). */
  description: string;
}

export interface SupervisorLogger {
  info(message: string): void;
  error(message: string): void;
  /** One line the sidecar wrote to stderr (its log). */
  stderr(line: string): void;
}

export interface SupervisorStatus {
  state: SidecarState;
  /** Why it is in this state, for the user (crashed: what happened and what to do). */
  message?: string;
  /** `--version` output of the running binary. */
  version?: string;
  /** What the handshake reported. */
  sidecarVersion?: string;
  pid?: number;
}

/** A sidecar process ended. `expected` when the host stopped it (shutdown, restart, refusal). */
export interface SidecarExit {
  code: number | null;
  signal: string | null;
  expected: boolean;
}

export interface SupervisorOptions {
  /** Finds and checks the binary; a throw is a start failure that restarting cannot fix. */
  launch(): Promise<SidecarLaunch>;
  /** Called at every (re)start, so trust and settings changes apply to the next process. */
  initializeParams(): InitializeParams | Promise<InitializeParams>;
  logger: SupervisorLogger;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** First restart delay; doubles per crash in the window (0.5 s, 1 s, 2 s, 4 s, …). */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** This many crashes within `crashWindowMs` and the supervisor gives up (state `crashed`). */
  maxCrashes?: number;
  crashWindowMs?: number;
  initializeTimeoutMs?: number;
  /** How long `shutdown`/`exit` may take before the process is killed. */
  shutdownGraceMs?: number;
  /**
   * Requests the sidecar sends to the host (`editor/readDocument`, `editor/applyEdit`), answered
   * like a language client answers `workspace/applyEdit`. A throw becomes a JSON-RPC error.
   */
  requestHandlers?: Record<string, (params: unknown) => unknown>;
}

/** A failed request as the caller sees it: the JSON-RPC error, or the host's "sidecar unavailable". */
export class SidecarRequestError extends Error implements InvokeError {
  override name = 'SidecarRequestError';
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

interface Running {
  child: ChildProcess;
  connection: MessageConnection;
  launch: SidecarLaunch;
  ready: boolean;
  /** The host is ending it on purpose: its exit is not a crash. */
  expectedEnd: boolean;
  ended: boolean;
  endPromise: Promise<void>;
  markEnded(): void;
  /** Process groups it started for channels still open, killed if it dies without ending them. */
  processGroups: ChannelProcessGroups;
}

interface ReadyWaiter {
  resolve(running: Running): void;
  reject(error: Error): void;
}

export class SidecarSupervisor {
  private readonly stateEmitter = new Emitter<SupervisorStatus>();
  private readonly channelEmitter = new Emitter<ChannelEnvelope>();
  private readonly exitEmitter = new Emitter<SidecarExit>();
  /** Fires on every state change. */
  readonly onStateChange: Event<SupervisorStatus> = this.stateEmitter.event;
  /** Every `channel` notification, in arrival order, straight from the frame reader. */
  readonly onChannel: Event<ChannelEnvelope> = this.channelEmitter.event;
  /** A process ended, after all its output was delivered; open channels are dead now. */
  readonly onExit: Event<SidecarExit> = this.exitEmitter.event;

  private current: SupervisorStatus = { state: 'stopped' };
  private running: Running | undefined;
  /** Bumped at each launch and stop, so work of a superseded launch is dropped. */
  private generation = 0;
  private crashTimes: number[] = [];
  private restartTimer: NodeJS.Timeout | undefined;
  private waiters: ReadyWaiter[] = [];
  private starting: Promise<void> | undefined;
  private disposed = false;

  private readonly backoffBaseMs: number;
  private readonly backoffMaxMs: number;
  private readonly maxCrashes: number;
  private readonly crashWindowMs: number;
  private readonly initializeTimeoutMs: number;
  private readonly shutdownGraceMs: number;

  constructor(private readonly options: SupervisorOptions) {
    this.backoffBaseMs = options.backoffBaseMs ?? 500;
    this.backoffMaxMs = options.backoffMaxMs ?? 30_000;
    this.maxCrashes = options.maxCrashes ?? 5;
    this.crashWindowMs = options.crashWindowMs ?? 3 * 60_000;
    this.initializeTimeoutMs = options.initializeTimeoutMs ?? 15_000;
    this.shutdownGraceMs = options.shutdownGraceMs ?? 2_000;
  }

  get status(): SupervisorStatus {
    return this.current;
  }

  /** Starts the sidecar unless it is running or starting; resolves once it is ready or has failed. */
  start(): Promise<void> {
    const { state } = this.current;
    if (state === 'ready' || state === 'starting' || state === 'restarting') return this.starting ?? Promise.resolve();
    this.crashTimes = [];
    return this.launch('starting');
  }

  /** Stops the running sidecar (gracefully) and starts a fresh one; forgets earlier crashes. */
  async restart(reason: string): Promise<void> {
    this.options.logger.info(`Restarting the sidecar: ${reason}`);
    await this.stopProcess('restarting', reason);
    this.crashTimes = [];
    return this.launch('restarting');
  }

  /** Stops the sidecar: `shutdown`, then `exit`, then a kill after the grace period. */
  async stop(): Promise<void> {
    await this.stopProcess('stopped', 'The sidecar was stopped.');
  }

  /**
   * Sends a command. Waits while the sidecar is (re)starting; fails at once with
   * `sidecarUnavailable` when it has crashed or was stopped, and when it dies before answering.
   */
  async request<R = unknown>(method: string, params: object = {}, token?: CancellationToken): Promise<R> {
    const running = await this.whenReady(method, token);
    const call = running.processGroups.callSent(params);
    let result: R;
    try {
      // vscode-jsonrpc takes a trailing token; an undefined one would be sent as a second param.
      result = token
        ? await running.connection.sendRequest<R>(method, params, token)
        : await running.connection.sendRequest<R>(method, params);
    } catch (error) {
      running.processGroups.callAnswered(call, undefined);
      throw toRequestError(error, method);
    }
    running.processGroups.callAnswered(call, result);
    return result;
  }

  dispose(): Promise<void> {
    this.disposed = true;
    return this.stop().finally(() => {
      this.stateEmitter.dispose();
      this.channelEmitter.dispose();
      this.exitEmitter.dispose();
    });
  }

  // ---- lifecycle ------------------------------------------------------------------------------

  private launch(state: 'starting' | 'restarting', message?: string): Promise<void> {
    const generation = ++this.generation;
    this.setStatus({ state, message });
    const done = this.launchProcess(generation).finally(() => {
      if (this.starting === done) this.starting = undefined;
    });
    this.starting = done;
    return done;
  }

  private async launchProcess(generation: number): Promise<void> {
    const { logger } = this.options;
    let launch: SidecarLaunch;
    try {
      launch = await this.options.launch();
    } catch (error) {
      if (generation === this.generation) this.giveUp((error as Error).message);
      return;
    }
    if (generation !== this.generation) return;

    logger.info(`Starting ${launch.description} (${launch.version})`);
    const child = spawn(launch.command, launch.args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: this.options.env ?? process.env,
      cwd: this.options.cwd,
      windowsHide: true,
    });
    const running = this.track(child, launch);
    this.running = running;

    try {
      const params = await this.options.initializeParams();
      const result = await withTimeout(
        running.connection.sendRequest<InitializeResult>('initialize', params),
        this.initializeTimeoutMs,
        `The sidecar did not answer initialize within ${this.initializeTimeoutMs} ms`,
      );
      if (running.ended || generation !== this.generation) return;
      if (result?.protocolVersion !== PROTOCOL_VERSION) {
        await this.refuse(
          running,
          `The sidecar at ${launch.description} speaks protocol version ${String(result?.protocolVersion)} but this extension needs ${PROTOCOL_VERSION}. Rebuild it with \`npm run build\` or point "prototyper.sidecar.path" at a matching binary.`,
        );
        return;
      }
      running.ready = true;
      this.setStatus({ state: 'ready', version: launch.version, sidecarVersion: result.sidecarVersion, pid: child.pid });
      logger.info(`Sidecar ready (pid ${child.pid}, protocol ${result.protocolVersion}, ${result.commands?.length ?? 0} commands)`);
      for (const waiter of this.waiters.splice(0)) waiter.resolve(running);
    } catch (error) {
      if (running.ended || generation !== this.generation) return;
      if (error instanceof TimeoutError) {
        // A hung sidecar is a crash: kill it and let the crash policy decide.
        logger.error(error.message);
        child.kill('SIGKILL');
        return;
      }
      // The sidecar answered but refused (protocol version, storage dir): restarting cannot help.
      const detail = error instanceof ResponseError ? error.message : (error as Error).message;
      await this.refuse(running, `The sidecar refused to start: ${detail}`);
    }
  }

  /** Wires a spawned process: stderr to the log, stdout to JSON-RPC, its end to the crash policy. */
  private track(child: ChildProcess, launch: SidecarLaunch): Running {
    const { logger } = this.options;
    let markEnded = () => {};
    const endPromise = new Promise<void>((resolve) => (markEnded = resolve));
    const connection = createMessageConnection(new StreamMessageReader(child.stdout!), settledWriter(new StreamMessageWriter(child.stdin!)), {
      error: (m) => logger.error(m),
      warn: (m) => logger.info(m),
      info: (m) => logger.info(m),
      log: (m) => logger.info(m),
    });
    const running: Running = {
      child,
      connection,
      launch,
      ready: false,
      expectedEnd: false,
      ended: false,
      endPromise,
      markEnded,
      processGroups: new ChannelProcessGroups(),
    };

    connection.onError(([error]) => {
      if (!running.ended) logger.error(`Sidecar connection: ${error.message}`);
    });
    connection.onNotification('channel', (params: ChannelEnvelope) => {
      if (params?.terminal) running.processGroups.channelEnded(params.id);
      // Messages of a process that is being replaced are dropped (its channels get their terminal error).
      if (this.running === running && !running.ended) this.channelEmitter.fire(params);
    });
    for (const [method, handler] of Object.entries(this.options.requestHandlers ?? {})) {
      connection.onRequest(method, async (params: unknown) => {
        try {
          return await handler(params);
        } catch (error) {
          if (error instanceof ResponseError) throw error;
          logger.error(`Answering the sidecar's ${method} failed: ${(error as Error)?.message ?? error}`);
          throw new ResponseError(HOST_ERROR_CODES.hostCommandFailed, `${method} failed in VS Code: ${(error as Error)?.message ?? error}`);
        }
      });
    }
    connection.onUnhandledNotification((n) => logger.info(`Unhandled notification from the sidecar: ${n.method}`));
    connection.listen();
    // Writes after the process died fail with EPIPE; the exit handler reports the death.
    child.stdin!.on('error', () => {});
    readline.createInterface({ input: child.stderr! }).on('line', (line) => logger.stderr(line));

    let exitInfo: { code: number | null; signal: string | null } | undefined;
    let fallback: NodeJS.Timeout | undefined;
    const end = () => {
      if (fallback) clearTimeout(fallback);
      this.onProcessEnd(running, exitInfo?.code ?? null, exitInfo?.signal ?? null);
    };
    child.on('error', (error) => {
      logger.error(`Sidecar process error (${launch.description}): ${error.message}`);
      if (child.pid === undefined) end(); // never spawned: no exit/close will follow
    });
    child.on('exit', (code, signal) => {
      exitInfo = { code, signal };
      // 'close' follows once stdout is drained; do not wait forever if a grandchild holds the pipe.
      fallback = setTimeout(end, 1000);
    });
    child.on('close', (code, signal) => {
      exitInfo ??= { code, signal };
      end();
    });
    return running;
  }

  private onProcessEnd(running: Running, code: number | null, signal: string | null): void {
    if (running.ended) return;
    running.ended = true;
    running.connection.dispose();
    running.markEnded();
    if (this.running === running) this.running = undefined;
    const how = describeExit(code, signal);
    this.options.logger.info(`Sidecar (pid ${running.child.pid ?? '?'}) exited with ${how}`);
    running.processGroups.killAll(this.options.logger);
    this.exitEmitter.fire({ code, signal, expected: running.expectedEnd });
    if (running.expectedEnd || this.disposed) return;

    const now = Date.now();
    this.crashTimes = this.crashTimes.filter((time) => now - time < this.crashWindowMs);
    this.crashTimes.push(now);
    const crashes = this.crashTimes.length;
    if (crashes >= this.maxCrashes) {
      this.giveUp(
        `The Prototyper sidecar crashed ${crashes} times within ${Math.round(this.crashWindowMs / 60_000)} minutes (last: ${how}) and will not be restarted automatically. See the 'Prototyper Sidecar' output for its log, then run "Prototyper: Restart Sidecar".`,
      );
      return;
    }
    const delay = Math.min(this.backoffBaseMs * 2 ** (crashes - 1), this.backoffMaxMs);
    const generation = ++this.generation;
    this.setStatus({ state: 'restarting', message: `The sidecar stopped unexpectedly (${how}); restarting in ${(delay / 1000).toFixed(1)} s.` });
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (generation === this.generation) void this.launch('restarting', `Restarting after ${how}.`);
    }, delay);
  }

  /** The handshake failed in a way a restart cannot fix: stop the process and stay down. */
  private async refuse(running: Running, message: string): Promise<void> {
    this.giveUp(message);
    await this.terminate(running);
  }

  private giveUp(message: string): void {
    this.options.logger.error(message);
    this.setStatus({ state: 'crashed', message });
    this.rejectWaiters(message);
  }

  private async stopProcess(state: 'stopped' | 'restarting', message: string): Promise<void> {
    this.generation++;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    const running = this.running;
    this.running = undefined;
    if (state === 'stopped') {
      this.setStatus({ state, message });
      this.rejectWaiters(message);
    } else {
      this.setStatus({ state, message });
    }
    if (running) await this.terminate(running);
  }

  /** `shutdown` request, `exit` notification, stdin closed; SIGKILL if it is still alive after the grace period. */
  private async terminate(running: Running): Promise<void> {
    running.expectedEnd = true;
    if (running.ended) return;
    const grace = this.shutdownGraceMs;
    try {
      await withTimeout(running.connection.sendRequest('shutdown'), grace, 'shutdown timed out');
      await running.connection.sendNotification('exit');
    } catch {
      // Dead or hung: the kill below handles both.
    }
    running.child.stdin?.end();
    const ended = await Promise.race([running.endPromise.then(() => true), delay(grace).then(() => false)]);
    if (!ended) {
      this.options.logger.error(`The sidecar did not exit within ${grace} ms of shutdown; killing it.`);
      running.child.kill('SIGKILL');
      await Promise.race([running.endPromise, delay(grace)]);
    }
  }

  private whenReady(method: string, token?: CancellationToken): Promise<Running> {
    const { state, message } = this.current;
    if (state === 'ready' && this.running?.ready) return Promise.resolve(this.running);
    if (state === 'crashed' || state === 'stopped' || this.disposed) {
      return Promise.reject(unavailable(`The Prototyper sidecar is not running, so '${method}' cannot run. ${message ?? ''} Run "Prototyper: Restart Sidecar" to start it.`.replace(/\s+/g, ' ')));
    }
    return new Promise<Running>((resolve, reject) => {
      const waiter: ReadyWaiter = { resolve, reject };
      this.waiters.push(waiter);
      token?.onCancellationRequested(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new SidecarRequestError(-32800, `'${method}' was cancelled while the sidecar was starting.`));
      });
    });
  }

  private rejectWaiters(message: string): void {
    for (const waiter of this.waiters.splice(0)) waiter.reject(unavailable(message));
  }

  private setStatus(status: SupervisorStatus): void {
    this.current = status;
    if (!this.disposed) this.stateEmitter.fire(status);
  }
}

function unavailable(message: string): SidecarRequestError {
  return new SidecarRequestError(HOST_ERROR_CODES.sidecarUnavailable, message);
}

/** JSON-RPC errors pass through; a connection that died becomes "sidecar unavailable". */
function toRequestError(error: unknown, method: string): SidecarRequestError {
  // -32099..-32096 are vscode-jsonrpc's own transport codes (write/read failed, connection disposed).
  if (error instanceof ResponseError && !(error.code >= ErrorCodes.MessageWriteError && error.code <= ErrorCodes.ConnectionInactive)) {
    return new SidecarRequestError(error.code, error.message, error.data);
  }
  if (error instanceof SidecarRequestError) return error;
  return unavailable(`The Prototyper sidecar stopped before answering '${method}' (${(error as Error)?.message ?? error}). It is restarting; retry.`);
}

export function describeExit(code: number | null, signal: string | null): string {
  if (code !== null) return `exit code ${code}`;
  if (signal) return `signal ${signal}`;
  return 'no exit code';
}

class TimeoutError extends Error {}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * A writer whose writes never reject. vscode-jsonrpc's sendRequest rethrows a failed write from an
 * async Promise executor, which no caller can catch (an unhandled rejection). A write fails only
 * when the process is gone; the request then fails when the connection is disposed at its exit,
 * and the writer still reports the error on `onError`.
 */
function settledWriter(inner: MessageWriter): MessageWriter {
  return {
    onError: inner.onError,
    onClose: inner.onClose,
    write: (message) => inner.write(message).catch(() => {}),
    end: () => inner.end(),
    dispose: () => inner.dispose(),
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref?.());
}

/**
 * The process groups one sidecar process started for channels that are still open.
 *
 * The sidecar kills its process groups whenever it ends in order, and the kernel kills its direct
 * children when it dies (`PR_SET_PDEATHSIG`), but their own children (`npm run dev` → node →
 * esbuild) would outlive a sidecar that was SIGKILLed or crashed. So the host kills the groups
 * whose channels had not ended when it sees the sidecar exit. A spawning command (`bun_dev`,
 * `run_shell_command`, …) called with `onEvent` answers `{pid}`, and that child leads its own
 * group; it is recognized by that shape, so a new spawning command needs no list here.
 *
 * Only groups of open channels are kept: a group id is reused only after all its members died,
 * so killing it soon after the sidecar's exit reaches only what the sidecar started. A channel
 * that ended before its call was answered (a quick process) is never recorded.
 */
export class ChannelProcessGroups {
  /** Channel id → process group id. */
  private readonly open = new Map<number, number>();
  /** Channels of calls not answered yet → whether their terminal message already came. */
  private readonly unanswered = new Map<number, boolean>();

  /** A call is being sent; returns its channel if it has one. */
  callSent(params: object): number | undefined {
    const channel = (params as { onEvent?: unknown }).onEvent;
    if (typeof channel !== 'number') return undefined;
    this.unanswered.set(channel, false);
    return channel;
  }

  /** The call on `channel` was answered with `result` (undefined when it failed). */
  callAnswered(channel: number | undefined, result: unknown): void {
    if (channel === undefined) return;
    const endedAlready = this.unanswered.get(channel);
    this.unanswered.delete(channel);
    const pid = (result as { pid?: unknown } | null | undefined)?.pid;
    if (!endedAlready && typeof pid === 'number' && Number.isInteger(pid) && pid > 1) this.open.set(channel, pid);
  }

  channelEnded(channel: number): void {
    this.open.delete(channel);
    if (this.unanswered.has(channel)) this.unanswered.set(channel, true);
  }

  /** Kills every group still recorded (SIGKILL; POSIX only). */
  killAll(logger: SupervisorLogger): void {
    if (process.platform !== 'win32') {
      for (const pgid of this.open.values()) {
        try {
          process.kill(-pgid, 'SIGKILL');
          logger.info(`Killed process group ${pgid}, left running by the sidecar`);
        } catch {
          // ESRCH: the whole group is already gone.
        }
      }
    }
    this.open.clear();
    this.unanswered.clear();
  }
}
