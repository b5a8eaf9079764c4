// Turns the workspace-relative paths the webview sends (often written by the model) into absolute
// paths inside the workspace, by the sidecar's rule (design.md §4): absolute paths and `..` are
// refused by name, and every symlink on the way is resolved and must stay inside the workspace's
// real folder; a broken link is refused too, since writing through it would create its target
// wherever it points. The result has every existing symlink resolved, so what is opened is what
// was checked. (Node cannot open beneath a directory handle as the sidecar does; a local process
// racing the check is outside what the host defends against, and the agent's own file access goes
// through the sidecar.) No `vscode` import.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { HostCommandError } from '../relay/invokeRouter';

export const SECURITY_ERROR = -32012;
export const NOT_FOUND_ERROR = -32010;
export const INVALID_PARAMS = -32602;

/** The names of a workspace-relative path, after the lexical rules (the sidecar's `RelPath`). */
export function workspaceNames(relative: unknown): string[] {
  if (typeof relative !== 'string' || relative.trim() === '') {
    throw new HostCommandError(INVALID_PARAMS, 'A workspace-relative "path" is required.');
  }
  const cleaned = relative.trim();
  if (cleaned.includes('\0')) throw new HostCommandError(SECURITY_ERROR, 'Security error: the path contains a NUL byte; use a plain relative path.');
  if (cleaned.startsWith('/') || cleaned.startsWith('\\') || path.isAbsolute(cleaned) || /^[a-zA-Z]:/.test(cleaned)) {
    throw new HostCommandError(SECURITY_ERROR, `Security error: ${relative} is an absolute path; paths are relative to the workspace root.`);
  }
  const names = cleaned.split(/[\\/]/).filter((name) => name !== '' && name !== '.');
  if (names.includes('..')) {
    throw new HostCommandError(SECURITY_ERROR, `Security error: ${relative} contains '..'; paths must stay inside the workspace.`);
  }
  return names;
}

/**
 * The absolute path of `relative` inside `root`, with the symlinks of its existing part resolved.
 * Throws a security error for anything that leads outside (naming only the relative path).
 */
export async function resolveInWorkspace(root: string | undefined, relative: unknown): Promise<string> {
  if (!root) throw new HostCommandError(NOT_FOUND_ERROR, 'No folder is open in VS Code; open a folder to work with files.');
  const names = workspaceNames(relative);
  const realRoot = await fs.realpath(root).catch(() => {
    throw new HostCommandError(NOT_FOUND_ERROR, 'Not found: the workspace folder cannot be opened; reopen the folder in VS Code.');
  });
  let current = realRoot;
  for (const [index, name] of names.entries()) {
    const next = path.join(current, name);
    let isLink: boolean;
    try {
      isLink = (await fs.lstat(next)).isSymbolicLink();
    } catch {
      return path.join(next, ...names.slice(index + 1)); // the rest does not exist yet
    }
    if (!isLink) {
      current = next;
      continue;
    }
    const real = await fs.realpath(next).catch(() => {
      throw new HostCommandError(
        SECURITY_ERROR,
        `Security error: ${String(relative)} goes through a symbolic link whose target does not exist; fix or remove the link.`,
      );
    });
    if (!isInside(realRoot, real)) {
      throw new HostCommandError(SECURITY_ERROR, `Security error: ${String(relative)} leads outside the workspace through a symbolic link.`);
    }
    current = real;
  }
  return current;
}

export function isInside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return relative === '' || (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative));
}
