// Tidy checks that keep the architecture's boundaries true (ARCHITECTURE.md, "Invariants"):
// the webview never imports `vscode` or Node, only webview/ipc.ts touches acquireVsCodeApi,
// only the sidecar's transport and `--version` write to stdout, only the sidecar's confinement
// module opens files by path or starts processes, and every source file opens with a comment
// saying what it is for.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { builtinModules } from 'node:module';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

function filesUnder(dir: string, extensions: string[]): string[] {
  const result: string[] = [];
  const walk = (current: string) => {
    for (const name of readdirSync(current)) {
      // Skipped: dependencies, build output, generated code and benchmark results (all ignored by git).
      if (['node_modules', 'target', 'generated', 'results', 'dist'].includes(name) || name.startsWith('.')) continue;
      const path = join(current, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (extensions.some((extension) => name.endsWith(extension))) result.push(path);
    }
  };
  if (existsSync(join(root, dir))) walk(join(root, dir));
  return result;
}

const importPattern = /(?:^|\n)\s*(?:import|export)[^'"`;]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g;

function importsOf(source: string): string[] {
  return [...source.matchAll(importPattern)].map((match) => match[1] ?? match[2] ?? match[3]);
}

const nodeBuiltins = new Set([...builtinModules, ...builtinModules.map((name) => `node:${name}`)]);

describe('architecture boundaries', () => {
  const webviewFiles = filesUnder('webview', ['.ts', '.tsx']);

  it('the webview imports neither vscode nor Node built-ins', () => {
    const offenders = webviewFiles.flatMap((file) =>
      importsOf(readFileSync(file, 'utf8'))
        .filter((specifier) => specifier === 'vscode' || nodeBuiltins.has(specifier))
        .map((specifier) => `${relative(root, file)} imports ${specifier}`),
    );
    expect(offenders).toEqual([]);
  });

  it('the webview imports from src/ only the protocol types', () => {
    const offenders = webviewFiles.flatMap((file) =>
      importsOf(readFileSync(file, 'utf8'))
        .filter((specifier) => specifier.includes('/src/') && !specifier.includes('/src/protocol/'))
        .map((specifier) => `${relative(root, file)} imports ${specifier}`),
    );
    expect(offenders).toEqual([]);
  });

  it('only webview/ipc.ts calls acquireVsCodeApi', () => {
    const callers = webviewFiles
      .filter((file) => /acquireVsCodeApi\s*\(/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(root, file));
    expect(callers).toEqual(['webview/ipc.ts']);
  });

  it('only the sidecar transport and main write to stdout', () => {
    const writers = filesUnder('sidecar/src', ['.rs'])
      .filter((file) => /\bstdout\(\)|println!|print!/.test(readFileSync(file, 'utf8').replace(/\/\/.*$/gm, '')))
      .map((file) => relative(root, file))
      .sort();
    expect(writers).toEqual(['sidecar/src/main.rs']);
  });
});

describe('confinement by construction (sidecar/src/confine)', () => {
  // Files that may open by path string, each with the reason it is not workspace content:
  const allowed: Record<string, string> = {
    'sidecar/src/protocol/mod.rs': 'writes the generated TypeScript bindings (a test-only export into the repository)',
    'sidecar/src/permissions.rs': 'reads the capability file the sidecar\'s own environment names',
    'sidecar/src/commands/process/ports.rs': 'reads /proc to find the processes listening on a port',
    'sidecar/src/main.rs': 'wraps a duplicate of the stdout descriptor it inherited as a File; opens nothing by path',
  };
  const code = (file: string) => readFileSync(file, 'utf8').replace(/\/\/.*$/gm, '').replace(/#\[cfg\(test\)\][\s\S]*$/, '');
  const sidecarFiles = filesUnder('sidecar/src', ['.rs']).filter((file) => !relative(root, file).startsWith('sidecar/src/confine/'));

  it('only confine/ opens files by path', () => {
    const offenders = sidecarFiles
      .filter((file) => /\b(std|tokio)::fs::|\bFile::(open|create)\b|ambient_authority/.test(code(file)))
      .map((file) => relative(root, file))
      .filter((file) => !(file in allowed));
    expect(offenders).toEqual([]);
  });

  it('only confine/ gives a process its working directory or builds a Command', () => {
    const offenders = sidecarFiles
      .filter((file) => /\.current_dir\(|Command::new\(/.test(code(file)))
      .map((file) => relative(root, file));
    expect(offenders).toEqual([]);
  });
});

describe('every source file says what it is for', () => {
  const sources = [
    ...filesUnder('src', ['.ts']),
    ...filesUnder('webview', ['.ts', '.tsx']),
    ...filesUnder('sidecar/src', ['.rs']),
    ...filesUnder('test', ['.ts', '.mjs']),
    ...filesUnder('bench', ['.ts', '.mjs']),
    ...filesUnder('scripts', ['.sh', '.mjs']),
  ];

  it('opens with a comment', () => {
    const missing = sources.filter((file) => {
      const head = readFileSync(file, 'utf8').replace(/^#!.*\n/, '').trimStart();
      return !/^(\/\/|\/\*|#)/.test(head);
    });
    expect(missing.map((file) => relative(root, file))).toEqual([]);
  });
});
