// "Prototyper: Run Dev Server" / "Stop Dev Server": the project's dev script through the
// sidecar's `bun_dev` (bun, npm or pnpm, as the project uses) in a terminal fed by the process
// channel; its `Local: http://…` URL is caught within the seed's 30 s and opened in VS Code's
// Simple Browser. A status bar item shows what runs. Servers die with VS Code: the sidecar kills
// its children when the host goes, and disposing this stops them first.
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ChannelEnvelope } from '../protocol/webviewMessages';
import { SECTION } from '../settings';
import type { RunningProcess, TerminalRunner } from '../terminal/runInTerminal';
import { DevServerUrlWatcher } from './devServerUrl';
import { devCommandLine, projectManager } from './packageManagers';

/** The ports tried for a new server, from Vite's default up. */
const FIRST_PORT = 5173;
const LAST_PORT = 5199;

interface DevServer {
  /** The project folder, relative to the first workspace folder ('.' for the folder itself). */
  cwd: string;
  name: string;
  process: RunningProcess;
  url?: string;
}

/** Whether `port` can be listened on (on every interface, as a dev server might). */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, () => server.close(() => resolve(true)));
  });
}

async function freePort(taken: Set<number>): Promise<number> {
  for (let port = FIRST_PORT; port <= LAST_PORT; port++) {
    if (!taken.has(port) && (await portIsFree(port))) return port;
  }
  throw new Error(`No free port between ${FIRST_PORT} and ${LAST_PORT}; stop a running server first.`);
}

/** A folder's dev script (undefined when it has none, or its marker says it has no server). */
function devScript(folder: string): string | undefined {
  try {
    const marker = JSON.parse(readFileSync(path.join(folder, '.prototyper/project.json'), 'utf8')) as { devServer?: boolean };
    if (marker.devServer === false) return undefined;
  } catch {
    // not a scaffolded project: its package.json decides
  }
  try {
    const pkg = JSON.parse(readFileSync(path.join(folder, 'package.json'), 'utf8')) as { scripts?: Record<string, unknown> };
    return typeof pkg.scripts?.dev === 'string' ? pkg.scripts.dev : undefined;
  } catch {
    return undefined;
  }
}

export class DevServers implements vscode.Disposable {
  private readonly servers = new Map<string, DevServer>();
  private readonly ports = new Set<number>();
  private readonly status = vscode.window.createStatusBarItem('prototyper.devServer', vscode.StatusBarAlignment.Left, 50);

  constructor(private readonly terminals: TerminalRunner) {
    this.status.name = 'Prototyper Dev Server';
    this.status.command = 'prototyper.devServerActions';
  }

  /** Starts the dev server of the workspace's project (asking which when there are several). */
  async run(): Promise<void> {
    const root = vscode.workspace.workspaceFolders?.[0];
    if (!root || root.uri.scheme !== 'file') {
      throw new Error('Open a project folder first (File > Open Folder…), or create one with "Prototyper: New Project…".');
    }
    const cwd = await this.pickProject(root.uri.fsPath);
    if (cwd === undefined) return;
    const existing = this.servers.get(cwd);
    if (existing) {
      if (existing.url) await this.openInSimpleBrowser(existing.url);
      existing.process.terminal.show(true);
      return;
    }
    const folder = path.join(root.uri.fsPath, cwd);
    const setting = vscode.workspace.getConfiguration(SECTION).get<string>('packageManager', 'auto');
    const manager = projectManager(setting, (file) => existsSync(path.join(folder, file)));
    if (!existsSync(path.join(folder, 'node_modules'))) {
      const install = await vscode.window.showWarningMessage(
        `Prototyper: ${cwd === '.' ? 'this project' : cwd} has no node_modules yet: install its dependencies first, then run the dev server again.`,
        'Install Now',
      );
      if (install) this.terminals.runProcess({ name: `Install: ${cwd}`, commandLine: `${manager} install`, method: 'bun_install', params: { cwd } });
      return;
    }
    const port = await freePort(this.ports);
    const watcher = new DevServerUrlWatcher();
    const name = cwd === '.' ? path.basename(root.uri.fsPath) : cwd;
    const process = this.terminals.runProcess({
      name: `Dev Server: ${name}`,
      commandLine: devCommandLine(manager, port),
      method: 'bun_dev',
      params: { cwd, port },
      onMessage: (envelope: ChannelEnvelope) => {
        const message = envelope.message as { event?: string; data?: { lines?: unknown } };
        if (message?.event === 'Output' && Array.isArray(message.data?.lines)) watcher.lines(message.data.lines.map(String));
      },
    });
    const server: DevServer = { cwd, name, process };
    this.servers.set(cwd, server);
    this.ports.add(port);
    this.render();
    void process.exited.then((exit) => {
      watcher.end(exit.error ?? (exit.code !== null ? `it exited with code ${exit.code}` : `it was stopped (${exit.signal ?? 'no exit code'})`));
      this.servers.delete(cwd);
      this.ports.delete(port);
      this.render();
    });
    try {
      server.url = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Starting the dev server of ${name}…`, cancellable: true },
        (_progress, token) => {
          token.onCancellationRequested(() => process.terminal.dispose());
          return watcher.url;
        },
      );
    } catch (error) {
      if (this.servers.get(cwd) === server) {
        const action = await vscode.window.showErrorMessage(`Prototyper: ${(error as Error).message}`, 'Show Terminal');
        if (action) process.terminal.show();
      }
      return;
    }
    this.render();
    await this.openInSimpleBrowser(server.url);
  }

  /** Stops a running server (asking which when several run). */
  async stop(): Promise<void> {
    const server = await this.pickRunning('Stop which dev server?');
    if (!server) {
      if (this.servers.size === 0) void vscode.window.showInformationMessage('Prototyper: no dev server is running.');
      return;
    }
    // Closing the terminal kills the process group through the sidecar.
    server.process.terminal.dispose();
    await server.process.exited;
  }

  /** The status bar item's menu: open a server's page, show its terminal, or stop it. */
  async actions(): Promise<void> {
    const server = await this.pickRunning('Which dev server?');
    if (!server) return;
    const items = [
      ...(server.url ? [{ label: '$(globe) Open in Simple Browser', run: () => this.openInSimpleBrowser(server.url!) }] : []),
      ...(server.url ? [{ label: '$(link-external) Open in External Browser', run: () => vscode.env.openExternal(vscode.Uri.parse(server.url!)) }] : []),
      { label: '$(terminal) Show Terminal', run: () => server.process.terminal.show() },
      { label: '$(debug-stop) Stop', run: () => server.process.terminal.dispose() },
    ];
    const picked = await vscode.window.showQuickPick(items, { title: `Dev server of ${server.name}${server.url ? ` at ${server.url}` : ''}` });
    await picked?.run();
  }

  dispose(): void {
    for (const server of this.servers.values()) server.process.terminal.dispose();
    this.servers.clear();
    this.status.dispose();
  }

  private async openInSimpleBrowser(url: string): Promise<void> {
    try {
      await vscode.commands.executeCommand('simpleBrowser.show', url);
    } catch {
      // A VS Code without the Simple Browser: the system browser will do.
      await vscode.env.openExternal(vscode.Uri.parse(url));
    }
  }

  private async pickRunning(title: string): Promise<DevServer | undefined> {
    const running = [...this.servers.values()];
    if (running.length <= 1) return running[0];
    const picked = await vscode.window.showQuickPick(
      running.map((server) => ({ label: server.name, description: server.url ?? 'starting…', server })),
      { title },
    );
    return picked?.server;
  }

  /** The project folder to serve, relative to `root`: the root itself, or one of its sub-folders with a dev script. */
  private async pickProject(root: string): Promise<string | undefined> {
    if (devScript(root) !== undefined) return '.';
    const found = await vscode.workspace.findFiles('**/package.json', '**/node_modules/**', 50);
    const candidates = found
      .map((uri) => path.dirname(uri.fsPath))
      .filter((folder) => folder.startsWith(root + path.sep) && devScript(folder) !== undefined)
      .map((folder) => path.relative(root, folder).split(path.sep).join('/'))
      .sort();
    if (candidates.length === 0) {
      throw new Error('This workspace has no project with a dev server (a package.json with a "dev" script). Create one with "Prototyper: New Project…".');
    }
    if (candidates.length === 1) return candidates[0];
    const picked = await vscode.window.showQuickPick(candidates, { title: 'Run the dev server of which project?' });
    return picked;
  }

  private render(): void {
    const running = [...this.servers.values()];
    if (running.length === 0) {
      this.status.hide();
      return;
    }
    const ready = running.filter((server) => server.url);
    this.status.text =
      running.length === 1
        ? `$(radio-tower) ${running[0].url ? new URL(running[0].url).host : 'starting…'}`
        : `$(radio-tower) ${running.length} dev servers`;
    this.status.tooltip = running.map((server) => `${server.name}: ${server.url ?? 'starting…'}`).join('\n') + '\nClick to open or stop';
    this.status.accessibilityInformation = { label: `${running.length} Prototyper dev server${running.length > 1 ? 's' : ''} running, ${ready.length} ready` };
    this.status.show();
  }
}
