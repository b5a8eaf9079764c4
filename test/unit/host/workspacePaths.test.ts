// The host's path resolver against the same hostile layout the sidecar's confinement probes use
// (sidecar/tests/integration/confinement.rs): links that lead outside directly, through a chain,
// through a missing folder (`trick -> nope/../out`), absolutely, and broken ones.
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveInWorkspace } from '../../../src/commands/workspacePaths';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function hostileWorkspace(): { root: string; outside: string } {
  const base = realpathSync(mkdtempSync(path.join(tmpdir(), 'prototyper-paths-')));
  dirs.push(base);
  const root = path.join(base, 'workspace');
  const outside = path.join(base, 'outside');
  mkdirSync(path.join(root, 'src'), { recursive: true });
  mkdirSync(path.join(outside, 'sub'), { recursive: true });
  writeFileSync(path.join(outside, 'secret.txt'), 'TOP-SECRET');
  writeFileSync(path.join(root, 'src', 'app.ts'), 'export {};\n');
  symlinkSync('../outside', path.join(root, 'out'));
  symlinkSync('nope/../out', path.join(root, 'trick'));
  symlinkSync(path.join(outside, 'secret.txt'), path.join(root, 'absolute'));
  symlinkSync('out/secret.txt', path.join(root, 'via-out'));
  symlinkSync('../outside/not-yet.txt', path.join(root, 'dangling'));
  symlinkSync('src', path.join(root, 'inner'));
  return { root, outside };
}

describe('resolveInWorkspace', () => {
  it('resolves plain paths, new files and links that stay inside', async () => {
    const { root } = hostileWorkspace();
    await expect(resolveInWorkspace(root, 'src/app.ts')).resolves.toBe(path.join(root, 'src/app.ts'));
    await expect(resolveInWorkspace(root, './src//new/deeper.ts')).resolves.toBe(path.join(root, 'src/new/deeper.ts'));
    await expect(resolveInWorkspace(root, 'inner/app.ts')).resolves.toBe(path.join(root, 'src/app.ts'));
    await expect(resolveInWorkspace(root, '..foo')).resolves.toBe(path.join(root, '..foo'));
  });

  it('refuses absolute paths, .. and NUL by name', async () => {
    const { root } = hostileWorkspace();
    for (const bad of ['/etc/passwd', '..', '../x', 'src/../../x', 'src/..', '\\x', 'C:\\x', 'a\0b']) {
      await expect(resolveInWorkspace(root, bad), bad).rejects.toMatchObject({ code: -32012 });
    }
    await expect(resolveInWorkspace(undefined, 'a')).rejects.toThrow(/No folder/);
    await expect(resolveInWorkspace(root, '')).rejects.toThrow(/required/);
  });

  it('refuses every path through a link that leads outside, and names no outside path', async () => {
    const { root, outside } = hostileWorkspace();
    const escapes = ['out', 'out/secret.txt', 'out/new.txt', 'out/sub/x', 'trick', 'trick/secret.txt', 'trick/new.txt', 'absolute', 'via-out', 'dangling', 'dangling/x'];
    for (const escape of escapes) {
      const error = await resolveInWorkspace(root, escape).then(
        (resolved) => { throw new Error(`${escape} resolved to ${resolved}`); },
        (failure: { code: number; message: string }) => failure,
      );
      expect(error.code, escape).toBe(-32012);
      expect(error.message).not.toContain(outside);
    }
  });
});
