// "Open in diff editor" for a pending proposal: VS Code's diff of the file's current text (left)
// against the proposal (right), where the right side can be edited. It lives in a small in-memory
// file system of ours (scheme `prototyper-proposal-edit`), so editing and even saving it touches
// nothing of the user's. When the card is answered, `take` hands back what the user made of it and
// closes the diff.
import * as vscode from 'vscode';
import { HOST_ERROR_CODES } from '../protocol/webviewMessages';
import { HostCommandError } from '../relay/invokeRouter';
import { requireString } from '../commands/args';
import type { ProposalDocuments } from '../commands/proposalDocuments';
import { openDocument, workspaceUri } from './editorDocuments';

export const PROPOSAL_EDIT_SCHEME = 'prototyper-proposal-edit';

/** The proposals open for editing, by their permission id. */
interface OpenProposal {
  uri: vscode.Uri;
  proposed: string;
}

export class ProposalEditor implements vscode.FileSystemProvider, vscode.Disposable {
  private readonly files = new Map<string, Uint8Array>();
  private readonly open = new Map<string, OpenProposal>();
  private readonly changed = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.changed.event;
  private readonly registration: vscode.Disposable;

  constructor(private readonly documents: ProposalDocuments) {
    this.registration = vscode.workspace.registerFileSystemProvider(PROPOSAL_EDIT_SCHEME, this, { isCaseSensitive: true });
  }

  /** Opens the diff of `path` now (left) against the proposal `content` (right, editable). */
  async openDiff(args: Record<string, unknown>): Promise<null> {
    const permissionId = requireString(args, 'permissionId');
    const relative = requireString(args, 'path');
    const content = requireString(args, 'content', { allowEmpty: true });
    let entry = this.open.get(permissionId);
    if (!entry) {
      const clean = relative.replace(/\\/g, '/').replace(/^\/+/, '');
      // The path is the file's own (its language and breadcrumbs follow); the query keeps proposals apart.
      const uri = vscode.Uri.from({ scheme: PROPOSAL_EDIT_SCHEME, path: `/${clean}`, query: `proposal=${encodeURIComponent(permissionId)}` });
      this.files.set(uri.toString(), new TextEncoder().encode(content));
      entry = { uri, proposed: content };
      this.open.set(permissionId, entry);
    }
    const file = await workspaceUri(relative);
    const exists = openDocument(file) !== undefined || (await vscode.workspace.fs.stat(file).then(() => true, () => false));
    const left = exists ? file : this.documents.create('', relative, 'new-file');
    const title = `${relative}: now ↔ proposed (you can edit the proposal)`;
    await vscode.commands.executeCommand('vscode.diff', left, entry.uri, title, { preview: false });
    return null;
  }

  /**
   * What the user made of proposal `permissionId` (its text in the diff editor, saved or not):
   * `{edited: true, content}` when it differs from the proposal. Closes the diff; a proposal that
   * was never opened is `{edited: false}`.
   */
  async take(args: Record<string, unknown>): Promise<{ edited: boolean; content?: string }> {
    const permissionId = requireString(args, 'permissionId');
    const entry = this.open.get(permissionId);
    if (!entry) return { edited: false };
    this.open.delete(permissionId);
    const key = entry.uri.toString();
    const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === key);
    const content = document ? document.getText() : new TextDecoder().decode(this.files.get(key) ?? new Uint8Array());
    // Saving writes only to our in-memory file; it spares the user a "save changes?" prompt.
    if (document?.isDirty) await document.save();
    const tabs = vscode.window.tabGroups.all
      .flatMap((group) => group.tabs)
      .filter((tab) => tab.input instanceof vscode.TabInputTextDiff && tab.input.modified.toString() === key);
    if (tabs.length > 0) await vscode.window.tabGroups.close(tabs, true);
    this.files.delete(key);
    return content === entry.proposed ? { edited: false } : { edited: true, content };
  }

  // ---- vscode.FileSystemProvider: a flat in-memory store ------------------------------------------

  watch(): vscode.Disposable {
    return new vscode.Disposable(() => {});
  }

  stat(uri: vscode.Uri): vscode.FileStat {
    const data = this.files.get(uri.toString());
    if (!data) throw vscode.FileSystemError.FileNotFound(uri);
    return { type: vscode.FileType.File, ctime: 0, mtime: Date.now(), size: data.byteLength };
  }

  readDirectory(): [string, vscode.FileType][] {
    return [];
  }

  createDirectory(): void {}

  readFile(uri: vscode.Uri): Uint8Array {
    const data = this.files.get(uri.toString());
    if (!data) throw vscode.FileSystemError.FileNotFound(uri);
    return data;
  }

  writeFile(uri: vscode.Uri, content: Uint8Array): void {
    if (!this.files.has(uri.toString())) {
      throw new HostCommandError(HOST_ERROR_CODES.hostCommandFailed, 'This proposal was already answered; its editor can be closed.');
    }
    this.files.set(uri.toString(), content);
    this.changed.fire([{ type: vscode.FileChangeType.Changed, uri }]);
  }

  delete(uri: vscode.Uri): void {
    this.files.delete(uri.toString());
  }

  rename(): void {
    throw vscode.FileSystemError.NoPermissions('Proposals cannot be renamed.');
  }

  dispose(): void {
    this.registration.dispose();
    this.changed.dispose();
    this.files.clear();
    this.open.clear();
  }
}
