// Checks a new project's name as the user types it: a usable folder name (the seed's
// `^[a-zA-Z0-9_-]+$`) and npm package name (lowercase, not a Node built-in, not a package the
// template installs), and no clash with a folder that already has files. The sidecar checks the
// same rules again (`sidecar/src/commands/scaffold/templates.rs`); this copy gives the answer
// while the user is still typing. Free of `vscode`, so it is unit-tested.

/** Node's built-in module names: a package named like one shadows it in confusing ways. */
const NODE_BUILTINS = new Set([
  'assert', 'async_hooks', 'buffer', 'child_process', 'cluster', 'console', 'constants', 'crypto', 'dgram',
  'diagnostics_channel', 'dns', 'domain', 'events', 'fs', 'http', 'http2', 'https', 'inspector', 'module', 'net', 'os',
  'path', 'perf_hooks', 'process', 'punycode', 'querystring', 'readline', 'repl', 'stream', 'string_decoder', 'sys',
  'test', 'timers', 'tls', 'trace_events', 'tty', 'url', 'util', 'v8', 'vm', 'wasi', 'worker_threads', 'zlib',
]);

export interface NameContext {
  /** The template's display name and the packages it installs. */
  templateName: string;
  packages: readonly string[];
  /** Whether `parent/name` exists with something in it (a clash); undefined when unknown. */
  folderHasFiles?(name: string): boolean;
}

/** Why `name` cannot be used, or undefined when it can. */
export function projectNameProblem(name: string, context: NameContext): string | undefined {
  if (name.length === 0) return 'Type a name, e.g. my-app: it becomes the folder and the package name.';
  if (name.length > 214) return 'At most 214 characters: that is the limit for package names.';
  if (!/^[a-zA-Z0-9_-]+$/.test(name)) return 'Use only letters, digits, "-" and "_" (no spaces): the name becomes a folder and a package name.';
  if (/[A-Z]/.test(name)) return `Package names are lowercase: use "${name.toLowerCase()}".`;
  if (/^[-_]/.test(name)) return 'Start with a letter or a digit.';
  if (name === 'node_modules' || NODE_BUILTINS.has(name)) return `"${name}" is a Node.js built-in module; pick another name.`;
  if (context.packages.includes(name)) {
    return `"${name}" is a package the ${context.templateName} template installs, and npm cannot install a package into a project of the same name.`;
  }
  if (context.folderHasFiles?.(name)) return `A folder "${name}" with files in it is already there; pick another name (or another parent folder).`;
  return undefined;
}

/** A free name to suggest: `my-app`, else `my-app-2`, `my-app-3`, … */
export function suggestName(base: string, taken: (name: string) => boolean): string {
  if (!taken(base)) return base;
  for (let n = 2; n < 1000; n++) if (!taken(`${base}-${n}`)) return `${base}-${n}`;
  return base;
}
