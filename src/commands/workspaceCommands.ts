// Host commands about workspace files: @-mention search, reading a file as an attachment (with
// unsaved editor contents), revealing a path in the explorer.
import * as vscode from 'vscode';
import type { Attachment } from '../protocol/webviewMessages';
import { HostCommandError } from '../relay/invokeRouter';
import { optionalInteger, requireString } from './args';
import { workspaceRoot } from './editorCommands';
import { resolveInWorkspace } from './workspacePaths';

const EXCLUDE = '{**/node_modules/**,**/.git/**}';
const MAX_ATTACHMENT_BYTES = 1024 * 1024;

/** Workspace-relative paths whose path contains `query` (case-insensitive), best matches first. */
export async function findFiles(args: Record<string, unknown>): Promise<string[]> {
  const query = requireString(args, 'query', { allowEmpty: true }).trim();
  const limit = optionalInteger(args, 'limit', 1, 500) ?? 50;
  const pattern = query ? `{**/*${caseInsensitiveGlob(query)}*,**/*${caseInsensitiveGlob(query)}*/**}` : '**/*';
  // Ask for more than the limit so the ranking below has something to choose from.
  const uris = await vscode.workspace.findFiles(pattern, EXCLUDE, Math.max(limit * 4, 200));
  const needle = query.toLowerCase();
  const ranked = uris
    .map((uri) => vscode.workspace.asRelativePath(uri, false))
    .map((relative) => {
      const base = relative.slice(relative.lastIndexOf('/') + 1).toLowerCase();
      const score = !needle ? 0 : base.startsWith(needle) ? 0 : base.includes(needle) ? 1 : 2;
      return { relative, score };
    })
    .sort((a, b) => a.score - b.score || a.relative.length - b.relative.length || a.relative.localeCompare(b.relative));
  return ranked.slice(0, limit).map((entry) => entry.relative);
}

/** A workspace file as an attachment; an open document's unsaved text wins over the disk. */
export async function readAttachment(args: Record<string, unknown>): Promise<Attachment> {
  const relative = requireString(args, 'path');
  const uri = vscode.Uri.file(await resolveInWorkspace(workspaceRoot(), relative));
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open) return { kind: 'file', path: relative, languageId: open.languageId, content: open.getText() };

  let bytes: Uint8Array;
  try {
    const stat = await vscode.workspace.fs.stat(uri);
    if (stat.type & vscode.FileType.Directory) throw new HostCommandError(-32602, `${relative} is a folder; attach files.`);
    // A FIFO, socket or device reports neither File nor Directory: reading it could block.
    if (!(stat.type & vscode.FileType.File)) throw new HostCommandError(-32602, `${relative} is not a regular file; only text files can be attached.`);
    if (stat.size > MAX_ATTACHMENT_BYTES) {
      throw new HostCommandError(-32602, `${relative} is ${Math.round(stat.size / 1024)} KB; attachments are limited to ${MAX_ATTACHMENT_BYTES / 1024} KB.`);
    }
    bytes = await vscode.workspace.fs.readFile(uri);
  } catch (error) {
    if (error instanceof HostCommandError) throw error;
    throw new HostCommandError(-32010, `Not found: ${relative} could not be read (${(error as Error).message}).`);
  }
  if (bytes.includes(0)) throw new HostCommandError(-32602, `${relative} looks like a binary file; only text files can be attached.`);
  // No languageId for a closed file: opening it as a document just to learn it would wake language
  // servers; the webview can tell the language from the extension.
  return { kind: 'file', path: relative, content: new TextDecoder('utf-8').decode(bytes) };
}

export async function revealInExplorer(args: Record<string, unknown>): Promise<null> {
  const relative = requireString(args, 'path');
  const uri = vscode.Uri.file(await resolveInWorkspace(workspaceRoot(), relative));
  try {
    await vscode.workspace.fs.stat(uri);
  } catch {
    throw new HostCommandError(-32010, `Not found: ${relative} does not exist in the workspace.`);
  }
  await vscode.commands.executeCommand('revealInExplorer', uri);
  return null;
}

/** `abc` → `[aA][bB][cC]`, with glob metacharacters escaped, for a case-insensitive findFiles. */
export function caseInsensitiveGlob(text: string): string {
  let out = '';
  for (const char of text) {
    const lower = char.toLowerCase();
    const upper = char.toUpperCase();
    if (lower !== upper) out += `[${lower}${upper}]`;
    else if ('*?[]{}!,\\/'.includes(char)) out += char === '/' ? '/' : `[${char}]`;
    else out += char;
  }
  return out;
}
