// Host commands that touch editors: insert at the cursor, apply a proposal after a diff and a
// modal confirmation, open code/diffs/files. Edits go through the editor (WorkspaceEdit) so an
// open, dirty document is edited in place, and nothing is ever saved on the user's behalf.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { HOST_ERROR_CODES } from '../protocol/webviewMessages';
import { HostCommandError } from '../relay/invokeRouter';
import { optionalInteger, optionalString, requireString } from './args';
import type { ProposalDocuments } from './proposalDocuments';
import { resolveInWorkspace } from './workspacePaths';

export function workspaceRoot(): string | undefined {
  return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
}

/**
 * The text editor the user last worked in. When a chat panel has focus, VS Code reports no active
 * text editor, yet "insert at cursor" clearly means the editor the user came from.
 */
export class EditorTracker implements vscode.Disposable {
  private last: vscode.TextEditor | undefined = vscode.window.activeTextEditor;
  private readonly subscription = vscode.window.onDidChangeActiveTextEditor((editor) => {
    if (editor && editor.document.uri.scheme !== 'output') this.last = editor;
  });

  current(): vscode.TextEditor | undefined {
    const active = vscode.window.activeTextEditor;
    if (active) return active;
    if (this.last && !this.last.document.isClosed) {
      // Prefer the same document's editor if it is still visible (the old one may be disposed).
      return vscode.window.visibleTextEditors.find((e) => e.document === this.last!.document) ?? this.last;
    }
    return undefined;
  }

  dispose(): void {
    this.subscription.dispose();
  }
}

function failed(message: string): HostCommandError {
  return new HostCommandError(HOST_ERROR_CODES.hostCommandFailed, message);
}

export async function insertAtCursor(tracker: EditorTracker, args: Record<string, unknown>): Promise<null> {
  const code = requireString(args, 'code', { allowEmpty: true });
  const editor = tracker.current();
  if (!editor) throw failed('No text editor is open to insert into. Click into an editor, then try again.');
  const ok = await editor.edit((builder) => {
    for (const selection of editor.selections) builder.replace(selection, code);
  });
  if (!ok) throw failed(`Could not insert into ${vscode.workspace.asRelativePath(editor.document.uri)} (the editor refused the edit).`);
  await vscode.window.showTextDocument(editor.document, { viewColumn: editor.viewColumn, preserveFocus: false });
  return null;
}

/**
 * Shows the diff between the file and the proposal, asks in a modal, and applies the proposal
 * only if the user accepts and the document still has the text the diff showed.
 */
export async function applyToFile(proposals: ProposalDocuments, tracker: EditorTracker, args: Record<string, unknown>): Promise<{ applied: boolean }> {
  const code = requireString(args, 'code', { allowEmpty: true });
  const requestedPath = optionalString(args, 'path');
  let uri: vscode.Uri;
  if (requestedPath) {
    uri = vscode.Uri.file(await resolveInWorkspace(workspaceRoot(), requestedPath));
  } else {
    const editor = tracker.current();
    if (!editor) throw failed('No file was named and no editor is open; open the file to apply the code to, then try again.');
    uri = editor.document.uri;
  }
  const label = uri.scheme === 'file' ? vscode.workspace.asRelativePath(uri, false) : path.basename(uri.path);

  const existing = await openIfExists(uri);
  const shownText = existing?.getText();
  const proposalUri = proposals.create(code, label, 'proposed');
  const leftUri = existing ? uri : proposals.create('', label, 'new-file');
  try {
    await vscode.commands.executeCommand('vscode.diff', leftUri, proposalUri, `${label} ↔ Proposed change`, { preview: true });
    // Nothing here saves; the user's auto save may (VS Code in a browser turns it on by default).
    const saving = vscode.workspace.getConfiguration('files', uri).get<string>('autoSave', 'off') !== 'off' ? 'your auto save setting will save it.' : 'it is not saved for you.';
    const choice = await vscode.window.showInformationMessage(
      `Apply the proposed change to ${label}?`,
      {
        modal: true,
        detail: existing
          ? `The change is made in the editor${existing.isDirty ? ', on top of your unsaved changes' : ''}; ${saving}`
          : `A new file is created with this content; ${saving}`,
      },
      'Apply',
    );
    if (choice !== 'Apply') return { applied: false };

    const edit = new vscode.WorkspaceEdit();
    if (existing) {
      const current = existing.isClosed ? await vscode.workspace.openTextDocument(uri) : existing;
      if (current.getText() !== shownText) {
        throw failed(`${label} changed after the diff was shown, so nothing was applied. Ask for the change again to see a fresh diff.`);
      }
      edit.replace(uri, new vscode.Range(current.positionAt(0), current.positionAt(current.getText().length)), code);
    } else {
      if (await openIfExists(uri)) throw failed(`${label} was created after the diff was shown, so nothing was applied. Ask again.`);
      edit.createFile(uri, { ignoreIfExists: false });
      edit.insert(uri, new vscode.Position(0, 0), code);
    }
    if (!(await vscode.workspace.applyEdit(edit))) throw failed(`VS Code refused the edit to ${label}; nothing was applied.`);
    await vscode.window.showTextDocument(uri, { preview: false });
    return { applied: true };
  } finally {
    proposals.forget(proposalUri);
  }
}

export async function openInEditor(args: Record<string, unknown>): Promise<null> {
  const content = requireString(args, 'code', { allowEmpty: true });
  const language = optionalString(args, 'languageId');
  const document = await vscode.workspace.openTextDocument({ content, language: language || undefined });
  await vscode.window.showTextDocument(document, { preview: false });
  return null;
}

/** VS Code's diff of a tool's change: the content before it (virtual) against the file now. */
export async function openDiff(proposals: ProposalDocuments, args: Record<string, unknown>): Promise<null> {
  const relative = requireString(args, 'path');
  const before = optionalString(args, 'before') ?? '';
  const uri = vscode.Uri.file(await resolveInWorkspace(workspaceRoot(), relative));
  const beforeUri = proposals.create(before, relative, 'before');
  const right = (await openIfExists(uri)) ? uri : proposals.create('', relative, 'deleted');
  await vscode.commands.executeCommand('vscode.diff', beforeUri, right, `${path.basename(relative)}: before ↔ now`, { preview: true });
  return null;
}

export async function openFile(args: Record<string, unknown>): Promise<null> {
  const relative = requireString(args, 'path');
  const line = optionalInteger(args, 'line', 1, 10_000_000);
  const uri = vscode.Uri.file(await resolveInWorkspace(workspaceRoot(), relative));
  const document = await openIfExists(uri);
  if (!document) throw new HostCommandError(-32010, `Not found: ${relative} does not exist in the workspace.`);
  const position = line ? new vscode.Position(Math.min(line - 1, document.lineCount - 1), 0) : undefined;
  await vscode.window.showTextDocument(document, {
    preview: false,
    selection: position ? new vscode.Range(position, position) : undefined,
  });
  return null;
}

/** The document at `uri` if the file exists (or is already open), else undefined. */
async function openIfExists(uri: vscode.Uri): Promise<vscode.TextDocument | undefined> {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open) return open;
  try {
    const stat = await vscode.workspace.fs.stat(uri);
    if (stat.type & vscode.FileType.Directory) throw new HostCommandError(-32602, `${vscode.workspace.asRelativePath(uri)} is a folder, not a file.`);
  } catch (error) {
    if (error instanceof HostCommandError) throw error;
    return undefined;
  }
  return vscode.workspace.openTextDocument(uri);
}
