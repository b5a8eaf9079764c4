// Replays a recorded provider response body, byte for byte, for the fake provider: the streams
// recorded from a real llama.cpp server (test/fixtures/real-streams/*.sse) and the Ollama streams
// written from Ollama's documented wire format (test/fixtures/ollama/*.ndjson). Tests thereby
// cover what real servers send — repeated tool-call names, legacy function_call deltas, no usage,
// an empty 200 — without running one.
//
// A script entry `{ replay: "<path under test/fixtures/>", replayStatus?, replayPieces?, delayMs? }`
// answers with the file's bytes: HTTP `replayStatus` (default 200), a content type from the
// extension (.sse: text/event-stream, .ndjson: application/x-ndjson, .json: application/json),
// written in pieces the way the server wrote them (an SSE event or an NDJSON line per write,
// `delayMs` apart; `replayPieces: "whole"` writes it at once). An empty file answers an empty body.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures');

const TYPES = { '.sse': 'text/event-stream', '.ndjson': 'application/x-ndjson', '.json': 'application/json' };

/** Reads a fixture by its path under test/fixtures/, refusing paths that leave that folder. */
export async function readFixture(name) {
  const file = path.resolve(FIXTURES, name);
  if (!file.startsWith(FIXTURES + path.sep)) throw new Error(`replay: ${name} is outside test/fixtures/`);
  return readFile(file);
}

/** Splits a body into the pieces a server wrote: SSE events (ending in a blank line) or lines. */
export function piecesOf(body, extension) {
  const text = body.toString('utf8');
  if (text.length === 0) return [];
  const separator = extension === '.sse' ? '\n\n' : '\n';
  const pieces = [];
  let start = 0;
  for (let at = text.indexOf(separator); at >= 0; at = text.indexOf(separator, start)) {
    pieces.push(text.slice(start, at + separator.length));
    start = at + separator.length;
  }
  if (start < text.length) pieces.push(text.slice(start));
  return pieces;
}

/** Answers `res` with the fixture an entry names. */
export async function replay(res, entry) {
  const body = await readFixture(entry.replay);
  const extension = path.extname(entry.replay);
  res.writeHead(entry.replayStatus ?? 200, { 'content-type': TYPES[extension] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
  if (entry.replayPieces === 'whole' || body.length === 0) {
    res.end(body);
    return;
  }
  for (const piece of piecesOf(body, extension)) {
    if (res.destroyed) return;
    res.write(piece);
    if (entry.delayMs) await new Promise((resolve) => setTimeout(resolve, entry.delayMs));
  }
  res.end();
}
