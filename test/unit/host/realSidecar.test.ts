// The real sidecar binary through the supervisor, relay and bridge, as the extension wires them:
// initialize, a file command, and a process channel relayed to a fake webview. Skipped (with the
// reason in the suite name) when sidecar/target/debug/prototyper-sidecar has not been built.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelEnvelope, HostToWebview } from '../../../src/protocol/webviewMessages';
import { ChannelRelay } from '../../../src/relay/channelRelay';
import { InvokeRouter } from '../../../src/relay/invokeRouter';
import { WebviewBridge } from '../../../src/relay/webviewBridge';
import { resolveSidecar } from '../../../src/sidecar/binary';
import { buildInitializeParams } from '../../../src/sidecar/initialize';
import { SidecarSupervisor } from '../../../src/sidecar/supervisor';

const BINARY = path.resolve(__dirname, '../../../sidecar/target/debug/prototyper-sidecar');
const built = existsSync(BINARY);
const title = built
  ? 'real sidecar through supervisor, relay and bridge'
  : 'real sidecar (SKIPPED: sidecar/target/debug/prototyper-sidecar is not built; run `cargo build --manifest-path sidecar/Cargo.toml`)';

describe.skipIf(!built)(title, () => {
  let workspace: string;
  let storage: string;
  let supervisor: SidecarSupervisor;
  let relay: ChannelRelay;
  let bridge: WebviewBridge;
  const posted: HostToWebview[] = [];
  const stderr: string[] = [];
  let nextCall = 1;

  beforeAll(async () => {
    workspace = mkdtempSync(path.join(tmpdir(), 'prototyper-ws-'));
    storage = mkdtempSync(path.join(tmpdir(), 'prototyper-storage-'));
    writeFileSync(path.join(workspace, 'hello.txt'), 'hello\n');
    supervisor = new SidecarSupervisor({
      launch: async () => {
        const resolved = await resolveSidecar({ configuredPath: BINARY, extensionPath: path.resolve(__dirname, '../../..') });
        return { command: resolved.path, args: [], version: resolved.version, description: resolved.path };
      },
      initializeParams: () =>
        buildInitializeParams({ storageDir: storage, workspaceRoot: workspace, workspaceTrusted: true, providerHosts: ['http://127.0.0.1:11434'], packageManager: 'npm' }),
      logger: { info: () => {}, error: (m) => stderr.push(`ERROR ${m}`), stderr: (line) => stderr.push(line) },
      cwd: workspace,
    });
    relay = new ChannelRelay();
    supervisor.onChannel((envelope) => relay.fromSidecar(envelope));
    supervisor.onExit((exit) => relay.sidecarExited(exit));
    const router = new InvokeRouter({
      channels: relay,
      sidecar: supervisor,
      hostCommands: {},
      credentials: async () => ({ host: 'http://127.0.0.1:11434', apiKey: '' }),
    });
    bridge = new WebviewBridge(relay, router, { error: (m) => stderr.push(m) });
    relay.attach('sidebar', (message) => posted.push(message));
    bridge.receive('sidebar', { type: 'ready', channels: {} });
    await supervisor.start();
  });

  afterAll(async () => {
    await supervisor?.dispose();
    rmSync(workspace, { recursive: true, force: true });
    rmSync(storage, { recursive: true, force: true });
  });

  /** Invokes like the webview does and waits for the one response. */
  async function invoke(command: string, args: Record<string, unknown>): Promise<Extract<HostToWebview, { type: 'response' }>> {
    const callId = nextCall++;
    bridge.receive('sidebar', { type: 'invoke', callId, command, args });
    const deadline = Date.now() + 15_000;
    for (;;) {
      const response = posted.find((m) => m.type === 'response' && m.callId === callId);
      if (response) return response as Extract<HostToWebview, { type: 'response' }>;
      if (Date.now() > deadline) throw new Error(`no response to ${command}; sidecar log:\n${stderr.join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  async function channelUntilTerminal(id: number): Promise<ChannelEnvelope[]> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const envelopes = posted.flatMap((m) => (m.type === 'channel' ? m.messages : [])).filter((e) => e.id === id);
      if (envelopes.some((e) => e.terminal)) return envelopes;
      if (Date.now() > deadline) throw new Error(`channel ${id} did not end; got ${JSON.stringify(envelopes)}; log:\n${stderr.join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  it('initializes', () => {
    expect(supervisor.status.state).toBe('ready');
    expect(supervisor.status.version).toMatch(/^prototyper-sidecar /);
    expect(supervisor.status.sidecarVersion).toBeTruthy();
  });

  it('answers read_dir relative to the workspace', async () => {
    const response = await invoke('read_dir', { path: '.' });
    expect(response).toMatchObject({ ok: true });
    const entries = (response as { result: Array<{ name: string }> }).result;
    expect(entries.map((e) => e.name)).toContain('hello.txt');
  });

  it('refuses a path outside the workspace with the security code', async () => {
    const response = await invoke('read_file', { path: '../outside.txt' });
    expect(response).toMatchObject({ ok: false, error: { code: -32012 } });
  });

  it('relays a run_shell_command channel to the webview, in order, ending with Exit', async () => {
    const id = 424242;
    const response = await invoke('run_shell_command', { cwd: '.', command: 'echo hi', onEvent: { __channel__: id } });
    expect(response).toMatchObject({ ok: true });
    const envelopes = await channelUntilTerminal(id);
    expect(envelopes.map((e) => e.index)).toEqual(envelopes.map((_, i) => i));
    const output = envelopes.flatMap((e) => {
      const message = e.message as { event: string; data: { lines?: string[] } };
      return message.event === 'Output' ? message.data.lines ?? [] : [];
    });
    expect(output).toContain('hi');
    expect(envelopes.at(-1)).toMatchObject({ terminal: true, message: { event: 'Exit', data: { code: 0 } } });
  });

  it('ends a running process channel with sidecar_exited when the sidecar is killed, then restarts', async () => {
    const id = 535353;
    const response = await invoke('run_shell_command', { cwd: '.', command: 'node -e "setTimeout(() => {}, 20000)"', onEvent: { __channel__: id } });
    expect(response).toMatchObject({ ok: true });
    const pid = supervisor.status.pid!;
    process.kill(pid, 'SIGKILL');
    const envelopes = await channelUntilTerminal(id);
    expect(envelopes.at(-1)).toMatchObject({ terminal: true, message: { event: 'Error', data: { code: 'sidecar_exited' } } });
    const deadline = Date.now() + 15_000;
    while (supervisor.status.state !== 'ready' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(supervisor.status.state).toBe('ready');
    expect(supervisor.status.pid).not.toBe(pid);
  });

  it.skipIf(process.platform !== 'linux')('kills what the processes of a SIGKILLed sidecar started', async () => {
    await waitUntilReady();
    const id = 646464;
    // node starts `sleep` in its process group and prints its pid; node dies with the sidecar
    // (PR_SET_PDEATHSIG), sleep would be orphaned.
    const script = "const c = require('child_process').spawn('sleep', ['30'], { stdio: 'ignore' }); console.log('grandchild', c.pid); setTimeout(() => {}, 30000)";
    const response = await invoke('run_shell_command', { cwd: '.', command: `node -e "${script}"`, onEvent: { __channel__: id } });
    expect(response).toMatchObject({ ok: true });
    const grandchild = await waitFor(() => {
      const line = outputLines(id).find((text) => text.startsWith('grandchild '));
      return line ? Number(line.split(' ')[1]) : undefined;
    });
    expect(isAlive(grandchild)).toBe(true);
    process.kill(supervisor.status.pid!, 'SIGKILL');
    await channelUntilTerminal(id);
    await waitFor(() => (isAlive(grandchild) ? undefined : true));
    await waitUntilReady();
  });

  async function waitUntilReady(): Promise<void> {
    await waitFor(() => (supervisor.status.state === 'ready' ? true : undefined));
  }

  function outputLines(id: number): string[] {
    return posted
      .flatMap((m) => (m.type === 'channel' ? m.messages : []))
      .filter((e) => e.id === id)
      .flatMap((e) => {
        const message = e.message as { event: string; data: { lines?: string[] } };
        return message.event === 'Output' ? message.data.lines ?? [] : [];
      });
  }

  async function waitFor<T>(probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out; sidecar log:\n${stderr.join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
});

/** True while `pid` runs (a zombie, killed but not yet reaped by its new parent, counts as gone). */
function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

