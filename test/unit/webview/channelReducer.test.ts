// The Channel delivery core over every arrival order of small streams, with duplicates and drops:
// delivery is always an in-order, duplicate-free prefix that stops at the terminal message.
import { describe, expect, it } from 'vitest';
import { isTerminal, lastProcessed, openCursor, receive, receiveAll } from '../../../webview/channelReducer';

interface Env { index: number; message: unknown; terminal?: boolean }

function stream(length: number, terminalFlag = true): Env[] {
  const out: Env[] = [];
  for (let i = 0; i < length - 1; i++) out.push({ index: i, message: { event: 'Chunk', data: { text: `t${i}` } } });
  out.push({ index: length - 1, message: { event: 'Done', data: {} }, terminal: terminalFlag ? true : undefined });
  return out;
}

function* permutations<T>(items: T[]): Generator<T[]> {
  if (items.length <= 1) { yield items.slice(); return; }
  for (let i = 0; i < items.length; i++) {
    const rest = items.slice(0, i).concat(items.slice(i + 1));
    for (const perm of permutations(rest)) yield [items[i], ...perm];
  }
}

function deliverAll(envelopes: Env[], lastIndex = -1) {
  let cursor = openCursor(lastIndex);
  const delivered: unknown[] = [];
  let closings = 0;
  for (const env of envelopes) {
    const r = receive(cursor, env);
    cursor = r.cursor;
    delivered.push(...r.deliver);
    if (r.closedNow) closings++;
  }
  return { cursor, delivered, closings };
}

describe('channelReducer', () => {
  it('delivers every permutation of streams up to 6 messages in index order, exactly once', () => {
    for (let n = 1; n <= 6; n++) {
      const s = stream(n);
      for (const order of permutations(s)) {
        const { delivered, cursor, closings } = deliverAll(order);
        expect(delivered).toEqual(s.map((e) => e.message));
        expect(cursor.closed).toBe(true);
        expect(closings).toBe(1);
        expect(cursor.held.size).toBe(0);
      }
    }
  });

  it('drops duplicates in every position of every permutation', () => {
    const s = stream(4);
    for (const order of permutations(s)) {
      for (let dupOf = 0; dupOf < order.length; dupOf++) {
        for (let at = 0; at <= order.length; at++) {
          const arrival = order.slice();
          arrival.splice(at, 0, order[dupOf]);
          const { delivered, closings } = deliverAll(arrival);
          expect(delivered).toEqual(s.map((e) => e.message));
          expect(closings).toBe(1);
        }
      }
    }
  });

  it('with a message dropped, delivers exactly the prefix before the gap', () => {
    const s = stream(5);
    for (let drop = 0; drop < s.length; drop++) {
      const kept = s.filter((e) => e.index !== drop);
      for (const order of permutations(kept)) {
        const { delivered, cursor } = deliverAll(order);
        expect(delivered).toEqual(s.slice(0, drop).map((e) => e.message));
        expect(cursor.closed).toBe(false);
        expect(lastProcessed(cursor)).toBe(drop - 1);
        // The replay after a reconnect fills the gap and completes the stream.
        const replay = receiveAll(cursor, s.slice(drop));
        expect([...delivered, ...replay.deliver]).toEqual(s.map((e) => e.message));
        expect(replay.closedNow).toBe(true);
      }
    }
  });

  it('never delivers after the terminal message, whatever arrives later', () => {
    const s = stream(3);
    const extra: Env[] = [
      { index: 3, message: { event: 'Chunk', data: { text: 'late' } } },
      { index: 4, message: { event: 'Error', data: { message: 'second terminal' } }, terminal: true },
    ];
    for (const order of permutations([...s, ...extra])) {
      const { delivered, closings } = deliverAll(order);
      expect(delivered).toEqual(s.map((e) => e.message));
      expect(closings).toBe(1);
    }
  });

  it('treats Done/Error/Exit as terminal even without the envelope flag', () => {
    for (const order of permutations(stream(4, false))) {
      const { delivered, cursor } = deliverAll(order);
      expect(delivered).toHaveLength(4);
      expect(cursor.closed).toBe(true);
    }
    expect(isTerminal({ message: { event: 'Exit', data: { code: 0, signal: null } } })).toBe(true);
    expect(isTerminal({ message: { event: 'Output', data: {} } })).toBe(false);
    expect(isTerminal({ message: 'plain', terminal: true })).toBe(true);
  });

  it('resumes from a last processed index and ignores what came before it', () => {
    const s = stream(6);
    for (const order of permutations(s.slice(0, 5))) {
      const { delivered } = deliverAll([...order, s[5]], 2);
      expect(delivered).toEqual(s.slice(3).map((e) => e.message));
    }
  });

  it('ignores malformed indices and never mutates its input cursor', () => {
    const cursor = openCursor();
    const r = receive(cursor, { index: 1.5, message: 'x' });
    expect(r.deliver).toEqual([]);
    const r2 = receive(cursor, { index: 1, message: 'y' });
    expect(cursor.held.size).toBe(0);
    expect(r2.cursor.held.size).toBe(1);
  });
});
