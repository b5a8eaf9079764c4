// The host's scaffolding logic that needs no VS Code: project-name checks as the user types, the
// progress line picked from install output, dev-server URL detection with its timeout, which
// package manager a project runs with, the tailoring hand-over between windows, and the router's
// refusal to let a webview start a scaffold.
import { chmodSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvokeRouter } from '../../../src/relay/invokeRouter';
import { DevServerUrlWatcher, findDevServerUrl } from '../../../src/scaffold/devServerUrl';
import { devCommandLine, findOnPath, projectManager } from '../../../src/scaffold/packageManagers';
import { latestMeaningfulLine, meaningfulLine } from '../../../src/scaffold/progressLine';
import { projectNameProblem, suggestName } from '../../../src/scaffold/projectName';
import { Tailoring, tailoringMessage, type StateStore } from '../../../src/scaffold/tailoring';

const shadcn = { templateName: 'React + shadcn/ui', packages: ['react', 'vite', 'radix-ui'] };

describe('project names', () => {
  it('accepts folder-and-package names', () => {
    expect(projectNameProblem('my-app_2', shadcn)).toBeUndefined();
  });

  it('says what is wrong with the others and how to fix it', () => {
    expect(projectNameProblem('', shadcn)).toMatch(/Type a name/);
    expect(projectNameProblem('my app', shadcn)).toMatch(/no spaces/);
    expect(projectNameProblem('../up', shadcn)).toMatch(/only letters/);
    expect(projectNameProblem('MyApp', shadcn)).toBe('Package names are lowercase: use "myapp".');
    expect(projectNameProblem('_x', shadcn)).toMatch(/Start with a letter/);
    expect(projectNameProblem('fs', shadcn)).toMatch(/built-in/);
    expect(projectNameProblem('react', shadcn)).toMatch(/React \+ shadcn\/ui template installs/);
    expect(projectNameProblem('x'.repeat(215), shadcn)).toMatch(/214/);
  });

  it('refuses a folder that already has files, and suggests a free name', () => {
    const taken = new Set(['my-app', 'my-app-2']);
    const context = { ...shadcn, folderHasFiles: (name: string) => taken.has(name) };
    expect(projectNameProblem('my-app', context)).toMatch(/already there/);
    expect(suggestName('my-app', (name) => taken.has(name))).toBe('my-app-3');
    expect(suggestName('fresh', (name) => taken.has(name))).toBe('fresh');
  });
});

describe('the progress line', () => {
  it('keeps what a person can read and drops spinners, bars and colours', () => {
    expect(meaningfulLine('\x1b[32madded 261 packages\x1b[0m in 12s')).toBe('added 261 packages in 12s');
    expect(meaningfulLine('⠙')).toBeUndefined();
    expect(meaningfulLine('│ ─── ┌┐ |')).toBeUndefined();
    expect(meaningfulLine('   ')).toBeUndefined();
    expect(meaningfulLine('progress 10%\rprogress 55%')).toBe('progress 55%');
    const long = meaningfulLine('x'.repeat(300))!;
    expect(long).toHaveLength(120);
    expect(long.endsWith('…')).toBe(true);
  });

  it('is the latest meaningful one', () => {
    expect(latestMeaningfulLine(['resolving', 'added 3 packages', '⠋', ''])).toBe('added 3 packages');
    expect(latestMeaningfulLine(['⠋'])).toBeUndefined();
  });
});

describe('dev server URLs', () => {
  it('reads Vite’s Local line first, else a localhost URL', () => {
    expect(findDevServerUrl('  \x1b[32m➜\x1b[39m  \x1b[1mLocal\x1b[22m:   \x1b[36mhttp://localhost:\x1b[1m5173\x1b[22m/\x1b[39m')).toBe('http://localhost:5173/');
    expect(findDevServerUrl('  Local: http://localhost:3000/')).toBe('http://localhost:3000/');
    expect(findDevServerUrl('listening on http://127.0.0.1:8080.')).toBe('http://127.0.0.1:8080');
    expect(findDevServerUrl('  Network: use --host to expose')).toBeUndefined();
  });

  it('resolves with the first URL a server prints', async () => {
    const watcher = new DevServerUrlWatcher(5_000);
    watcher.lines(['VITE v8 ready in 300 ms', '  ➜  Local:   http://localhost:5174/']);
    await expect(watcher.url).resolves.toBe('http://localhost:5174/');
  });

  it('fails with the last output when no URL comes in time, or the server stops first', async () => {
    const slow = new DevServerUrlWatcher(50);
    slow.lines(['compiling…']);
    await expect(slow.url).rejects.toThrow(/no local URL within 0 s\. Its last output: compiling…/);
    const stopped = new DevServerUrlWatcher(5_000);
    stopped.end('it exited with code 1');
    await expect(stopped.url).rejects.toThrow('stopped before it printed its URL: it exited with code 1');
  });
});

describe('package managers', () => {
  const onPath = (installed: string[]) => (program: string) => installed.includes(program);

  it('follows an explicit setting, else the lockfile, else bun when installed, else npm', () => {
    const none = () => false;
    expect(projectManager('pnpm', none, onPath([]))).toBe('pnpm');
    expect(projectManager('auto', (file) => file === 'pnpm-lock.yaml', onPath(['pnpm', 'bun']))).toBe('pnpm');
    expect(projectManager('auto', (file) => file === 'pnpm-lock.yaml', onPath(['bun']))).toBe('bun');
    expect(projectManager('auto', none, onPath(['npm']))).toBe('npm');
    expect(projectManager('auto', (file) => file === 'package-lock.json', onPath(['npm', 'bun']))).toBe('npm');
  });

  it('writes the dev command as each manager passes arguments', () => {
    expect(devCommandLine('npm', 5173)).toBe('npm run dev -- --port 5173');
    expect(devCommandLine('pnpm', 5173)).toBe('pnpm run dev --port 5173');
  });

  it('finds only executable files in absolute PATH entries', () => {
    const dir = mkdtempSync(join(tmpdir(), 'prototyper-path-'));
    writeFileSync(join(dir, 'tool'), '#!/bin/sh\n');
    writeFileSync(join(dir, 'plain'), 'not executable');
    chmodSync(join(dir, 'tool'), 0o755);
    expect(findOnPath('tool', `relative/bin:${dir}`)).toBe(join(dir, 'tool'));
    expect(findOnPath('plain', dir)).toBeUndefined();
    expect(findOnPath('tool', 'relative')).toBeUndefined();
  });
});

describe('tailoring', () => {
  function memory(): StateStore & { data: Map<string, unknown> } {
    const data = new Map<string, unknown>();
    return { data, get: <T>(key: string) => data.get(key) as T | undefined, update: async (key, value) => void data.set(key, value) };
  }

  it('starts the chat once, in the window whose first folder is the new project', async () => {
    const base = mkdtempSync(join(tmpdir(), 'prototyper-tailor-'));
    mkdirSync(join(base, 'shop'));
    symlinkSync(join(base, 'shop'), join(base, 'alias'));
    const state = memory();
    const started: string[] = [];
    const tailoring = new Tailoring(state, async (text) => void started.push(text));
    await tailoring.remember(join(base, 'shop'), { name: 'React + shadcn/ui' }, 'a shop for tea');
    expect(await tailoring.resume(join(base, 'elsewhere'))).toBe(false);
    expect(await tailoring.resume(join(base, 'alias'))).toBe(true);
    expect(started).toEqual([tailoringMessage('React + shadcn/ui', 'a shop for tea')]);
    expect(started[0]).toMatch(/^This project was just created from the React \+ shadcn\/ui template\. .*\n\na shop for tea$/s);
    expect(await tailoring.resume(join(base, 'shop'))).toBe(false);
  });

  it('forgets a description after an hour', async () => {
    let now = 1_000_000;
    const state = memory();
    const started: string[] = [];
    const tailoring = new Tailoring(state, async (text) => void started.push(text), () => now);
    await tailoring.remember('/projects/old', { name: 'Static site' }, 'a landing page');
    now += 61 * 60 * 1000;
    expect(await tailoring.resume('/projects/old')).toBe(false);
    expect(started).toEqual([]);
    expect(state.data.get('prototyper.pendingTailoring')).toEqual([]);
  });
});

describe('scaffolding from a webview', () => {
  it('is refused: the folder must come from VS Code’s dialog', async () => {
    const sent: string[] = [];
    const router = new InvokeRouter({
      channels: { registerChannel: () => {}, abandonChannel: () => {} },
      sidecar: { request: async (method: string) => void sent.push(method) },
      hostCommands: {},
      credentials: async () => ({ host: '', apiKey: '' }),
    });
    await expect(router.invoke({ sessionKey: 's' }, 'scaffold_project', { parentDir: '/etc', name: 'x', template: 'static' })).rejects.toMatchObject({
      code: -32015,
      message: expect.stringContaining('Prototyper: New Project'),
    });
    await router.invoke({ sessionKey: 's' }, 'list_templates', {});
    expect(sent).toEqual(['list_templates']);
  });
});
