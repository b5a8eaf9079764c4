// Keeping an inline session's place while the user edits the same document: where a change of
// theirs falls relative to the session's lines (before them, after them, or inside), and how a
// position moves through a change. Works on plain {line, character} values, so the same code runs
// on VS Code's change events and in unit tests. Pure, no `vscode`.

export interface Pos {
  line: number;
  character: number;
}

/** One replacement, as in `TextDocumentContentChangeEvent`: the range it replaced, and its text. */
export interface Change {
  range: { start: Pos; end: Pos };
  text: string;
}

export function compare(a: Pos, b: Pos): number {
  return a.line - b.line || a.character - b.character;
}

/** How many lines a change adds (negative: removes). */
export function lineDelta(change: Change): number {
  return countBreaks(change.text) - (change.range.end.line - change.range.start.line);
}

function countBreaks(text: string): number {
  let n = 0;
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) n++;
  return n;
}

/**
 * Where `position` is after `change`. A position inside the replaced range goes to the start of
 * the new text; one exactly at an insertion point stays before the inserted text (`'left'`) or
 * moves after it (`'right'`).
 */
export function movePosition(position: Pos, change: Change, gravity: 'left' | 'right'): Pos {
  const { start, end } = change.range;
  if (compare(position, start) < 0) return position;
  if (compare(position, start) === 0 && (gravity === 'left' || compare(start, end) !== 0)) return position;
  if (compare(position, end) < 0) return start;
  const breaks = countBreaks(change.text);
  const endOfText = endOfInserted(start, change.text);
  if (position.line > end.line) return { line: position.line + breaks - (end.line - start.line), character: position.character };
  return { line: endOfText.line, character: endOfText.character + (position.character - end.character) };
}

/**
 * Where `text` ends once inserted at `start` (line breaks "\n" or "\r\n"): worked out from the
 * text alone, so following a streamed insertion costs the chunk's length, not the document's.
 */
export function endOfInserted(start: Pos, text: string): Pos {
  const lastBreak = text.lastIndexOf('\n');
  if (lastBreak < 0) return { line: start.line, character: start.character + text.length };
  return { line: start.line + countBreaks(text), character: text.length - lastBreak - 1 };
}

export type Placement = { where: 'before'; lineDelta: number } | { where: 'after' } | { where: 'inside' };

/**
 * Where a change falls relative to whole lines [`first`, `first + count`) of a session: before them
 * (they move down or up by `lineDelta`), after them (nothing moves), or inside (it touches their
 * text). Whole lines inserted right above them, or a line break typed at the end of the last one
 * (`lastLineLength` is its length), are outside.
 */
export function placeAgainstLines(change: Change, first: number, count: number, lastLineLength = -1): Placement {
  const { start, end } = change.range;
  const keepsFirstLine = change.text === '' || change.text.endsWith('\n');
  if (end.line < first || (end.line === first && end.character === 0 && keepsFirstLine)) return { where: 'before', lineDelta: lineDelta(change) };
  if (start.line >= first + count) return { where: 'after' };
  const atLastLineEnd = count > 0 && start.line === first + count - 1 && start.character === lastLineLength && compare(start, end) === 0;
  if (atLastLineEnd && change.text.startsWith('\n')) return { where: 'after' };
  return { where: 'inside' };
}

/**
 * Where a change falls relative to a character range [`start`, `end`) (an insertion): before it
 * (touching its start counts), after it (touching its end counts), or inside.
 */
export function placeAgainstRange(change: Change, start: Pos, end: Pos): 'before' | 'after' | 'inside' {
  const { start: from, end: to } = change.range;
  if (compare(to, start) <= 0) return 'before';
  if (compare(from, end) >= 0) return 'after';
  return 'inside';
}
