// The process pseudoterminal: output lines with CRLF, the exit code, start failures, and the kill
// when the terminal closes (also while the process is still starting).
import { describe, expect, it } from 'vitest';
import { ChannelRelay } from '../../../src/relay/channelRelay';
import { ProcessPseudoterminal, shellCommandLine } from '../../../src/terminal/processTerminal';

function harness(start: (onEvent: number) => Promise<{ pid: number }>) {
  const relay = new ChannelRelay();
  const killed: number[] = [];
  const pty = new ProcessPseudoterminal({
    commandLine: 'echo hi',
    openChannel: (deliver) => relay.openHostChannel(deliver),
    closeChannel: (id) => relay.closeHostChannel(id),
    start,
    kill: async (pid) => void killed.push(pid),
  });
  let written = '';
  pty.onDidWrite((text) => (written += text));
  return { relay, pty, killed, written: () => written };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('ProcessPseudoterminal', () => {
  it('writes output lines with CRLF and prints the exit code', async () => {
    let channel = 0;
    const { relay, pty, written, killed } = harness(async (onEvent) => {
      channel = onEvent;
      return { pid: 42 };
    });
    pty.open();
    await settle();
    relay.fromSidecar({ id: channel, index: 0, message: { event: 'Output', data: { stream: 'stdout', lines: ['hi', 'there'] } } });
    relay.fromSidecar({ id: channel, index: 1, message: { event: 'Output', data: { stream: 'stderr', lines: ['warn'] } } });
    relay.fromSidecar({ id: channel, index: 2, message: { event: 'Exit', data: { code: 0, signal: null } }, terminal: true });
    expect(written()).toContain('$ echo hi');
    expect(written()).toContain('hi\r\nthere\r\n');
    expect(written()).toContain('\x1b[31mwarn\r\n');
    expect(written()).toContain('[process exited with code 0]');
    await expect(pty.exited).resolves.toEqual({ code: 0, signal: null });
    pty.close();
    expect(killed).toEqual([]); // already exited
    expect(relay.stats().channels).toBe(0);
  });

  it('kills a running process when the terminal closes, and on Ctrl+C', async () => {
    const { pty, killed, relay } = harness(async () => ({ pid: 7 }));
    pty.open();
    await settle();
    pty.handleInput('\x03');
    expect(killed).toEqual([7]);
    pty.close();
    expect(killed).toEqual([7, 7]);
    expect(relay.stats().channels).toBe(0);
    await expect(pty.exited).resolves.toMatchObject({ error: 'The terminal was closed.' });
  });

  it('kills a process whose terminal closed while it was starting', async () => {
    let release!: (value: { pid: number }) => void;
    const { pty, killed } = harness(() => new Promise((resolve) => (release = resolve)));
    pty.open();
    pty.close();
    release({ pid: 9 });
    await settle();
    expect(killed).toEqual([9]);
  });

  it('shows a start failure and settles', async () => {
    const { pty, written, relay } = harness(async () => Promise.reject(Object.assign(new Error("Security error: Command 'curl' not allowed"), { code: -32012 })));
    pty.open();
    await expect(pty.exited).resolves.toMatchObject({ error: "Security error: Command 'curl' not allowed" });
    expect(written()).toContain("Command 'curl' not allowed");
    expect(relay.stats().channels).toBe(0);
  });

  it('ends with the sidecar error when the sidecar dies', async () => {
    const { pty, relay, written } = harness(async () => ({ pid: 3 }));
    pty.open();
    await settle();
    relay.sidecarExited({ code: 1, signal: null });
    await expect(pty.exited).resolves.toMatchObject({ error: expect.stringContaining('stopped unexpectedly') });
    expect(written()).toContain('stopped unexpectedly (exit code 1)');
  });

  it('quotes arguments for the sidecar shlex split', () => {
    expect(shellCommandLine('bun', ['create', 'vite', 'my app', "it's"])).toBe(`bun create vite 'my app' 'it'"'"'s'`);
    expect(shellCommandLine('npm', ['run', 'dev', '--', '--port=5173'])).toBe('npm run dev -- --port=5173');
  });
});
