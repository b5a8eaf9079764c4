// A pseudoterminal fed by a sidecar process channel: Output lines are written as they come, Exit
// prints the exit code, closing the terminal (or Ctrl+C) kills the process. Structurally a
// `vscode.Pseudoterminal` but free of `vscode` (vscode-jsonrpc's Emitter has the same Event shape),
// so it is unit-tested in plain Node.
import { Emitter, type Event } from 'vscode-jsonrpc/node';
import type { ChannelEnvelope } from '../protocol/webviewMessages';

export interface ProcessExit {
  code: number | null;
  signal: string | null;
  /** Set when the process could not start or the channel ended with an error. */
  error?: string;
}

export interface ProcessTerminalOptions {
  /** The command line shown at the top. */
  commandLine: string;
  /** Opens a host channel; every message of it goes to `deliver`. Returns its id. */
  openChannel(deliver: (envelope: ChannelEnvelope) => void): number;
  closeChannel(id: number): void;
  /** Starts the process with `onEvent` = the channel id; resolves with its pid. */
  start(onEvent: number): Promise<{ pid: number }>;
  kill(pid: number): Promise<unknown>;
}

const DIM = '\x1b[2m';
const RED = '\x1b[31m';
const RESET = '\x1b[0m';

export class ProcessPseudoterminal {
  private readonly writeEmitter = new Emitter<string>();
  private readonly closeEmitter = new Emitter<number | void>();
  readonly onDidWrite: Event<string> = this.writeEmitter.event;
  readonly onDidClose: Event<number | void> = this.closeEmitter.event;

  private channelId: number | undefined;
  private pid: number | undefined;
  /** The process's Exit/Error arrived (or it never started): nothing to kill. */
  private processEnded = false;
  private closed = false;
  private finished = false;
  private resolveExit!: (exit: ProcessExit) => void;
  /** Settles once the process ended (or failed to start). */
  readonly exited: Promise<ProcessExit> = new Promise((resolve) => (this.resolveExit = resolve));

  constructor(private readonly options: ProcessTerminalOptions) {}

  /** VS Code calls this when the terminal is ready; the process starts only then, so no output is lost. */
  open(): void {
    this.write(`${DIM}$ ${this.options.commandLine}${RESET}\r\n`);
    this.channelId = this.options.openChannel((envelope) => this.onMessage(envelope));
    this.options.start(this.channelId).then(
      ({ pid }) => {
        this.pid = pid;
        // Closed while starting: stop it now that there is a pid.
        if (this.closed) this.stopProcess();
      },
      (error: { message?: string }) => {
        this.processEnded = true;
        if (this.channelId !== undefined) this.options.closeChannel(this.channelId);
        this.finish({ code: null, signal: null, error: error?.message ?? String(error) });
        this.write(`${RED}${error?.message ?? String(error)}${RESET}\r\n`);
      },
    );
  }

  /** The user closed the terminal: stop the process if it still runs. */
  close(): void {
    this.closed = true;
    this.stopProcess();
    if (this.channelId !== undefined) this.options.closeChannel(this.channelId);
    this.finish({ code: null, signal: null, error: 'The terminal was closed.' });
  }

  /** Ctrl+C stops the process; other input is ignored (the sidecar gives processes no stdin). */
  handleInput(data: string): void {
    if (data === '\x03' && !this.processEnded) {
      this.write('^C\r\n');
      this.stopProcess();
    }
  }

  private onMessage(envelope: ChannelEnvelope): void {
    const message = envelope.message as { event?: string; data?: Record<string, unknown> };
    const data = message?.data ?? {};
    switch (message?.event) {
      case 'Output': {
        const lines = Array.isArray(data.lines) ? (data.lines as unknown[]).map(String) : [];
        if (lines.length === 0) break;
        const text = lines.map((line) => line.replace(/\r?\n/g, '\r\n')).join('\r\n') + '\r\n';
        this.write(data.stream === 'stderr' ? `${RED}${text}${RESET}` : text);
        break;
      }
      case 'Exit': {
        const code = typeof data.code === 'number' ? data.code : null;
        const signal = typeof data.signal === 'string' ? data.signal : null;
        this.processEnded = true;
        this.write(`\r\n${DIM}[process exited with ${code !== null ? `code ${code}` : signal ? `signal ${signal}` : 'no exit code'}]${RESET}\r\n`);
        this.finish({ code, signal });
        break;
      }
      case 'Error': {
        this.processEnded = true;
        const text = String(data.message ?? 'The process failed.');
        this.write(`\r\n${RED}${text}${RESET}\r\n`);
        this.finish({ code: null, signal: null, error: text });
        break;
      }
      default:
        break;
    }
  }

  private stopProcess(): void {
    if (this.processEnded || this.pid === undefined) return;
    this.options.kill(this.pid).catch(() => {
      // Already gone: its Exit is on the way or the sidecar died (the channel ends with an error).
    });
  }

  private finish(exit: ProcessExit): void {
    if (this.finished) return;
    this.finished = true;
    this.resolveExit(exit);
  }

  private write(text: string): void {
    this.writeEmitter.fire(text);
  }
}

/** Quotes `args` for the sidecar's shlex split of `run_shell_command`'s `command`. */
export function shellCommandLine(command: string, args: string[] = []): string {
  const quote = (arg: string) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'"'"'`)}'`);
  return [command, ...args.map(quote)].join(' ');
}
