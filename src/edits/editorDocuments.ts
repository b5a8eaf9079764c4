// Answers the sidecar's questions about VS Code's editors (`editor/readDocument`,
// `editor/applyEdit`, protocol in sidecar/src/protocol/editor.rs), so the agent reads the text the
// user sees and changes an open file in its editor: through a WorkspaceEdit, only at the document
// version it read, and never saved (the user's own auto save may save it).
import * as vscode from 'vscode';
import type { ApplyEditParams, ApplyEditResult, ReadDocumentParams, ReadDocumentResult } from '../protocol/generated';
import * as nodePath from 'node:path';
import { resolveInWorkspace, workspaceNames } from '../commands/workspacePaths';

export function workspaceFolder(): string | undefined {
  return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
}

/**
 * The URI VS Code knows a workspace file by. The path is checked by the sidecar's rule first (a
 * symlink leading outside is refused), but the URI is the folder's path joined with the names, not
 * the resolved one: documents are keyed by the path they were opened at, and a workspace folder
 * reached through a symlink must still find its open documents.
 */
export async function workspaceUri(path: unknown): Promise<vscode.Uri> {
  const root = workspaceFolder();
  await resolveInWorkspace(root, path);
  return vscode.Uri.file(nodePath.join(root as string, ...workspaceNames(path)));
}

/** URIs shown in a tab (text editors and either side of a diff). */
function urisInTabs(): Set<string> {
  const shown = new Set<string>();
  for (const tab of vscode.window.tabGroups.all.flatMap((group) => group.tabs)) {
    const input = tab.input;
    if (input instanceof vscode.TabInputText) shown.add(input.uri.toString());
    else if (input instanceof vscode.TabInputTextDiff) {
      shown.add(input.modified.toString());
      shown.add(input.original.toString());
    }
  }
  return shown;
}

/**
 * The open document of a workspace file: one with unsaved changes, or one shown in a tab. A
 * document VS Code merely keeps loaded (for a language server, say) does not count: the file on
 * disk is then what the user has.
 */
export function openDocument(uri: vscode.Uri): vscode.TextDocument | undefined {
  const key = uri.toString();
  const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === key && !d.isClosed);
  if (!document) return undefined;
  return document.isDirty || urisInTabs().has(key) ? document : undefined;
}

export async function readDocument(params: unknown): Promise<ReadDocumentResult> {
  const { path } = params as ReadDocumentParams;
  const document = openDocument(await workspaceUri(path));
  return document ? { open: true, text: document.getText(), version: document.version } : { open: false };
}

async function existsOnDisk(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

export async function applyEdit(params: unknown): Promise<ApplyEditResult> {
  const { path, content, expectedVersion, mustExist } = params as ApplyEditParams;
  const uri = await workspaceUri(path);
  const document = openDocument(uri);
  if (!document) return { applied: false, reason: 'closed' };
  if (document.version !== expectedVersion) return { applied: false, reason: 'changed' };
  if (mustExist && !(await existsOnDisk(uri))) return { applied: false, reason: 'deleted' };
  const edit = new vscode.WorkspaceEdit();
  if (content === null) {
    edit.deleteFile(uri, { ignoreIfNotExists: true });
  } else {
    const whole = new vscode.Range(document.positionAt(0), document.positionAt(document.getText().length));
    edit.replace(uri, whole, content);
  }
  // VS Code checks the edit against the version the extension host has for the document, so a
  // keystroke that lands between the check above and this call makes it fail rather than win.
  const applied = await vscode.workspace.applyEdit(edit);
  if (!applied) return { applied: false, reason: document.version !== expectedVersion ? 'changed' : 'refused' };
  return { applied: true, version: document.isClosed ? undefined : document.version };
}

/** The handlers the supervisor registers on the sidecar connection. */
export const editorRequestHandlers: Record<string, (params: unknown) => unknown> = {
  'editor/readDocument': readDocument,
  'editor/applyEdit': applyEdit,
};
