// What the host needs to know about package managers to talk about them: whether one is on
// PATH (for the wizard's list) and which one a project uses (for the dev server's command line).
// The sidecar decides what actually runs (`sidecar/src/commands/process/package_manager.rs`);
// this mirrors its rules for display only. Free of `vscode`, so it is unit-tested.
import { accessSync, constants, statSync } from 'node:fs';
import * as path from 'node:path';

/** The absolute path of `program` in PATH's absolute entries, if it is there and executable. */
export function findOnPath(program: string, pathVariable = process.env.PATH ?? ''): string | undefined {
  const names = process.platform === 'win32' ? [`${program}.cmd`, `${program}.exe`, program] : [program];
  for (const dir of pathVariable.split(path.delimiter)) {
    if (!path.isAbsolute(dir)) continue;
    for (const name of names) {
      const candidate = path.join(dir, name);
      try {
        if (!statSync(candidate).isFile()) continue;
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

export type Manager = 'bun' | 'npm' | 'pnpm';

const LOCKFILES: Array<[string, Manager]> = [
  ['bun.lock', 'bun'],
  ['bun.lockb', 'bun'],
  ['pnpm-lock.yaml', 'pnpm'],
  ['package-lock.json', 'npm'],
  ['npm-shrinkwrap.json', 'npm'],
];

/** The manager a project folder will run with for `setting` (auto: its lockfile's, else bun when installed, else npm). */
export function projectManager(setting: string, has: (file: string) => boolean, onPath: (program: string) => boolean = (p) => !!findOnPath(p)): Manager {
  if (setting === 'bun' || setting === 'npm' || setting === 'pnpm') return setting;
  const locked = LOCKFILES.find(([file, manager]) => has(file) && onPath(manager))?.[1];
  return locked ?? (onPath('bun') ? 'bun' : 'npm');
}

/** How the dev server's command line reads for `manager`. */
export function devCommandLine(manager: Manager, port: number): string {
  return manager === 'npm' ? `npm run dev -- --port ${port}` : `${manager} run dev --port ${port}`;
}
