// Chats in editor tabs ("Open Chat in Editor"): several at once, each its own relay session, and
// restored after a window reload by a WebviewPanelSerializer.
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import { connectWebview, type ChatHost } from './chatSurface';
import { chatWebviewOptions } from './webviewHtml';

export const CHAT_PANEL_TYPE = 'prototyper.chatPanel';

interface OpenPanel {
  panel: vscode.WebviewPanel;
  sessionKey: string;
  lastActive: number;
}

export class ChatPanels implements vscode.WebviewPanelSerializer, vscode.Disposable {
  private readonly panels = new Map<string, OpenPanel>();
  private activity = 0;

  constructor(private readonly host: ChatHost) {}

  open(): vscode.WebviewPanel {
    // No retainContextWhenHidden: hidden panels are rebuilt and the relay replays what they missed.
    const panel = vscode.window.createWebviewPanel(CHAT_PANEL_TYPE, 'Prototyper Chat', vscode.ViewColumn.Beside, chatWebviewOptions(this.host.extensionUri));
    this.setUp(panel, randomUUID());
    return panel;
  }

  /** Restores a panel after a reload; `state` is what its webview last passed to setState. */
  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const saved = (state as { panelId?: unknown } | undefined)?.panelId;
    this.setUp(panel, typeof saved === 'string' && saved ? saved : randomUUID());
  }

  /** The panel the user used last, if it is still visible (target of "Add Selection" etc.). */
  lastActiveVisible(): { panel: vscode.WebviewPanel; sessionKey: string } | undefined {
    let best: OpenPanel | undefined;
    for (const entry of this.panels.values()) {
      if (entry.panel.visible && (!best || entry.lastActive > best.lastActive)) best = entry;
    }
    return best;
  }

  private setUp(panel: vscode.WebviewPanel, panelId: string): void {
    const sessionKey = `panel:${panelId}`;
    panel.iconPath = vscode.Uri.joinPath(this.host.extensionUri, 'media', 'prototyper.svg');
    const entry: OpenPanel = { panel, sessionKey, lastActive: ++this.activity };
    this.panels.set(sessionKey, entry);
    const subscriptions = [
      connectWebview(this.host, panel.webview, sessionKey, { view: 'panel', panelId }),
      panel.onDidChangeViewState(({ webviewPanel }) => {
        if (webviewPanel.active) entry.lastActive = ++this.activity;
        if (webviewPanel.visible) this.host.relay.resume(sessionKey);
        else this.host.relay.suspend(sessionKey);
      }),
    ];
    panel.onDidDispose(() => {
      // Closed for good: its running calls are cancelled, its channels and buffers go with it.
      this.panels.delete(sessionKey);
      this.host.bridge.close(sessionKey);
      for (const subscription of subscriptions) subscription.dispose();
    });
  }

  dispose(): void {
    for (const { panel } of [...this.panels.values()]) panel.dispose();
  }
}
