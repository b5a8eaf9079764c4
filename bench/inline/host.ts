// bench/inline, the part that runs inside the extension host (through the host-tests extension):
// "Generate Code Here" through the Prototyper extension's own inline controller — the release
// sidecar streaming from the fake provider at 25 tokens per 16 ms, the host's relay, the session's
// filter, edits and decorations, a real TextDocument in a real editor — into documents of 1,000
// and 10,000 lines. Measures on the extension host's thread: the work per chunk, the longest
// stall of its event loop, and the time from a chunk's arrival from the sidecar to its text being
// in the document.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as vscode from 'vscode';
import type { PrototyperApi } from '../../src/extension';
import { openEditor } from '../../test/e2e/host/harness';

export interface RunFigures {
  lines: number;
  chunks: number;
  tokens: number;
  /** Extension-host thread time per chunk: its handling plus the edit work it caused (ms). */
  perChunk: { p50: number; p99: number; max: number };
  /** The event loop's longest delay during the stream (ms). */
  longestStall: number;
  /** From a chunk's arrival from the sidecar to its text being in the document (ms). */
  toDocument: { p50: number; p99: number; max: number };
  /** The part of that spent before the edit carrying the chunk was sent (waiting for the one in flight). */
  queued: { p50: number; p99: number; max: number };
  seconds: number;
  inserted: number;
  /** Each edit's round trip to the window (ms), and how many edits carried the stream. */
  editRoundTrip: { p50: number; p99: number; max: number };
  edits: number;
  /** Edits whose change event was not recognised as the session's own (should be 0). */
  unrecognised: number;
  /** Edits VS Code refused because the document had changed (retried). */
  refused: number;
  /** Characters of the answer received. */
  received: number;
  /** How the stream ended: `review` (all of it arrived), or why the session ended early. */
  ending: string;
}

export const SIZES = [1_000, 10_000];
/**
 * Plain text: the figures are the inline path's, not those of language extensions reacting to
 * every change of a 10,000-line file (TypeScript's would run on the same thread).
 */
export const LANGUAGE = 'plaintext';
const EXTENSION_ID = 'prototyper.prototyper-vscode';

export interface Floor {
  lines: number;
  /** One character at a line out of view. */
  p50: number;
  p99: number;
  /** Short inserts at the cursor in the middle of the view, as a stream's edits are. */
  atCursor: { p50: number; p99: number };
}

export async function runInlineBench(): Promise<{ warmup: RunFigures; runs: RunFigures[]; floor: Floor[] }> {
  const extension = vscode.extensions.getExtension<PrototyperApi>(EXTENSION_ID);
  if (!extension) throw new Error(`${EXTENSION_ID} is not installed`);
  const api = await extension.activate();
  await api.supervisor.start();
  // The first run warms the JIT and the connection; its figures are not the result.
  const warmup = await run(api, 200);
  const runs: RunFigures[] = [];
  const floor: Floor[] = [];
  for (const lines of SIZES) {
    floor.push({ lines, ...(await editFloor(lines)), atCursor: await editFloorAtCursor(lines) });
    runs.push(await run(api, lines));
  }
  return { warmup, runs, floor };
}

/**
 * The floor under any streaming applier: one-character edits through `TextEditor.edit`, each
 * awaited, in a document of `lines` lines — VS Code's own round trip to the window and back.
 */
async function editFloor(lines: number): Promise<{ p50: number; p99: number }> {
  const editor = await openEditor(documentOf(lines), LANGUAGE);
  const at = new vscode.Position(Math.floor(lines / 2), 0);
  const times: number[] = [];
  for (let i = 0; i < 60; i++) {
    const started = performance.now();
    await editor.edit((builder) => builder.insert(at, 'x'), { undoStopBefore: false, undoStopAfter: false });
    times.push(performance.now() - started);
  }
  await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  const { p50, p99 } = summary(times.slice(10));
  return { p50, p99 };
}

/**
 * The same round trip for edits like a stream's: a few characters at a time (a line break every
 * twelfth) inserted at the cursor, in view in the middle of the editor — VS Code then also moves
 * the cursor, tells the extension host and renders the changed lines.
 */
async function editFloorAtCursor(lines: number): Promise<{ p50: number; p99: number }> {
  const editor = await openEditor(documentOf(lines), LANGUAGE);
  const cursor = new vscode.Position(Math.floor(lines / 2), 0);
  editor.selection = new vscode.Selection(cursor, cursor);
  editor.revealRange(new vscode.Range(cursor, cursor), vscode.TextEditorRevealType.InCenter);
  const times: number[] = [];
  for (let i = 0; i < 60; i++) {
    const at = editor.selection.active;
    const started = performance.now();
    await editor.edit((builder) => builder.insert(at, i % 12 === 11 ? ');\n' : 'value '), { undoStopBefore: false, undoStopAfter: false });
    times.push(performance.now() - started);
  }
  await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  const { p50, p99 } = summary(times.slice(10));
  return { p50, p99 };
}

function documentOf(lines: number): string {
  const out: string[] = [];
  for (let i = 0; i < lines; i++) out.push(i === Math.floor(lines / 2) ? '' : `export const value${i} = compute(${i}, ${i % 7}); // line ${i}`);
  return out.join('\n') + '\n';
}

async function run(api: PrototyperApi, lines: number): Promise<RunFigures> {
  const editor = await openEditor(documentOf(lines), LANGUAGE);
  const cursor = new vscode.Position(Math.floor(lines / 2), 0);
  editor.selection = new vscode.Selection(cursor, cursor);
  editor.revealRange(new vscode.Range(cursor, cursor), vscode.TextEditorRevealType.InCenter);

  const chunks: Array<{ receivedAt: number; end: number; work: number; inAt?: number }> = [];
  let received = 0;
  const edits: number[] = [];
  /** When each edit was sent. */
  const editsSentAt: number[] = [];
  let unrecognised = 0;
  let refused = 0;
  const userChanges: string[] = [];
  const delay = monitorEventLoopDelay({ resolution: 1 });
  let finished!: () => void;
  const done = new Promise<void>((resolve) => (finished = resolve));
  const started = performance.now();
  delay.enable();
  const session = await api.inline.generateHere(editor, {
    instruction: '',
    probe: {
      chunkHandled(receivedAt, handlingMs, upTo) {
        chunks.push({ receivedAt, end: upTo, work: handlingMs });
        received = upTo;
      },
      slice(ms) {
        // Edit follow-ups are charged to the newest chunk (the most conservative attribution).
        const last = chunks[chunks.length - 1];
        if (last) last.work += ms;
      },
      edit(ms, ok, own) {
        edits.push(ms);
        editsSentAt.push(performance.now() - ms);
        if (!ok) refused++;
        else if (!own) unrecognised++;
      },
      userChange(inside) {
        userChanges.push(inside ? 'inside' : 'outside');
      },
      applied(upTo, at) {
        for (const chunk of chunks) if (chunk.inAt === undefined && chunk.end <= upTo) chunk.inAt = at;
      },
    },
  });
  if (!session) throw new Error('the inline session did not start (is a model configured?)');
  let ending = 'review';
  session.onDidChange(() => session.state === 'review' && finished());
  let reviewed = false;
  session.onDidChange(() => (reviewed ||= session.state === 'review'));
  session.onDidEnd((outcome) => {
    if (!reviewed) ending = `ended: ${outcome.reason ?? 'settled'}`;
    finished();
  });
  await done;
  delay.disable();
  const seconds = (performance.now() - started) / 1000;
  const inserted = editor.document.getText().length - documentOf(lines).length;
  await session.rejectAll();
  await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');

  const work = chunks.map((c) => c.work);
  const toDocument = chunks.filter((c) => c.inAt !== undefined).map((c) => c.inAt! - c.receivedAt);
  // A chunk goes out with the first edit sent after it arrived.
  const queued = chunks
    .filter((c) => c.inAt !== undefined)
    .map((c) => {
      const sent = editsSentAt.find((at) => at >= c.receivedAt);
      return sent === undefined ? NaN : Math.min(sent, c.inAt!) - c.receivedAt;
    })
    .filter(Number.isFinite);
  return {
    lines,
    chunks: chunks.length,
    tokens: Math.round(received / 4),
    perChunk: summary(work),
    longestStall: delay.max / 1e6,
    toDocument: summary(toDocument),
    queued: summary(queued),
    seconds,
    inserted,
    editRoundTrip: summary(edits),
    edits: edits.length,
    unrecognised,
    refused,
    received,
    ending: userChanges.length ? `${ending} (changes not its own: ${userChanges.join(', ')})` : ending,
  };
}

function summary(values: number[]): { p50: number; p99: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN);
  return { p50: at(50), p99: at(99), max: sorted[sorted.length - 1] ?? NaN };
}
