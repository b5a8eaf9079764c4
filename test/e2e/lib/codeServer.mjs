// Starts a real VS Code (code-server) for the end-to-end suite: fresh user-data and extension
// folders per run, the packaged VSIX installed, user settings written, bound to 127.0.0.1 only;
// and the settings that keep such a window quiet.
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createServer } from 'node:net';

const repoRoot = resolve(import.meta.dirname, '../../..');
const codeServerBin = join(repoRoot, 'test/e2e/vscode/node_modules/.bin/code-server');

/**
 * User settings that keep a code-server window from opening, popping up or fetching anything of its
 * own while it is driven or measured: no trust prompt, welcome page, tips, recommendations, update
 * checks, telemetry, git or npm detection, type acquisition or chat button. Callers spread their
 * own settings over these; the end-to-end specs add more (lib/spec.mjs).
 */
export const quietSettings = Object.freeze({
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'extensions.ignoreRecommendations': true,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'git.enabled': false,
  'npm.autoDetect': 'off',
  'typescript.disableAutomaticTypeAcquisition': true,
  'chat.commandCenter.enabled': false,
});

/** A free TCP port on loopback. */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
    server.on('error', reject);
  });
}

/**
 * Installs `vsix` (a path, or a list of them) into a fresh code-server state under `stateDir` and
 * serves `workspace`. Returns `{ url, port, stop() }`; `url` opens the workspace folder.
 */
export async function startCodeServer({ stateDir, vsix, workspace, settings }) {
  if (!existsSync(codeServerBin)) {
    throw new Error(`code-server is not installed at ${codeServerBin}; run scripts/install-code-server.sh`);
  }
  const extensionsDir = join(stateDir, 'extensions');
  const userDataDir = join(stateDir, 'user-data');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  mkdirSync(join(userDataDir, 'Machine'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  // The extension host runs "remote" in code-server and reads machine-scoped settings (such as
  // workbench.welcomePage.walkthroughs.openOnInstall) from the machine's settings, not the user's.
  writeFileSync(join(userDataDir, 'Machine', 'settings.json'), JSON.stringify(settings, null, 2));
  // Its own config file, so nothing in ~/.config/code-server/config.yaml applies to the tests.
  const configFile = join(stateDir, 'config.yaml');
  writeFileSync(configFile, 'auth: none\ncert: false\n');
  for (const one of [vsix].flat()) {
    execFileSync(codeServerBin, ['--config', configFile, '--install-extension', one, '--force', '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  const child = spawn(
    codeServerBin,
    [
      '--config', configFile, '--auth', 'none', '--bind-addr', '127.0.0.1:0', '--disable-telemetry', '--disable-update-check',
      '--disable-workspace-trust', '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir, workspace,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  let output = '';
  child.stdout.on('data', (data) => (output += data));
  child.stderr.on('data', (data) => (output += data));
  // Port 0: the system picks a free port, which code-server prints ("HTTP server listening on …").
  const deadline = Date.now() + 60_000;
  let base = null;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`code-server exited (${child.exitCode}):\n${output}`);
    base ??= output.match(/HTTP server listening on (http:\/\/127\.0\.0\.1:\d+)/)?.[1] ?? null;
    if (base) {
      try {
        const response = await fetch(`${base}/healthz`);
        if (response.ok) break;
      } catch {
        // not answering yet
      }
    }
    if (Date.now() > deadline) throw new Error(`code-server did not start within 60 s:\n${output}`);
    await new Promise((done) => setTimeout(done, 250));
  }
  const port = Number(new URL(base).port);
  return {
    url: `${base}/?folder=${encodeURIComponent(workspace)}`,
    port,
    logs: () => output,
    /** Ends code-server with its extension hosts and sidecars (one process group); waits for it. */
    async stop() {
      const signal = (name) => {
        try {
          process.kill(-child.pid, name);
        } catch {
          // already gone
        }
      };
      const exited = child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((done) => child.once('exit', done));
      signal('SIGTERM');
      const timer = setTimeout(() => signal('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
      // Children that outlive the leader (an extension host shutting down) get no grace.
      signal('SIGKILL');
    },
  };
}
