// The chat in the Prototyper activity-bar container (`prototyper.chatView`). Without
// retainContextWhenHidden its document is destroyed when hidden; the relay replays on `ready`.
import * as vscode from 'vscode';
import { connectWebview, type ChatHost } from './chatSurface';

export const CHAT_VIEW_ID = 'prototyper.chatView';
export const SIDEBAR_SESSION = 'sidebar';

export class ChatViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: vscode.WebviewView | undefined;
  private subscriptions: vscode.Disposable[] = [];

  constructor(private readonly host: ChatHost) {}

  resolveWebviewView(view: vscode.WebviewView): void {
    this.disposeListeners();
    this.view = view;
    view.title = 'Chat';
    this.subscriptions.push(
      connectWebview(this.host, view.webview, SIDEBAR_SESSION, { view: 'sidebar' }),
      view.onDidChangeVisibility(() => {
        if (view.visible) this.host.relay.resume(SIDEBAR_SESSION);
        else this.host.relay.suspend(SIDEBAR_SESSION);
      }),
      view.onDidDispose(() => {
        // The view comes back through resolveWebviewView; its channels stay buffered until then.
        this.host.relay.suspend(SIDEBAR_SESSION);
        if (this.view === view) this.view = undefined;
        this.disposeListeners();
      }),
    );
  }

  get visible(): boolean {
    return this.view?.visible ?? false;
  }

  /** Shows the view (creating it if needed). */
  async reveal(preserveFocus = false): Promise<void> {
    if (this.view) this.view.show(preserveFocus);
    else await vscode.commands.executeCommand(`${CHAT_VIEW_ID}.focus`);
  }

  private disposeListeners(): void {
    for (const subscription of this.subscriptions.splice(0)) subscription.dispose();
  }

  dispose(): void {
    this.disposeListeners();
  }
}
