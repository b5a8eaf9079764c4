// The sidecar supervisor against a real child process (test/unit/host/fixtures/fakeSidecar.cjs):
// handshake, requests and errors, stderr, restart with backoff, giving up, shutdown, refusals;
// and the process groups it kills when a sidecar dies with channels still open.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ChannelRelay } from '../../../src/relay/channelRelay';
import { buildInitializeParams } from '../../../src/sidecar/initialize';
import { ChannelProcessGroups, SidecarSupervisor, type SidecarExit, type SupervisorOptions, type SupervisorStatus } from '../../../src/sidecar/supervisor';
import type { ChannelEnvelope, HostToWebview } from '../../../src/protocol/webviewMessages';

const FIXTURE = path.join(__dirname, 'fixtures', 'fakeSidecar.cjs');

const running: SidecarSupervisor[] = [];
const tempDirs: string[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.dispose()));
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'prototyper-supervisor-'));
  tempDirs.push(dir);
  return dir;
}

function makeSupervisor(env: Record<string, string> = {}, options: Partial<SupervisorOptions> = {}) {
  const log: string[] = [];
  const stderr: string[] = [];
  const states: Array<SupervisorStatus & { at: number }> = [];
  const exits: SidecarExit[] = [];
  const supervisor = new SidecarSupervisor({
    launch: async () => ({ command: process.execPath, args: [FIXTURE], version: 'prototyper-sidecar 0.0.0-fake', description: FIXTURE }),
    initializeParams: () =>
      buildInitializeParams({
        storageDir: '/tmp/storage',
        workspaceRoot: null,
        workspaceTrusted: true,
        providerHosts: ['http://localhost:11434'],
        packageManager: 'bun',
      }),
    logger: { info: (m) => log.push(m), error: (m) => log.push(`ERROR ${m}`), stderr: (line) => stderr.push(line) },
    env: { ...process.env, ...env },
    backoffBaseMs: 50,
    shutdownGraceMs: 500,
    ...options,
  });
  supervisor.onStateChange((status) => states.push({ ...status, at: Date.now() }));
  supervisor.onExit((exit) => exits.push(exit));
  running.push(supervisor);
  return { supervisor, log, stderr, states, exits };
}

function waitFor(check: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const poll = () => {
      if (check()) return resolve();
      if (Date.now() - start > timeoutMs) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(poll, 10);
    };
    poll();
  });
}

describe('SidecarSupervisor', () => {
  it('starts, initializes with the params, answers requests and forwards stderr', async () => {
    const { supervisor, stderr, states } = makeSupervisor();
    await supervisor.start();
    expect(supervisor.status).toMatchObject({ state: 'ready', sidecarVersion: '0.0.0-fake', version: 'prototyper-sidecar 0.0.0-fake' });
    expect(states.map((s) => s.state)).toEqual(['starting', 'ready']);
    await expect(supervisor.request('echo', { hello: 'world' })).resolves.toEqual({ hello: 'world' });
    await waitFor(() => stderr.some((line) => line.startsWith('initialize ')), 5000, 'initialize on stderr');
    const initialize = JSON.parse(stderr.find((line) => line.startsWith('initialize '))!.slice('initialize '.length));
    expect(initialize).toEqual({
      protocolVersion: 1,
      storageDir: '/tmp/storage',
      workspaceRoot: null,
      capabilities: { workspaceTrusted: true, allowedHosts: ['localhost:11434'], packageManager: 'bun', editorDocuments: false },
    });
    expect(stderr[0]).toMatch(/^fake sidecar started/);
  });

  it('passes JSON-RPC errors through with code, message and data', async () => {
    const { supervisor } = makeSupervisor();
    await supervisor.start();
    await expect(supervisor.request('fail', { code: -32012, message: 'Security error: ../x is outside the workspace', data: { path: '../x' } })).rejects.toMatchObject({
      code: -32012,
      message: 'Security error: ../x is outside the workspace',
      data: { path: '../x' },
    });
  });

  it('queues requests made while starting', async () => {
    const { supervisor } = makeSupervisor();
    const starting = supervisor.start();
    const answer = supervisor.request('echo', { early: true });
    await starting;
    await expect(answer).resolves.toEqual({ early: true });
  });

  it('restarts after a crash with exponential backoff, and fails the request in flight', async () => {
    const { supervisor, states, exits } = makeSupervisor({}, { backoffBaseMs: 200 });
    await supervisor.start();
    const firstPid = await supervisor.request<number>('pid');

    await expect(supervisor.request('crash', { code: 42 })).rejects.toMatchObject({ code: -32020 });
    await waitFor(() => supervisor.status.state === 'ready', 10_000, 'ready after the first crash');
    expect(exits[0]).toEqual({ code: 42, signal: null, expected: false });
    const secondPid = await supervisor.request<number>('pid');
    expect(secondPid).not.toBe(firstPid);

    void supervisor.request('crash', { code: 43 }).catch(() => {});
    await waitFor(() => exits.length === 2, 10_000, 'second exit');
    await waitFor(() => supervisor.status.state === 'ready', 10_000, 'ready after the second crash');

    // The restart waits 200 ms after the first crash and 400 ms after the second.
    const restartDelays = states
      .map((state, i) => (state.state === 'restarting' && state.message?.includes('restarting in') ? states.findIndex((s, j) => j > i && s.state === 'restarting' && !s.message?.includes('restarting in')) : -1))
      .map((later, i) => (later >= 0 ? states[later].at - states[i].at : -1))
      .filter((d) => d >= 0);
    expect(restartDelays).toHaveLength(2);
    expect(restartDelays[0]).toBeGreaterThanOrEqual(190);
    expect(restartDelays[1]).toBeGreaterThanOrEqual(390);
    expect(states.find((s) => s.message?.includes('restarting in'))?.message).toMatch(/exit code 42/);
  });

  it('gives up after repeated crashes and says what to do', async () => {
    const counter = path.join(tempDir(), 'starts');
    const { supervisor, exits } = makeSupervisor({ FAKE_SIDECAR_COUNTER: counter, FAKE_SIDECAR_CRASHES: '100' }, { maxCrashes: 3, backoffBaseMs: 20 });
    await supervisor.start();
    await waitFor(() => supervisor.status.state === 'crashed', 10_000, 'crashed');
    expect(exits).toHaveLength(3);
    expect(supervisor.status.message).toMatch(/crashed 3 times within 3 minutes \(last: exit code 3\)/);
    expect(supervisor.status.message).toMatch(/Prototyper: Restart Sidecar/);
    await expect(supervisor.request('echo', {})).rejects.toMatchObject({ code: -32020, message: expect.stringMatching(/not running/) });
  });

  it('recovers when it crashes fewer times than the limit', async () => {
    const counter = path.join(tempDir(), 'starts');
    const { supervisor, exits } = makeSupervisor({ FAKE_SIDECAR_COUNTER: counter, FAKE_SIDECAR_CRASHES: '2' }, { maxCrashes: 3, backoffBaseMs: 20 });
    await supervisor.start();
    await waitFor(() => supervisor.status.state === 'ready', 10_000, 'ready');
    expect(exits).toHaveLength(2);
    await expect(supervisor.request('echo', { ok: 1 })).resolves.toEqual({ ok: 1 });
  });

  it('shuts down with shutdown then exit', async () => {
    const { supervisor, stderr, exits } = makeSupervisor();
    await supervisor.start();
    await supervisor.stop();
    expect(supervisor.status.state).toBe('stopped');
    expect(stderr).toContain('shutdown requested');
    expect(stderr).toContain('exit notification');
    expect(exits).toEqual([{ code: 0, signal: null, expected: true }]);
    await expect(supervisor.request('echo', {})).rejects.toMatchObject({ code: -32020 });
  });

  it('kills a sidecar that ignores shutdown after the grace period', async () => {
    const { supervisor, exits } = makeSupervisor({ FAKE_SIDECAR_MODE: 'ignore-shutdown' }, { shutdownGraceMs: 200 });
    await supervisor.start();
    const started = Date.now();
    await supervisor.stop();
    expect(Date.now() - started).toBeLessThan(3000);
    expect(exits).toHaveLength(1);
    expect(exits[0].expected).toBe(true);
  });

  it('refuses a sidecar that speaks another protocol version, and does not restart it', async () => {
    const { supervisor, exits } = makeSupervisor({ FAKE_SIDECAR_MODE: 'protocol-2' });
    await supervisor.start();
    expect(supervisor.status.state).toBe('crashed');
    expect(supervisor.status.message).toMatch(/protocol version 2 but this extension needs 1/);
    expect(supervisor.status.message).toMatch(/npm run build|prototyper\.sidecar\.path/);
    await waitFor(() => exits.length === 1, 5000, 'exit');
    expect(exits[0].expected).toBe(true);
  });

  it('shows the sidecar own refusal (-32017) as the crash message', async () => {
    const { supervisor } = makeSupervisor({ FAKE_SIDECAR_MODE: 'refuse' });
    await supervisor.start();
    expect(supervisor.status).toMatchObject({ state: 'crashed', message: expect.stringMatching(/Protocol version mismatch/) });
  });

  it('treats a hung initialize as a crash', async () => {
    const { supervisor, exits } = makeSupervisor({ FAKE_SIDECAR_MODE: 'hang-init' }, { initializeTimeoutMs: 200, maxCrashes: 2, backoffBaseMs: 20 });
    await supervisor.start();
    await waitFor(() => supervisor.status.state === 'crashed', 10_000, 'crashed');
    expect(exits.length).toBe(2);
  });

  it('reports a launch failure as crashed with its message', async () => {
    const { supervisor } = makeSupervisor({}, { launch: async () => Promise.reject(new Error('The Prototyper sidecar binary was not found.')) });
    await supervisor.start();
    expect(supervisor.status).toMatchObject({ state: 'crashed', message: 'The Prototyper sidecar binary was not found.' });
  });

  it('restart() replaces the process and the new one gets fresh params', async () => {
    let trusted = false;
    const { supervisor, stderr, exits } = makeSupervisor(
      {},
      {
        initializeParams: () =>
          buildInitializeParams({ storageDir: '/tmp/s', workspaceRoot: '/w', workspaceTrusted: trusted, providerHosts: [], packageManager: 'npm' }),
      },
    );
    await supervisor.start();
    trusted = true;
    await supervisor.restart('workspace trust was granted');
    expect(supervisor.status.state).toBe('ready');
    expect(exits).toEqual([{ code: 0, signal: null, expected: true }]);
    const inits = stderr.filter((l) => l.startsWith('initialize ')).map((l) => JSON.parse(l.slice(11)).capabilities.workspaceTrusted);
    expect(inits).toEqual([false, true]);
  });

  it('relays a stream to a webview sink and ends it with an error when the sidecar dies mid-stream', async () => {
    const { supervisor } = makeSupervisor({}, { backoffBaseMs: 50 });
    const relay = new ChannelRelay();
    supervisor.onChannel((envelope) => relay.fromSidecar(envelope));
    supervisor.onExit((exit) => relay.sidecarExited(exit));
    const posted: HostToWebview[] = [];
    relay.attach('sidebar', (message) => posted.push(message));
    relay.ready('sidebar', {});
    await supervisor.start();

    relay.registerChannel('sidebar', 1001);
    await expect(supervisor.request('stream', { onEvent: 1001, count: 50 })).resolves.toEqual({ requestId: 1001 });
    relay.registerChannel('sidebar', 1002);
    await expect(supervisor.request('stream', { onEvent: 1002, count: 20, crash: true })).rejects.toMatchObject({ code: -32020 });
    await waitFor(() => !relay.isOpen(1002), 5000, 'terminal for 1002');

    const envelopes = posted.flatMap((m) => (m.type === 'channel' ? m.messages : [])) as ChannelEnvelope[];
    const first = envelopes.filter((e) => e.id === 1001);
    expect(first.map((e) => e.index)).toEqual(Array.from({ length: 51 }, (_, i) => i));
    expect(first.at(-1)).toMatchObject({ terminal: true, message: { event: 'Done' } });
    const second = envelopes.filter((e) => e.id === 1002);
    expect(second.map((e) => e.index)).toEqual(Array.from({ length: 21 }, (_, i) => i));
    expect(second.at(-1)).toMatchObject({
      terminal: true,
      message: { event: 'Error', data: { code: 'sidecar_exited', message: expect.stringContaining('(exit code 7)') } },
    });
    await waitFor(() => supervisor.status.state === 'ready', 10_000, 'ready after the crash');
  });
});

describe.skipIf(process.platform === 'win32')('ChannelProcessGroups', () => {
  /** A process leading its own group, as the sidecar starts them. */
  function groupLeader() {
    const child = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    return { pid: child.pid!, exited, kill: () => child.kill('SIGKILL') };
  }
  const log = { info: () => {}, error: () => {}, stderr: () => {} };

  it('kills the group of a channel still open, and not of one that ended', async () => {
    const open = groupLeader();
    const ended = groupLeader();
    try {
      const groups = new ChannelProcessGroups();
      groups.callAnswered(groups.callSent({ onEvent: 1 }), { pid: open.pid });
      groups.callAnswered(groups.callSent({ onEvent: 2 }), { pid: ended.pid });
      groups.channelEnded(2);
      groups.killAll(log);
      expect(await open.exited).toBe('SIGKILL');
      expect(process.kill(ended.pid, 0)).toBe(true);
    } finally {
      open.kill();
      ended.kill();
    }
  });

  it('never records a channel that ended before its call was answered (a quick process)', async () => {
    const quick = groupLeader();
    try {
      const groups = new ChannelProcessGroups();
      const call = groups.callSent({ onEvent: 3 });
      groups.channelEnded(3);
      groups.callAnswered(call, { pid: quick.pid });
      groups.callAnswered(groups.callSent({ cwd: '.' }), { pid: quick.pid }); // no channel: not a stream
      groups.killAll(log);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(process.kill(quick.pid, 0)).toBe(true);
    } finally {
      quick.kill();
    }
  });
});

