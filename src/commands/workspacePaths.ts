// Turns the workspace-relative paths the webview sends (often written by the model) into absolute
// paths inside the workspace, refusing absolute paths, `..` escapes and symlinks leading outside,
// like the sidecar does (design.md §4). No `vscode` import.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { HostCommandError } from '../relay/invokeRouter';

export const SECURITY_ERROR = -32012;
export const NOT_FOUND_ERROR = -32010;
export const INVALID_PARAMS = -32602;

/** The absolute path of `relative` inside `root`; throws a security error if it would leave it. */
export function resolveInWorkspace(root: string | undefined, relative: unknown): string {
  if (!root) throw new HostCommandError(NOT_FOUND_ERROR, 'No folder is open in VS Code; open a folder to work with files.');
  if (typeof relative !== 'string' || relative.trim() === '') {
    throw new HostCommandError(INVALID_PARAMS, 'A workspace-relative "path" is required.');
  }
  const cleaned = relative.trim().replace(/\\/g, '/');
  if (path.isAbsolute(cleaned) || /^[a-zA-Z]:/.test(cleaned)) {
    throw new HostCommandError(SECURITY_ERROR, `Security error: ${relative} is an absolute path; paths are relative to the workspace root.`);
  }
  const absolute = path.resolve(root, cleaned);
  if (!isInside(root, absolute)) {
    throw new HostCommandError(SECURITY_ERROR, `Security error: ${relative} is outside the workspace.`);
  }
  return absolute;
}

/**
 * Like `resolveInWorkspace`, and also follows symlinks of the existing part of the path, so a link
 * inside the workspace cannot lead a write outside it.
 */
export async function resolveInWorkspaceReal(root: string | undefined, relative: unknown): Promise<string> {
  const absolute = resolveInWorkspace(root, relative);
  const realRoot = await fs.realpath(root!).catch(() => root!);
  let existing = absolute;
  const rest: string[] = [];
  for (;;) {
    try {
      const real = await fs.realpath(existing);
      const full = path.join(real, ...rest);
      if (!isInside(realRoot, full)) {
        throw new HostCommandError(SECURITY_ERROR, `Security error: ${String(relative)} leads outside the workspace through a symbolic link.`);
      }
      return absolute;
    } catch (error) {
      if (error instanceof HostCommandError) throw error;
      const parent = path.dirname(existing);
      if (parent === existing) return absolute;
      rest.unshift(path.basename(existing));
      existing = parent;
    }
  }
}

export function isInside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return relative === '' || (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative));
}
