// The local image server (Bonsai) as VS Code shows it: Start / Stop / Configure, its output in the
// "Prototyper Image Server" output channel, and a status bar item while it runs. The sidecar runs
// the server; this file only asks it and shows what it says. The status is polled every few
// seconds while the sidecar is up, so a server the agent started (generate_image) shows too.
import * as vscode from 'vscode';
import type { BonsaiServerConfig, BonsaiServerInfo, BonsaiServerStatus, ProcessEvent } from '../protocol/generated';
import type { ChannelEnvelope } from '../protocol/webviewMessages';
import type { ChannelRelay } from '../relay/channelRelay';
import type { SidecarSupervisor } from '../sidecar/supervisor';

export type Sidecar = Pick<SidecarSupervisor, 'request' | 'status' | 'onStateChange'>;
export type HostChannels = Pick<ChannelRelay, 'openHostChannel' | 'closeHostChannel'>;

const POLL_MS = 4000;
const VARIANTS = ['ternary', 'binary'];

export class ImageServer implements vscode.Disposable {
  readonly output = vscode.window.createOutputChannel('Prototyper Image Server');
  private readonly item = vscode.window.createStatusBarItem('prototyper.imageServer', vscode.StatusBarAlignment.Right, 99);
  private readonly poller: NodeJS.Timeout;
  private readonly subscriptions: vscode.Disposable[] = [];
  /** The host channel the server's log arrives on, while subscribed. */
  private logChannel: number | undefined;
  private attaching = false;
  private current: BonsaiServerStatus | undefined;
  private readonly changed = new vscode.EventEmitter<BonsaiServerStatus | undefined>();
  /** Fires after each status refresh. */
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly sidecar: Sidecar,
    private readonly channels: HostChannels,
  ) {
    this.item.name = 'Prototyper Image Server';
    this.poller = setInterval(() => void this.refresh(), POLL_MS);
    this.subscriptions.push(
      sidecar.onStateChange((status) => {
        if (status.state === 'ready') void this.refresh();
        else this.show(undefined);
      }),
    );
  }

  get status(): BonsaiServerStatus | undefined {
    return this.current;
  }

  /** Asks the sidecar how the server is; subscribes to the log of a server someone else started. */
  async refresh(): Promise<BonsaiServerStatus | undefined> {
    if (this.sidecar.status.state !== 'ready') {
      this.show(undefined);
      return undefined;
    }
    try {
      const status = await this.sidecar.request<BonsaiServerStatus>('bonsai_server_status', {});
      this.show(status);
      if (status.running && status.healthy && !status.starting && this.logChannel === undefined) void this.attachLog();
      return status;
    } catch {
      this.show(undefined);
      return undefined;
    }
  }

  /** Starts the server (or finds it running) with a cancellable progress notification. */
  async start(): Promise<BonsaiServerInfo | undefined> {
    const status = await this.refresh();
    if (status?.healthy) return { port: status.port ?? 0, pid: status.pid ?? 0, healthy: true, kind: status.kind, supportedFamilies: status.supportedFamilies, defaultFamily: status.defaultFamily };
    this.item.text = '$(sync~spin) Image server';
    this.item.show();
    try {
      return await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'Prototyper: starting the image server (loading the model can take a minute)…', cancellable: true },
        (_progress, token) => this.startWithLog(token),
      );
    } catch (error) {
      if ((error as { code?: number }).code === -32800) return undefined; // cancelled by the user
      void this.reportStartFailure(error as Error);
      return undefined;
    } finally {
      void this.refresh();
    }
  }

  private async startWithLog(token?: vscode.CancellationToken): Promise<BonsaiServerInfo> {
    const channel = this.openLog();
    this.output.appendLine(`[${time()}] Starting the image server…`);
    try {
      return await this.sidecar.request<BonsaiServerInfo>('bonsai_start_server', { onEvent: channel }, token);
    } catch (error) {
      this.closeLog(channel);
      throw error;
    }
  }

  /** A server is running that this window did not start (the agent's generate_image): show its log. */
  private async attachLog(): Promise<void> {
    if (this.attaching) return;
    this.attaching = true;
    try {
      await this.startWithLog();
    } catch {
      // It stopped meanwhile; the next refresh shows that.
    } finally {
      this.attaching = false;
    }
  }

  private openLog(): number {
    if (this.logChannel !== undefined) this.channels.closeHostChannel(this.logChannel);
    const id = this.channels.openHostChannel((envelope: ChannelEnvelope) => {
      const event = envelope.message as ProcessEvent;
      if (event.event === 'Output') for (const line of event.data.lines) this.output.appendLine(line);
      else if (event.event === 'Exit') this.output.appendLine(`[${time()}] The image server ${event.data.code !== null ? `exited with code ${event.data.code}` : `was stopped (${event.data.signal ?? 'signal'})`}.`);
      else if (event.event === 'Error') this.output.appendLine(`[${time()}] ${event.data.message}`);
      if (envelope.terminal && this.logChannel === id) {
        this.logChannel = undefined;
        void this.refresh();
      }
    });
    this.logChannel = id;
    return id;
  }

  private closeLog(id: number): void {
    this.channels.closeHostChannel(id);
    if (this.logChannel === id) this.logChannel = undefined;
  }

  private async reportStartFailure(error: Error): Promise<void> {
    this.output.appendLine(`[${time()}] ${error.message}`);
    const choice = await vscode.window.showErrorMessage(`Prototyper: ${firstLine(error.message)}`, 'Configure Image Server…', 'Show Log');
    if (choice === 'Configure Image Server…') await vscode.commands.executeCommand('prototyper.configureImageServer');
    if (choice === 'Show Log') this.output.show(true);
  }

  async stop(): Promise<void> {
    await this.sidecar.request('bonsai_stop_server', {});
    await this.refresh();
  }

  /** Lets the sidecar stop the server after its idle time (a generation just ended). */
  scheduleStop(): void {
    void this.sidecar.request('bonsai_schedule_stop', {}).catch(() => {});
  }

  /** Edits one field of the server's config (kept by the sidecar in its storage folder). */
  async configure(): Promise<void> {
    const config = await this.sidecar.request<BonsaiServerConfig>('bonsai_get_server_config', {});
    const fields = [
      { label: 'Install folder', description: config.installPath || '(automatic: ~/Bonsai-Image-Demo)', field: 'installPath' as const },
      { label: 'Port', description: String(config.port), field: 'port' as const },
      { label: 'Model variant', description: config.variant, field: 'variant' as const },
      { label: 'Idle stop', description: config.autoStopTimeoutSecs > 0 ? `after ${config.autoStopTimeoutSecs} s without a generation` : 'never', field: 'autoStopTimeoutSecs' as const },
    ];
    const picked = await vscode.window.showQuickPick(fields, { title: 'Prototyper: Configure Image Server', placeHolder: 'The Bonsai image server setting to change' });
    if (!picked) return;
    const next: BonsaiServerConfig = { ...config };
    if (picked.field === 'installPath') {
      const folder = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: false, title: 'The Bonsai Image Demo folder (it has .venv/bin/uvicorn)', openLabel: 'Use This Folder' });
      if (!folder?.[0]) return;
      next.installPath = folder[0].fsPath;
    } else if (picked.field === 'variant') {
      const variant = await vscode.window.showQuickPick(VARIANTS, { title: 'Bonsai model variant', placeHolder: config.variant });
      if (!variant) return;
      next.variant = variant;
    } else {
      const value = await vscode.window.showInputBox({
        title: picked.field === 'port' ? 'First port to try' : 'Stop the idle server after this many seconds (0: never)',
        value: String(config[picked.field]),
        validateInput: (text) => (/^\d+$/.test(text.trim()) && (picked.field !== 'port' || (Number(text) > 0 && Number(text) < 65536)) ? undefined : 'A whole number, please'),
      });
      if (value === undefined) return;
      next[picked.field] = Number(value.trim());
    }
    await this.sidecar.request('bonsai_save_server_config', { config: next });
    void vscode.window.showInformationMessage(`Prototyper: image server ${picked.label.toLowerCase()} saved. It applies from the server's next start.`);
  }

  /** The status bar item: shown while a server runs or starts; a click offers what to do. */
  private show(status: BonsaiServerStatus | undefined): void {
    this.current = status;
    this.changed.fire(status);
    if (!status || (!status.running && !status.starting)) {
      this.item.hide();
      return;
    }
    const state = status.starting || !status.healthy ? 'starting' : status.generating ? 'generating' : 'ready';
    this.item.text = state === 'ready' ? '$(file-media) Image server' : `$(sync~spin) Image server: ${state}`;
    const lines = [`Bonsai image server: ${state}`];
    if (status.port) lines.push(`http://127.0.0.1:${status.port} (pid ${status.pid ?? '?'})`);
    if (status.kind) lines.push(`${status.kind}, families: ${status.supportedFamilies.join(', ') || '-'}`);
    if (status.stopsInSecs !== undefined) lines.push(`Stops after ${status.stopsInSecs} s more without a generation`);
    lines.push('Click for Generate Image, Stop and the log.');
    this.item.tooltip = lines.join('\n');
    this.item.command = 'prototyper.imageServerMenu';
    this.item.show();
  }

  /** What a click on the status bar item offers. */
  async menu(): Promise<void> {
    const items = [
      { label: '$(sparkle) Generate Image…', command: 'prototyper.generateImage' },
      { label: '$(debug-stop) Stop Image Server', command: 'prototyper.stopImageServer' },
      { label: '$(output) Show Image Server Log', command: 'prototyper.showImageServerLog' },
      { label: '$(gear) Configure Image Server…', command: 'prototyper.configureImageServer' },
    ];
    const picked = await vscode.window.showQuickPick(items, { title: 'Prototyper: Image Server' });
    if (picked) await vscode.commands.executeCommand(picked.command);
  }

  dispose(): void {
    clearInterval(this.poller);
    for (const subscription of this.subscriptions) subscription.dispose();
    if (this.logChannel !== undefined) this.channels.closeHostChannel(this.logChannel);
    this.changed.dispose();
    this.item.dispose();
    this.output.dispose();
  }
}

function time(): string {
  return new Date().toISOString().slice(11, 19);
}

export function firstLine(text: string): string {
  return text.split('\n')[0];
}
