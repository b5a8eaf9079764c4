// Runs a sidecar process command (run_shell_command, bun_dev, bun_install, …) in a VS Code
// terminal: its output streams into the terminal, closing the terminal kills the process. This is
// the helper the scaffolding feature uses for dev servers and installs.
import * as vscode from 'vscode';
import type { ChannelEnvelope } from '../protocol/webviewMessages';
import type { ChannelRelay } from '../relay/channelRelay';
import { ProcessPseudoterminal, shellCommandLine, type ProcessExit } from './processTerminal';

export interface SidecarRequester {
  request(method: string, params: object): Promise<unknown>;
}

export interface RunningProcess {
  terminal: vscode.Terminal;
  /** Settles when the process ends, fails to start, or the terminal is closed. */
  exited: Promise<ProcessExit>;
}

export interface ProcessCommand {
  /** Terminal tab name. */
  name: string;
  /** What the terminal shows as the command line. */
  commandLine: string;
  /** The sidecar's spawning command and its params (without `onEvent`, which is added). */
  method: string;
  params: Record<string, unknown>;
  /** Sees each channel message too (the dev server watches its output for its URL). */
  onMessage?(envelope: ChannelEnvelope): void;
}

export class TerminalRunner {
  constructor(
    private readonly relay: Pick<ChannelRelay, 'openHostChannel' | 'closeHostChannel'>,
    private readonly sidecar: SidecarRequester,
  ) {}

  /** `command args…` through `run_shell_command` (its allowlist applies) in `cwd` (workspace-relative). */
  runInTerminal(command: string, args: string[] = [], options: { cwd?: string; name?: string } = {}): RunningProcess {
    const commandLine = shellCommandLine(command, args);
    return this.runProcess({
      name: options.name ?? `Prototyper: ${command}`,
      commandLine,
      method: 'run_shell_command',
      params: { cwd: options.cwd ?? '.', command: commandLine },
    });
  }

  /** Any spawning sidecar command that streams process output on `onEvent`. */
  runProcess(command: ProcessCommand): RunningProcess {
    const pty = new ProcessPseudoterminal({
      commandLine: command.commandLine,
      openChannel: (deliver) =>
        this.relay.openHostChannel((envelope) => {
          command.onMessage?.(envelope);
          deliver(envelope);
        }),
      closeChannel: (id) => this.relay.closeHostChannel(id),
      start: async (onEvent) => (await this.sidecar.request(command.method, { ...command.params, onEvent })) as { pid: number },
      kill: (pid) => this.sidecar.request('kill_process', { pid }),
    });
    const terminal = vscode.window.createTerminal({ name: command.name, pty, iconPath: new vscode.ThemeIcon('terminal') });
    terminal.show(true);
    return { terminal, exited: pty.exited };
  }
}
