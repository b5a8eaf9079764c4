// The status bar item showing the sidecar's state; when it has crashed, clicking restarts it.
import * as vscode from 'vscode';
import type { SupervisorStatus } from './sidecar/supervisor';

export class SidecarStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('prototyper.sidecarStatus', vscode.StatusBarAlignment.Right, 100);

  constructor() {
    this.item.name = 'Prototyper Sidecar';
    this.show({ state: 'stopped' });
    this.item.show();
  }

  show(status: SupervisorStatus): void {
    const version = status.version ?? (status.sidecarVersion ? `prototyper-sidecar ${status.sidecarVersion}` : undefined);
    const lines = [`Prototyper sidecar: ${status.state}`];
    if (version) lines.push(version);
    if (status.message) lines.push(status.message);
    switch (status.state) {
      case 'starting':
      case 'restarting':
        this.item.text = '$(sync~spin) Prototyper';
        this.item.command = 'prototyper.showSidecarOutput';
        this.item.backgroundColor = undefined;
        break;
      case 'ready':
        this.item.text = '$(check) Prototyper';
        this.item.command = 'prototyper.showSidecarOutput';
        this.item.backgroundColor = undefined;
        break;
      case 'crashed':
        this.item.text = '$(error) Prototyper';
        this.item.command = 'prototyper.restartSidecar';
        this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
        lines.push('Click to restart the sidecar.');
        break;
      case 'stopped':
        this.item.text = '$(circle-slash) Prototyper';
        this.item.command = 'prototyper.restartSidecar';
        this.item.backgroundColor = undefined;
        break;
    }
    this.item.tooltip = lines.join('\n');
  }

  dispose(): void {
    this.item.dispose();
  }
}
