// Finds the sidecar binary, makes sure it can be executed and checks it runs (`--version`) before
// the supervisor relies on it, so a broken binary is one clear message instead of a crash loop.
import { execFile } from 'node:child_process';
import { constants as fsConstants, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export type SidecarOrigin = 'setting' | 'packaged' | 'release build' | 'debug build';

export interface SidecarCandidate {
  path: string;
  origin: SidecarOrigin;
}

export interface ResolvedSidecar extends SidecarCandidate {
  /** What `--version` printed, e.g. `prototyper-sidecar 0.1.0`. */
  version: string;
}

export interface LocateOptions {
  /** `prototyper.sidecar.path`; empty means "find it". */
  configuredPath?: string;
  extensionPath: string;
  platform?: NodeJS.Platform;
}

const FIX = 'Build it with `npm run build` (or `cargo build --manifest-path sidecar/Cargo.toml`), or set "prototyper.sidecar.path" to a working prototyper-sidecar binary.';

/** A sidecar that cannot be used; the message names the path and the fix. */
export class SidecarBinaryError extends Error {
  override name = 'SidecarBinaryError';
}

/** Where to look, in order: the setting, the packaged binary, then the development builds. */
export function sidecarCandidates(options: LocateOptions): SidecarCandidate[] {
  const configured = options.configuredPath?.trim();
  if (configured) return [{ path: expandHome(configured), origin: 'setting' }];
  const exe = (options.platform ?? process.platform) === 'win32' ? 'prototyper-sidecar.exe' : 'prototyper-sidecar';
  const root = options.extensionPath;
  return [
    { path: path.join(root, 'dist', 'bin', exe), origin: 'packaged' },
    { path: path.join(root, 'sidecar', 'target', 'release', exe), origin: 'release build' },
    { path: path.join(root, 'sidecar', 'target', 'debug', exe), origin: 'debug build' },
  ];
}

/** The first candidate that exists as a file. */
export async function locateSidecar(options: LocateOptions): Promise<SidecarCandidate> {
  const candidates = sidecarCandidates(options);
  for (const candidate of candidates) {
    const stat = await fs.stat(candidate.path).catch(() => undefined);
    if (stat?.isFile()) return candidate;
  }
  if (candidates[0].origin === 'setting') {
    throw new SidecarBinaryError(`"prototyper.sidecar.path" is ${candidates[0].path}, which is not a file. ${FIX}`);
  }
  throw new SidecarBinaryError(
    `The Prototyper sidecar binary was not found. Looked in:\n${candidates.map((c) => `  ${c.path}`).join('\n')}\n${FIX}`,
  );
}

/**
 * Adds the exec bits when they are missing: a VSIX is a zip, and unzipping can drop them. Two
 * windows may do this at once; chmod is idempotent, so that race is harmless.
 */
export async function ensureExecutable(file: string, platform: NodeJS.Platform = process.platform): Promise<void> {
  if (platform === 'win32') return;
  try {
    await fs.access(file, fsConstants.X_OK);
    return;
  } catch {
    // Not executable for us: try to fix it below.
  }
  try {
    const { mode } = await fs.stat(file);
    await fs.chmod(file, mode | 0o111);
  } catch (error) {
    throw new SidecarBinaryError(`The Prototyper sidecar at ${file} is not executable and could not be made so (${(error as Error).message}). Run \`chmod +x ${file}\`, or ${FIX}`);
  }
}

/** Runs `<file> --version`; a crash, a hang or odd output is an error naming the path and the fix. */
export function readSidecarVersion(file: string, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, ['--version'], { timeout: timeoutMs, windowsHide: true }, (error, stdout, stderr) => {
      if (error) {
        const reason = (error as NodeJS.ErrnoException & { killed?: boolean }).killed
          ? `it did not answer --version within ${timeoutMs} ms`
          : `${error.message.split('\n')[0]}${stderr.trim() ? `: ${stderr.trim().split('\n').slice(-3).join(' | ')}` : ''}`;
        reject(new SidecarBinaryError(`The Prototyper sidecar at ${file} does not run (${reason}). ${FIX}`));
        return;
      }
      const version = stdout.trim().split('\n')[0] ?? '';
      if (!/prototyper-sidecar/i.test(version)) {
        reject(new SidecarBinaryError(`${file} does not look like the Prototyper sidecar: \`--version\` printed ${JSON.stringify(version.slice(0, 100))}. ${FIX}`));
        return;
      }
      resolve(version);
    });
  });
}

/** Locate, make executable, check `--version`: the binary the supervisor may spawn. */
export async function resolveSidecar(options: LocateOptions & { versionTimeoutMs?: number }): Promise<ResolvedSidecar> {
  const candidate = await locateSidecar(options);
  await ensureExecutable(candidate.path, options.platform);
  const version = await readSidecarVersion(candidate.path, options.versionTimeoutMs);
  return { ...candidate, version };
}

function expandHome(file: string): string {
  if (file === '~') return os.homedir();
  if (file.startsWith('~/')) return path.join(os.homedir(), file.slice(2));
  return path.resolve(file);
}
