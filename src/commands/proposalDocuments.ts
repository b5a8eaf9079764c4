// Read-only virtual documents (scheme `prototyper-proposal`) holding a proposed file content or a
// file's earlier content, so VS Code's diff editor can show them next to the real file.
import * as vscode from 'vscode';

export const PROPOSAL_SCHEME = 'prototyper-proposal';
/** Old entries are dropped beyond this; a diff still open then shows an empty side. */
const MAX_ENTRIES = 200;

export class ProposalDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly contents = new Map<string, string>();
  private next = 1;
  private readonly subscriptions: vscode.Disposable[];

  constructor() {
    this.subscriptions = [
      vscode.workspace.registerTextDocumentContentProvider(PROPOSAL_SCHEME, this),
      // A closed diff no longer needs its text.
      vscode.workspace.onDidCloseTextDocument((document) => {
        if (document.uri.scheme === PROPOSAL_SCHEME) this.contents.delete(document.uri.toString());
      }),
    ];
  }

  /** A document with `content`, named after `relativePath` so it gets that file's language. */
  create(content: string, relativePath: string, label = 'proposed'): vscode.Uri {
    const clean = relativePath.replace(/\\/g, '/').replace(/^\/+/, '') || 'untitled';
    const uri = vscode.Uri.from({ scheme: PROPOSAL_SCHEME, path: `/${clean}`, query: `${label}-${this.next++}` });
    this.contents.set(uri.toString(), content);
    while (this.contents.size > MAX_ENTRIES) this.contents.delete(this.contents.keys().next().value!);
    return uri;
  }

  forget(uri: vscode.Uri): void {
    this.contents.delete(uri.toString());
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? '';
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
    this.contents.clear();
  }
}
