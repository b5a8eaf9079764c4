// The status bar item: whether the provider answers and which model the chat uses (or what is
// wrong: the sidecar stopped, the provider is down, a key or a model is missing), with a menu to
// switch model, open the chat, check again, show the output or restart the sidecar.
import * as vscode from 'vscode';
import type { Provider } from './protocol/webviewMessages';
import type { Health } from './providerHealth';
import type { SupervisorStatus } from './sidecar/supervisor';

export const STATUS_MENU_COMMAND = 'prototyper.statusMenu';

const PROVIDER_LABELS: Record<Provider, string> = { ollama: 'Ollama', openai: 'OpenAI', anthropic: 'Anthropic' };

interface MenuEntry extends vscode.QuickPickItem {
  command: string;
}

export class PrototyperStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('prototyper.status', vscode.StatusBarAlignment.Right, 100);
  private sidecar: SupervisorStatus = { state: 'stopped' };
  private health: Health = { kind: 'unknown' };
  private readonly command: vscode.Disposable;

  constructor(private readonly settings: () => { provider: Provider; model: string; host: string }) {
    this.item.name = 'Prototyper';
    this.item.command = STATUS_MENU_COMMAND;
    this.command = vscode.commands.registerCommand(STATUS_MENU_COMMAND, () => this.showMenu());
    this.render();
    this.item.show();
  }

  showSidecar(status: SupervisorStatus): void {
    this.sidecar = status;
    this.render();
  }

  showHealth(health: Health): void {
    this.health = health;
    this.render();
  }

  /** Settings changed (model, provider): shown at once, before the next check says more. */
  refresh(): void {
    this.render();
  }

  /** The item's text and tooltip, for tests and the menu's title. */
  get text(): string {
    return this.item.text;
  }

  private render(): void {
    const { provider, model, host } = this.settings();
    const name = PROVIDER_LABELS[provider];
    const lines: string[] = [];
    let background: vscode.ThemeColor | undefined;
    let text: string;
    const state = this.sidecar.state;
    if (state === 'starting' || state === 'restarting') {
      text = '$(sync~spin) Prototyper';
      lines.push(`The Prototyper sidecar is ${state}…`);
    } else if (state === 'crashed' || state === 'stopped') {
      text = `$(error) Prototyper ${state}`;
      background = state === 'crashed' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
      lines.push(`The Prototyper sidecar has ${state}.${this.sidecar.message ? ` ${this.sidecar.message}` : ''}`, 'Click for Restart Sidecar and the output.');
    } else {
      switch (this.health.kind) {
        case 'up':
          if (this.health.modelListed || !model) {
            text = `$(check) ${model || `${name}: pick a model`}`;
            lines.push(`${name} at ${host} answers (${this.health.models} ${this.health.models === 1 ? 'model' : 'models'}).`);
          } else {
            text = `$(warning) ${model}`;
            background = new vscode.ThemeColor('statusBarItem.warningBackground');
            lines.push(`${name} at ${host} answers, but has no model "${model}". Switch model, or pull it.`);
          }
          break;
        case 'down':
          text = `$(error) ${name} unreachable`;
          background = new vscode.ThemeColor('statusBarItem.errorBackground');
          lines.push(this.health.message);
          break;
        case 'noModels':
          text = `$(warning) ${name}: no models`;
          background = new vscode.ThemeColor('statusBarItem.warningBackground');
          lines.push(`${name} at ${host} answers but has no models. Pull one from the chat or the walkthrough.`);
          break;
        case 'needsKey':
          text = `$(key) ${name}: no API key`;
          background = new vscode.ThemeColor('statusBarItem.warningBackground');
          lines.push(`${name} needs an API key: run "Prototyper: Set API Key".`);
          break;
        default:
          text = `$(sync~spin) ${model || name}`;
          lines.push(`Checking ${name} at ${host}…`);
      }
      if (model) lines.push(`Model: ${model}`);
    }
    const version = this.sidecar.sidecarVersion ? `prototyper-sidecar ${this.sidecar.sidecarVersion}` : this.sidecar.version;
    if (version) lines.push(version);
    lines.push('', 'Click for: switch model, open chat, check again, output, restart.');
    this.item.text = text;
    this.item.backgroundColor = background;
    this.item.tooltip = lines.join('\n');
    this.item.accessibilityInformation = { label: `Prototyper: ${lines[0]}`, role: 'button' };
  }

  private async showMenu(): Promise<void> {
    // Icons through iconPath, not "$(icon)" in the label, which screen readers would read out.
    const entry = (icon: string, label: string, command: string): MenuEntry => ({ label, iconPath: new vscode.ThemeIcon(icon), command });
    const entries: MenuEntry[] = [
      entry('arrow-swap', 'Switch Model…', 'prototyper.selectModel'),
      entry('comment-discussion', 'Open Chat', 'prototyper.focusChat'),
      entry('refresh', 'Check Provider Again', 'prototyper.checkProvider'),
      entry('output', 'Show Output', 'prototyper.showSidecarOutput'),
      entry('debug-restart', 'Restart Sidecar', 'prototyper.restartSidecar'),
    ];
    const tooltip = typeof this.item.tooltip === 'string' ? this.item.tooltip.split('\n')[0] : '';
    const picked = await vscode.window.showQuickPick(entries, { title: 'Prototyper', placeHolder: tooltip });
    if (picked) await vscode.commands.executeCommand(picked.command);
  }

  dispose(): void {
    this.command.dispose();
    this.item.dispose();
  }
}
