// The channel relay between sidecar and webviews: ordering, duplicates, replay after a reload,
// ack trimming, the terminal error after a sidecar crash, and channels unknown after a reload.
import { describe, expect, it } from 'vitest';
import { ChannelRelay, INTERRUPTED_MESSAGE, overflowMessage } from '../../../src/relay/channelRelay';
import type { ChannelEnvelope, HostToWebview } from '../../../src/protocol/webviewMessages';

/** A scheduler the test drives: `tick()` runs the flushes queued so far (one "burst"). */
function manualScheduler() {
  const tasks: Array<() => void> = [];
  return {
    schedule: (task: () => void) => void tasks.push(task),
    tick: () => tasks.splice(0).forEach((task) => task()),
  };
}

/** A fake webview: what it was posted, and the channel messages in the order it got them. */
function fakeWebview() {
  const posted: HostToWebview[] = [];
  return {
    posted,
    sink: (message: HostToWebview) => void posted.push(message),
    envelopes: () => posted.flatMap((m) => (m.type === 'channel' ? m.messages : [])),
    indices: (id: number) => posted.flatMap((m) => (m.type === 'channel' ? m.messages : [])).filter((e) => e.id === id).map((e) => e.index),
    clear: () => void posted.splice(0),
  };
}

const chunk = (id: number, index: number, text = `t${index}`, terminal = false): ChannelEnvelope => ({
  id,
  index,
  message: terminal ? { event: 'Done', data: {} } : { event: 'Chunk', data: { text } },
  ...(terminal ? { terminal: true } : {}),
});

function setup() {
  const clock = manualScheduler();
  const relay = new ChannelRelay({ schedule: clock.schedule });
  const view = fakeWebview();
  relay.attach('sidebar', view.sink);
  relay.ready('sidebar', {});
  return { relay, view, clock };
}

describe('ChannelRelay', () => {
  it('posts nothing before the webview says ready, then replays what it has not seen', () => {
    const clock = manualScheduler();
    const relay = new ChannelRelay({ schedule: clock.schedule });
    const view = fakeWebview();
    relay.attach('sidebar', view.sink);
    relay.registerChannel('sidebar', 7);
    relay.fromSidecar(chunk(7, 0));
    relay.fromSidecar(chunk(7, 1));
    clock.tick();
    relay.postEvent('sidebar', { type: 'event', event: { kind: 'newChat' } });
    expect(view.posted).toEqual([]);

    relay.ready('sidebar', { 7: -1 });
    expect(view.posted).toEqual([
      { type: 'channel', messages: [chunk(7, 0), chunk(7, 1)] },
      { type: 'event', event: { kind: 'newChat' } },
    ]);
  });

  it('batches a burst into one post and keeps index order per channel', () => {
    const { relay, view, clock } = setup();
    relay.registerChannel('sidebar', 1);
    relay.registerChannel('sidebar', 2);
    for (let i = 0; i < 5; i++) {
      relay.fromSidecar(chunk(1, i));
      relay.fromSidecar(chunk(2, i));
    }
    expect(view.posted).toHaveLength(0); // nothing before the burst ends
    clock.tick();
    expect(view.posted).toHaveLength(1);
    expect(view.indices(1)).toEqual([0, 1, 2, 3, 4]);
    expect(view.indices(2)).toEqual([0, 1, 2, 3, 4]);
  });

  it('holds out-of-order messages, drops duplicates, and accepts nothing after the terminal', () => {
    const { relay, view, clock } = setup();
    relay.registerChannel('sidebar', 3);
    for (const index of [2, 0, 0, 2, 1]) relay.fromSidecar(chunk(3, index));
    relay.fromSidecar(chunk(3, 4, '', true)); // early terminal: held until 3 arrives
    clock.tick();
    expect(view.indices(3)).toEqual([0, 1, 2]);
    relay.fromSidecar(chunk(3, 3));
    relay.fromSidecar(chunk(3, 1));
    relay.fromSidecar(chunk(3, 5)); // after the terminal
    clock.tick();
    expect(view.indices(3)).toEqual([0, 1, 2, 3, 4]);
    const last = view.envelopes().at(-1)!;
    expect(last.terminal).toBe(true);
    expect(relay.isOpen(3)).toBe(false);
  });

  it('replays after a reload mid-stream exactly from the index the webview reports', () => {
    const { relay, view, clock } = setup();
    relay.registerChannel('sidebar', 9);
    for (let i = 0; i < 5; i++) relay.fromSidecar(chunk(9, i));
    clock.tick();
    relay.ack('sidebar', 9, 2);
    expect(relay.stats().buffered).toBe(2); // 3 and 4

    // The webview reloads: a new document, which has processed up to 3 (persisted before reload).
    const reloaded = fakeWebview();
    relay.attach('sidebar', reloaded.sink);
    relay.fromSidecar(chunk(9, 5));
    relay.fromSidecar(chunk(9, 6));
    clock.tick();
    expect(reloaded.posted).toEqual([]);

    relay.ready('sidebar', { 9: 3 });
    expect(reloaded.posted).toEqual([{ type: 'channel', messages: [chunk(9, 4), chunk(9, 5), chunk(9, 6)] }]);
    relay.fromSidecar(chunk(9, 7, '', true));
    clock.tick();
    expect(reloaded.indices(9)).toEqual([4, 5, 6, 7]);
    expect(view.indices(9)).toEqual([0, 1, 2, 3, 4]);
  });

  it('trims on ack and frees a channel once its terminal is acked', () => {
    const { relay, clock } = setup();
    relay.registerChannel('sidebar', 4);
    for (let i = 0; i < 10; i++) relay.fromSidecar(chunk(4, i));
    relay.fromSidecar(chunk(4, 10, '', true));
    clock.tick();
    expect(relay.stats()).toMatchObject({ channels: 1, buffered: 11 });
    relay.ack('sidebar', 4, 5);
    expect(relay.stats()).toMatchObject({ channels: 1, buffered: 5 });
    relay.ack('sidebar', 4, 3); // stale ack: no effect
    expect(relay.stats().buffered).toBe(5);
    relay.ack('sidebar', 4, 10);
    expect(relay.stats()).toMatchObject({ channels: 0, buffered: 0 });
  });

  it('ignores acks and releases from a session that does not own the channel', () => {
    const { relay, clock } = setup();
    relay.attach('panel-1', () => {});
    relay.ready('panel-1', {});
    relay.registerChannel('sidebar', 5);
    relay.fromSidecar(chunk(5, 0));
    clock.tick();
    relay.ack('panel-1', 5, 0);
    relay.release('panel-1', 5);
    expect(relay.stats()).toMatchObject({ channels: 1, buffered: 1 });
    relay.release('sidebar', 5);
    expect(relay.stats()).toMatchObject({ channels: 0, buffered: 0 });
    relay.fromSidecar(chunk(5, 1)); // released: dropped
    expect(relay.stats().buffered).toBe(0);
  });

  it('ends every open channel with one terminal error when the sidecar crashes mid-stream', () => {
    const { relay, view, clock } = setup();
    const panel = fakeWebview();
    relay.attach('panel-1', panel.sink);
    relay.ready('panel-1', {});
    relay.registerChannel('sidebar', 11);
    relay.registerChannel('panel-1', 12);
    relay.registerChannel('sidebar', 13); // finished before the crash
    const hostGot: ChannelEnvelope[] = [];
    const hostId = relay.openHostChannel((envelope) => hostGot.push(envelope));
    relay.fromSidecar(chunk(11, 0));
    relay.fromSidecar(chunk(11, 1));
    relay.fromSidecar(chunk(11, 3)); // held: 2 never comes
    relay.fromSidecar(chunk(12, 0));
    relay.fromSidecar(chunk(13, 0, '', true));
    relay.fromSidecar({ id: hostId, index: 0, message: { event: 'Output', data: { stream: 'stdout', lines: ['x'] } } });

    relay.sidecarExited({ code: 101, signal: null });
    relay.fromSidecar(chunk(11, 2)); // a late message after the terminal: dropped
    relay.fromSidecar(chunk(12, 1));
    clock.tick();

    const sidebarTerminal = view.envelopes().filter((e) => e.id === 11);
    expect(sidebarTerminal.map((e) => e.index)).toEqual([0, 1, 2]);
    expect(sidebarTerminal[2]).toEqual({
      id: 11,
      index: 2,
      terminal: true,
      message: {
        event: 'Error',
        data: {
          code: 'sidecar_exited',
          message: "The Prototyper sidecar stopped unexpectedly (exit code 101). It is restarting; retry your request. See the 'Prototyper Sidecar' output for details.",
        },
      },
    });
    expect(panel.indices(12)).toEqual([0, 1]);
    expect(panel.envelopes().at(-1)).toMatchObject({ id: 12, index: 1, terminal: true, message: { event: 'Error' } });
    expect(view.envelopes().filter((e) => e.id === 13)).toHaveLength(1); // untouched
    expect(hostGot.map((e) => [e.index, e.terminal ?? false])).toEqual([
      [0, false],
      [1, true],
    ]);
    // Exactly one terminal per channel, even if the sidecar is declared dead twice.
    relay.sidecarExited({ code: null, signal: 'SIGKILL' });
    clock.tick();
    expect(view.envelopes().filter((e) => e.terminal).length).toBe(2);
    expect(panel.envelopes().filter((e) => e.terminal).length).toBe(1);
  });

  it('answers channels it does not know on ready with an interrupted terminal error', () => {
    const { relay, view } = setup();
    relay.registerChannel('sidebar', 21);
    view.clear();
    relay.ready('sidebar', { 21: -1, 99: 4, 100: -1 });
    expect(view.posted).toEqual([
      {
        type: 'channel',
        messages: [
          { id: 99, index: 5, terminal: true, message: { event: 'Error', data: { message: INTERRUPTED_MESSAGE, code: 'interrupted' } } },
          { id: 100, index: 0, terminal: true, message: { event: 'Error', data: { message: INTERRUPTED_MESSAGE, code: 'interrupted' } } },
        ],
      },
    ]);
    expect(relay.isOpen(21)).toBe(true);
  });

  it('forgets channels a reloaded webview no longer lists', () => {
    const { relay, clock } = setup();
    relay.registerChannel('sidebar', 31);
    relay.registerChannel('sidebar', 32);
    relay.fromSidecar(chunk(31, 0));
    clock.tick();
    relay.ready('sidebar', { 32: -1 });
    expect(relay.isOpen(31)).toBe(false);
    expect(relay.isOpen(32)).toBe(true);
  });

  it('refuses a duplicate or malformed channel id', () => {
    const { relay } = setup();
    relay.registerChannel('sidebar', 41);
    expect(() => relay.registerChannel('sidebar', 41)).toThrow(/already in use/);
    expect(() => relay.registerChannel('sidebar', 0)).toThrow(/positive integer/);
    expect(() => relay.registerChannel('sidebar', 1.5)).toThrow(/positive integer/);
  });

  it('drops answers to calls made before a reload, and keeps order with channel messages', () => {
    const { relay, view, clock } = setup();
    relay.registerChannel('sidebar', 51);
    const before = relay.generation('sidebar');
    relay.fromSidecar(chunk(51, 0));
    relay.postResponse('sidebar', before, { type: 'response', callId: 1, ok: true, result: null });
    expect(view.posted.map((m) => m.type)).toEqual(['channel', 'response']); // flushed first
    clock.tick();
    expect(view.posted).toHaveLength(2);

    relay.attach('sidebar', view.sink);
    relay.ready('sidebar', { 51: 0 });
    view.clear();
    relay.postResponse('sidebar', before, { type: 'response', callId: 1, ok: true, result: 'stale' });
    expect(view.posted).toEqual([]);
  });

  it('stops posting while suspended and catches up on resume', () => {
    const { relay, view, clock } = setup();
    relay.registerChannel('sidebar', 61);
    relay.fromSidecar(chunk(61, 0));
    clock.tick();
    relay.suspend('sidebar');
    relay.fromSidecar(chunk(61, 1));
    relay.fromSidecar(chunk(61, 2));
    clock.tick();
    expect(view.indices(61)).toEqual([0]);
    relay.resume('sidebar');
    clock.tick();
    expect(view.indices(61)).toEqual([0, 1, 2]);
  });

  it('closing a session forgets its channels; abandoning an unused channel frees it', () => {
    const { relay } = setup();
    relay.attach('panel-2', () => {});
    relay.ready('panel-2', {});
    relay.registerChannel('panel-2', 71);
    relay.registerChannel('sidebar', 72);
    relay.registerChannel('sidebar', 73);
    relay.fromSidecar(chunk(73, 0));
    relay.close('panel-2');
    expect(relay.isOpen(71)).toBe(false);
    relay.abandonChannel(72);
    relay.abandonChannel(73); // already used by the sidecar: kept
    expect(relay.isOpen(72)).toBe(false);
    expect(relay.isOpen(73)).toBe(true);
  });

  it('delivers with the default microtask scheduler within the same tick', async () => {
    const relay = new ChannelRelay();
    const view = fakeWebview();
    relay.attach('s', view.sink);
    relay.ready('s', {});
    relay.registerChannel('s', 81);
    for (let i = 0; i < 100; i++) relay.fromSidecar(chunk(81, i));
    await Promise.resolve();
    expect(view.posted).toHaveLength(1);
    expect(view.indices(81)).toHaveLength(100);
  });

  it('posts a long burst in bounded batches, in order', () => {
    const clock = manualScheduler();
    const relay = new ChannelRelay({ schedule: clock.schedule, maxBatch: 4 });
    const view = fakeWebview();
    relay.attach('s', view.sink);
    relay.ready('s', {});
    relay.registerChannel('s', 85);
    for (let i = 0; i < 10; i++) relay.fromSidecar(chunk(85, i));
    expect(view.posted).toHaveLength(2); // two full batches went out during the burst
    clock.tick();
    expect(view.posted.map((m) => (m.type === 'channel' ? m.messages.length : 0))).toEqual([4, 4, 2]);
    expect(view.indices(85)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('delivers every order of a shuffled stream in order, exactly once', () => {
    for (let trial = 0; trial < 50; trial++) {
      const { relay, view, clock } = setup();
      relay.registerChannel('sidebar', 91);
      const input = Array.from({ length: 20 }, (_, i) => chunk(91, i, `t${i}`, i === 19));
      const shuffled = [...input, ...input.slice(0, 5)].sort(() => Math.random() - 0.5);
      for (const envelope of shuffled) {
        relay.fromSidecar(envelope);
        if (Math.random() < 0.3) clock.tick();
      }
      clock.tick();
      expect(view.indices(91)).toEqual(input.map((e) => e.index));
    }
  });

  it('ends a channel a hidden webview never takes in at the bound, with one overflow error, keeping the rest', () => {
    const clock = manualScheduler();
    const relay = new ChannelRelay({ schedule: clock.schedule, maxUnacked: 5 });
    const view = fakeWebview();
    relay.attach('sidebar', view.sink);
    relay.registerChannel('sidebar', 12);
    for (let index = 0; index < 50; index++) relay.fromSidecar(chunk(12, index));
    clock.tick();
    expect(relay.stats().buffered).toBe(6);

    relay.ready('sidebar', { 12: -1 });
    const got = view.envelopes().filter((e) => e.id === 12);
    expect(got.map((e) => e.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(got.slice(0, 5)).toEqual([0, 1, 2, 3, 4].map((index) => chunk(12, index)));
    expect(got[5]).toEqual({ id: 12, index: 5, terminal: true, message: { event: 'Error', data: { message: overflowMessage(5), code: 'overflow' } } });
    relay.ack('sidebar', 12, 5);
    expect(relay.stats()).toMatchObject({ channels: 0, buffered: 0 });
  });

  it('does not cut off a live webview that keeps acking', () => {
    const clock = manualScheduler();
    const view = fakeWebview();
    const limited = new ChannelRelay({ schedule: clock.schedule, maxUnacked: 5 });
    limited.attach('sidebar', view.sink);
    limited.ready('sidebar', {});
    limited.registerChannel('sidebar', 13);
    for (let index = 0; index < 50; index++) {
      limited.fromSidecar(chunk(13, index, `t${index}`, index === 49));
      clock.tick();
      limited.ack('sidebar', 13, index);
    }
    expect(view.indices(13)).toEqual([...Array(50).keys()]);
    expect(view.envelopes().some((e) => (e.message as { data?: { code?: string } }).data?.code === 'overflow')).toBe(false);
  });
});

