// Host commands that touch editors: insert at the cursor, open code/diffs/files (Apply to File is
// in src/inline/applyToFile.ts). Edits go through the editor so an open, dirty document is edited
// in place, and nothing is ever saved on the user's behalf.
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
export async function openIfExists(uri: vscode.Uri): Promise<vscode.TextDocument | undefined> {
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
