// The webview's IPC against a fake VS Code API: `ready` first with restored channel indices,
// Channel markers in args, rejections with the host's error, acks only after setState, release at the end.
import { describe, expect, it, vi } from 'vitest';
import { Channel, InvokeFailure, IpcConnection, type VsCodeApi } from '../../../webview/ipc';

function fakeApi(saved?: unknown) {
  const posted: any[] = [];
  let state = saved;
  const api: VsCodeApi = {
    postMessage: (m) => posted.push(JSON.parse(JSON.stringify(m))),
    getState: () => state,
    setState: (s) => {
      state = JSON.parse(JSON.stringify(s));
    },
  };
  const target = new EventTarget();
  const host = (data: unknown) => target.dispatchEvent(new MessageEvent('message', { data }));
  return { api, target, posted, host, state: () => state as any };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('IpcConnection', () => {
  it('says ready first, with the channels restored from the saved state', () => {
    const f = fakeApi({ channels: { '123': 4 }, app: { x: 1 } });
    const ipc = new IpcConnection(f.api, f.target);
    expect(f.posted[0]).toEqual({ type: 'ready', channels: { '123': 4 } });
    expect(ipc.restoredAppState()).toEqual({ x: 1 });
    expect(ipc.isOpen(123)).toBe(true);
  });

  it('serializes Channels as markers and resolves or rejects with the host answer', async () => {
    const f = fakeApi();
    const ipc = new IpcConnection(f.api, f.target);
    const channel = new Channel<unknown>({ connection: ipc });
    expect(channel.id).toBeGreaterThanOrEqual(1);
    expect(channel.id).toBeLessThan(2 ** 53);
    const ok = ipc.invoke('generate_completion_stream', { model: 'm', onEvent: channel, nested: { list: [channel] } });
    const call = f.posted[1];
    expect(call).toMatchObject({ type: 'invoke', command: 'generate_completion_stream', args: { model: 'm', onEvent: { __channel__: channel.id }, nested: { list: [{ __channel__: channel.id }] } } });
    f.host({ type: 'response', callId: call.callId, ok: true, result: { requestId: channel.id } });
    await expect(ok).resolves.toEqual({ requestId: channel.id });
    const bad = ipc.invoke('read_file', { path: '../x' });
    f.host({ type: 'response', callId: f.posted[2].callId, ok: false, error: { code: -32012, message: 'outside the workspace', data: { path: '../x' } } });
    const error = await bad.catch((e) => e);
    expect(error).toBeInstanceOf(InvokeFailure);
    expect(error).toMatchObject({ code: -32012, message: 'outside the workspace', data: { path: '../x' } });
  });

  it('delivers in order, acks only what setState holds, and releases after the terminal message', async () => {
    vi.useFakeTimers();
    try {
      const f = fakeApi();
      const ipc = new IpcConnection(f.api, f.target);
      let delivered = 0;
      ipc.setAppStateProvider(() => ({ delivered }));
      const channel = new Channel<{ event: string }>({ connection: ipc });
      const seen: string[] = [];
      channel.onmessage = (m) => {
        seen.push(m.event);
        delivered++;
      };
      const env = (index: number, event: string, terminal?: boolean) => ({ id: channel.id, index, message: { event }, terminal });
      f.host({ type: 'channel', messages: [env(1, 'B'), env(0, 'A'), env(0, 'A')] });
      expect(seen).toEqual(['A', 'B']);
      expect(f.posted.filter((m) => m.type === 'ack')).toEqual([]);
      vi.advanceTimersByTime(300);
      expect(f.state()).toEqual({ channels: { [channel.id]: 1 }, app: { delivered: 2 } });
      expect(f.posted.filter((m) => m.type === 'ack')).toEqual([{ type: 'ack', id: channel.id, index: 1 }]);
      f.host({ type: 'channel', messages: [env(2, 'Done', true), env(3, 'late')] });
      expect(seen).toEqual(['A', 'B', 'Done']);
      expect(f.posted.filter((m) => m.type === 'ack').at(-1)).toEqual({ type: 'ack', id: channel.id, index: 2 });
      expect(f.posted.at(-1)).toEqual({ type: 'release', id: channel.id });
      expect(f.state().channels).toEqual({});
      expect(f.state().app).toEqual({ delivered: 3 });
    } finally {
      vi.useRealTimers();
    }
  });

  it('holds messages for a restored channel until the app re-attaches it', async () => {
    const f = fakeApi({ channels: { '77': 1 } });
    const ipc = new IpcConnection(f.api, f.target);
    f.host({ type: 'channel', messages: [{ id: 77, index: 2, message: { event: 'Chunk' } }, { id: 77, index: 1, message: { event: 'old' } }] });
    const seen: unknown[] = [];
    const channel = new Channel<unknown>({ id: 77, connection: ipc });
    channel.onmessage = (m) => seen.push(m);
    await flush();
    expect(seen).toEqual([{ event: 'Chunk' }]);
  });

  it('keeps a panel identity in the saved state, from the host or from before a reload', () => {
    const f = fakeApi();
    const ipc = new IpcConnection(f.api, f.target, { view: 'panel', panelId: 'p-1' });
    expect(f.state().panelId).toBe('p-1');
    ipc.persistNow();
    expect(f.state().panelId).toBe('p-1');
    const again = fakeApi(f.state());
    new IpcConnection(again.api, again.target).persistNow();
    expect(again.state().panelId).toBe('p-1');
  });

  it('passes host events to subscribers', () => {
    const f = fakeApi();
    const ipc = new IpcConnection(f.api, f.target);
    const events: unknown[] = [];
    const off = ipc.onHostEvent((e) => events.push(e));
    f.host({ type: 'event', event: { kind: 'newChat' } });
    off();
    f.host({ type: 'event', event: { kind: 'focusInput' } });
    expect(events).toEqual([{ kind: 'newChat' }]);
  });
});
