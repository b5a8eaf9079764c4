// Sidecar binary discovery: the setting wins, then packaged, release and debug builds; a lost exec
// bit is restored; `--version` is checked and a failure names the path and the fix.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { locateSidecar, resolveSidecar, sidecarCandidates } from '../../../src/sidecar/binary';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function extensionDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'prototyper-ext-'));
  dirs.push(dir);
  return dir;
}

function writeScript(file: string, body: string, mode = 0o755): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, mode);
}

describe('sidecar binary discovery', () => {
  it('lists the setting alone when set, else packaged, release, debug', () => {
    expect(sidecarCandidates({ configuredPath: '/opt/sidecar', extensionPath: '/ext' })).toEqual([{ path: '/opt/sidecar', origin: 'setting' }]);
    expect(sidecarCandidates({ extensionPath: '/ext', platform: 'linux' }).map((c) => c.path)).toEqual([
      '/ext/dist/bin/prototyper-sidecar',
      '/ext/sidecar/target/release/prototyper-sidecar',
      '/ext/sidecar/target/debug/prototyper-sidecar',
    ]);
    expect(sidecarCandidates({ extensionPath: '/ext', platform: 'win32' })[0].path).toMatch(/prototyper-sidecar\.exe$/);
  });

  it('prefers the release build over the debug build', async () => {
    const ext = extensionDir();
    writeScript(path.join(ext, 'sidecar/target/debug/prototyper-sidecar'), 'echo prototyper-sidecar 0.1.0');
    expect((await locateSidecar({ extensionPath: ext })).origin).toBe('debug build');
    writeScript(path.join(ext, 'sidecar/target/release/prototyper-sidecar'), 'echo prototyper-sidecar 0.1.0');
    expect((await locateSidecar({ extensionPath: ext })).origin).toBe('release build');
  });

  it('says where it looked and how to fix it when nothing is found', async () => {
    const ext = extensionDir();
    await expect(locateSidecar({ extensionPath: ext })).rejects.toThrow(/not found[\s\S]*dist\/bin\/prototyper-sidecar[\s\S]*npm run build[\s\S]*prototyper\.sidecar\.path/);
    await expect(locateSidecar({ extensionPath: ext, configuredPath: path.join(ext, 'nope') })).rejects.toThrow(/"prototyper\.sidecar\.path" is .*nope, which is not a file/);
  });

  it('restores a lost exec bit and reads the version', async () => {
    const ext = extensionDir();
    const binary = path.join(ext, 'dist/bin/prototyper-sidecar');
    writeScript(binary, 'echo "prototyper-sidecar 0.1.0"', 0o644);
    const resolved = await resolveSidecar({ extensionPath: ext });
    expect(resolved).toEqual({ path: binary, origin: 'packaged', version: 'prototyper-sidecar 0.1.0' });
    expect(statSync(binary).mode & 0o111).toBe(0o111);
  });

  it('refuses a binary that fails, hangs or is something else, naming the path and the fix', async () => {
    const ext = extensionDir();
    const binary = path.join(ext, 'custom-sidecar');
    writeScript(binary, 'echo "GLIBC_2.39 not found" >&2; exit 1');
    await expect(resolveSidecar({ extensionPath: ext, configuredPath: binary })).rejects.toThrow(
      new RegExp(`${binary} does not run .*GLIBC_2\\.39 not found.*npm run build`),
    );
    writeScript(binary, 'sleep 5');
    await expect(resolveSidecar({ extensionPath: ext, configuredPath: binary, versionTimeoutMs: 200 })).rejects.toThrow(/did not answer --version within 200 ms/);
    writeScript(binary, 'echo hello');
    await expect(resolveSidecar({ extensionPath: ext, configuredPath: binary })).rejects.toThrow(/does not look like the Prototyper sidecar/);
  });
});
