// The sidecar stdout frame reader: frames split anywhere, several per read, multi-byte UTF-8,
// bad frames reported without losing the next ones, and the tap that takes channel messages.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Message } from 'vscode-jsonrpc/node';
import { FrameReader } from '../../../src/sidecar/frameReader';

function frame(body: unknown): Buffer {
  const json = Buffer.from(JSON.stringify(body), 'utf8');
  return Buffer.concat([Buffer.from(`Content-Length: ${json.length}\r\n\r\n`, 'ascii'), json]);
}

function harness(tap?: (m: Message) => boolean) {
  const stream = new PassThrough();
  const reader = new FrameReader(stream, tap);
  const got: unknown[] = [];
  const errors: string[] = [];
  let closed = false;
  reader.onError((e) => errors.push(e.message));
  reader.onClose(() => (closed = true));
  reader.listen((m) => got.push(m));
  return { stream, got, errors, isClosed: () => closed };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('FrameReader', () => {
  it('decodes frames split at every byte and several frames in one read', async () => {
    const messages = [
      { jsonrpc: '2.0', id: 1, result: { text: 'héllo ✓ 🦀' } },
      { jsonrpc: '2.0', method: 'log', params: { line: 'x'.repeat(1000) } },
      { jsonrpc: '2.0', id: 2, result: null },
    ];
    const bytes = Buffer.concat(messages.map(frame));
    const { stream, got } = harness();
    for (let i = 0; i < bytes.length; i++) stream.write(bytes.subarray(i, i + 1));
    await tick();
    expect(got).toEqual(messages);

    const again = harness();
    again.stream.write(Buffer.concat([bytes, bytes]));
    await tick();
    expect(again.got).toEqual([...messages, ...messages]);
  });

  it('accepts other headers and any header case', async () => {
    const json = Buffer.from('{"jsonrpc":"2.0","id":3,"result":1}');
    const { stream, got } = harness();
    stream.write(Buffer.concat([Buffer.from(`content-type: application/vscode-jsonrpc; charset=utf-8\r\ncontent-length: ${json.length}\r\n\r\n`), json]));
    await tick();
    expect(got).toEqual([{ jsonrpc: '2.0', id: 3, result: 1 }]);
  });

  it('reports a frame that is not JSON and keeps reading', async () => {
    const { stream, got, errors } = harness();
    stream.write(Buffer.concat([Buffer.from('Content-Length: 5\r\n\r\nnot{}'), frame({ jsonrpc: '2.0', id: 4, result: true })]));
    await tick();
    expect(errors[0]).toMatch(/not JSON/);
    expect(got).toEqual([{ jsonrpc: '2.0', id: 4, result: true }]);
  });

  it('reports a header without Content-Length', async () => {
    const { stream, errors } = harness();
    stream.write(Buffer.from('X-Other: 1\r\n\r\n'));
    await tick();
    expect(errors[0]).toMatch(/no Content-Length/);
  });

  it('gives tapped messages to the tap only', async () => {
    const tapped: Message[] = [];
    const { stream, got } = harness((m) => {
      if ((m as { method?: string }).method !== 'channel') return false;
      tapped.push(m);
      return true;
    });
    stream.write(Buffer.concat([frame({ jsonrpc: '2.0', method: 'channel', params: { id: 1, index: 0, message: 1 } }), frame({ jsonrpc: '2.0', id: 5, result: 0 })]));
    await tick();
    expect(tapped).toHaveLength(1);
    expect(got).toEqual([{ jsonrpc: '2.0', id: 5, result: 0 }]);
  });

  it('decodes a large frame delivered in many reads', async () => {
    const big = { jsonrpc: '2.0', id: 6, result: 'y'.repeat(3_000_000) };
    const bytes = frame(big);
    const { stream, got } = harness();
    for (let i = 0; i < bytes.length; i += 65536) stream.write(bytes.subarray(i, i + 65536));
    await tick();
    expect(got).toEqual([big]);
  });

  it('fires close at the end of the stream', async () => {
    const { stream, isClosed } = harness();
    stream.end();
    await tick();
    expect(isClosed()).toBe(true);
  });
});
