// The line diff an inline session shows: rows of unchanged, removed and added lines grouped into
// hunks (the `diff` package's Myers diff), how the rows look once some hunks are accepted or
// rejected, and the text that results. While an answer streams in, the old lines after the last
// one it matched are "pending" (not reached yet) rather than removed. Pure, no `vscode`.
import { diffArrays } from 'diff';

export type RowKind = 'same' | 'removed' | 'added' | 'pending';

export interface Row {
  kind: RowKind;
  text: string;
  /** The hunk a removed or added row belongs to; -1 for the rest. */
  hunk: number;
}

export interface Hunk {
  index: number;
  /** Where the hunk's old lines start, as an index into the old lines. */
  oldStart: number;
  oldLines: string[];
  newLines: string[];
}

export interface DiffView {
  rows: Row[];
  hunks: Hunk[];
}

export type Decision = 'accepted' | 'rejected';

/**
 * `oldLines` against `newLines`. With `streaming`, `newLines` is the start of an answer still
 * arriving: old lines after its last match are pending, not removed.
 */
export function diffView(oldLines: readonly string[], newLines: readonly string[], streaming: boolean): DiffView {
  const changes = diffArrays(oldLines as string[], newLines as string[]);
  let lastCommon = -1;
  if (streaming) changes.forEach((change, i) => !change.added && !change.removed && (lastCommon = i));
  const rows: Row[] = [];
  const hunks: Hunk[] = [];
  const pending: Row[] = [];
  let oldIndex = 0;
  let open: Hunk | undefined;
  let removedRows: Row[] = [];
  let addedRows: Row[] = [];
  const close = () => {
    if (!open) return;
    rows.push(...removedRows, ...addedRows);
    hunks.push(open);
    open = undefined;
    removedRows = [];
    addedRows = [];
  };
  changes.forEach((change, i) => {
    const lines = change.value;
    if (!change.added && !change.removed) {
      close();
      for (const text of lines) rows.push({ kind: 'same', text, hunk: -1 });
      oldIndex += lines.length;
      return;
    }
    if (change.removed && streaming && i > lastCommon) {
      for (const text of lines) pending.push({ kind: 'pending', text, hunk: -1 });
      oldIndex += lines.length;
      return;
    }
    open ??= { index: hunks.length, oldStart: oldIndex, oldLines: [], newLines: [] };
    if (change.removed) {
      open.oldLines.push(...lines);
      for (const text of lines) removedRows.push({ kind: 'removed', text, hunk: open.index });
      oldIndex += lines.length;
    } else {
      open.newLines.push(...lines);
      for (const text of lines) addedRows.push({ kind: 'added', text, hunk: open.index });
    }
  });
  close();
  rows.push(...pending);
  return { rows, hunks };
}

/**
 * The rows as the document shows them: a decided hunk keeps only the lines of its choice (as
 * unchanged rows), and `frontier` — the answer's line still arriving — goes before the pending rows.
 */
export function shownRows(view: DiffView, decisions: ReadonlyMap<number, Decision>, frontier?: string): Row[] {
  const out: Row[] = [];
  for (const row of view.rows) {
    if (row.kind === 'pending' && frontier !== undefined) {
      out.push({ kind: 'added', text: frontier, hunk: -1 });
      frontier = undefined;
    }
    const decision = row.hunk >= 0 ? decisions.get(row.hunk) : undefined;
    if (!decision) out.push(row);
    else if ((decision === 'accepted') === (row.kind === 'added')) out.push({ kind: 'same', text: row.text, hunk: -1 });
  }
  if (frontier !== undefined) out.push({ kind: 'added', text: frontier, hunk: -1 });
  return out;
}

/** The region's text lines once every hunk is settled: accepted ones new, all others old. */
export function resolvedLines(view: DiffView, accepted: (hunk: number) => boolean): string[] {
  const out: string[] = [];
  for (const row of view.rows) {
    if (row.kind === 'same' || row.kind === 'pending') out.push(row.text);
    else if ((row.kind === 'added') === accepted(row.hunk)) out.push(row.text);
  }
  return out;
}

/**
 * The smallest single replacement turning `current` into `wanted` (line arrays): the lines in
 * between their common start and end. Undefined when they are equal.
 */
export function lineSplice(current: readonly string[], wanted: readonly string[]): { start: number; deleteCount: number; insert: string[] } | undefined {
  let start = 0;
  const shorter = Math.min(current.length, wanted.length);
  while (start < shorter && current[start] === wanted[start]) start++;
  if (start === current.length && start === wanted.length) return undefined;
  let tail = 0;
  while (tail < shorter - start && current[current.length - 1 - tail] === wanted[wanted.length - 1 - tail]) tail++;
  return { start, deleteCount: current.length - start - tail, insert: wanted.slice(start, wanted.length - tail) };
}

/** The few facts about a document that `replaceLines` needs (so it can be tested on plain data). */
export interface LineSource {
  lineCount: number;
  lineLength(line: number): number;
  eol: string;
}

/**
 * The replacement that makes document lines [`first`, `first + count`) become `lines`, line breaks
 * included, also at the end of a document without a final line break.
 */
export function replaceLines(source: LineSource, first: number, count: number, lines: readonly string[]): { start: [number, number]; end: [number, number]; text: string } {
  const { lineCount, eol } = source;
  const last = lineCount - 1;
  if (first + count <= last) {
    return { start: [first, 0], end: [first + count, 0], text: lines.map((line) => line + eol).join('') };
  }
  // The replaced lines run to the end of the document.
  if (first > last) {
    // Appending after the last line.
    return { start: [last, source.lineLength(last)], end: [last, source.lineLength(last)], text: lines.length ? eol + lines.join(eol) : '' };
  }
  if (lines.length > 0) return { start: [first, 0], end: [last, source.lineLength(last)], text: lines.join(eol) };
  // Removing the last lines also removes the line break before them.
  if (first === 0) return { start: [0, 0], end: [last, source.lineLength(last)], text: '' };
  return { start: [first - 1, source.lineLength(first - 1)], end: [last, source.lineLength(last)], text: '' };
}
