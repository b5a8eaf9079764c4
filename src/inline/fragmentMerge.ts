// Where a code block from the chat belongs in a file. A block that restates most of the file is
// the whole file; otherwise it is a fragment (a function, a changed region) placed by its own
// anchors: its first and last lines (or the ones near them) found in the file, the span between
// them that differs least from the block. A fragment that fits two places equally, or none, is
// left to the model, whose search/replace blocks are read and applied here too. Pure, no `vscode`.
import { diffArrays } from 'diff';
import { indentationOf, reindentLine } from './codeFilter';

export type Placement =
  | { kind: 'whole' }
  /** Replace file lines [start, end) with `lines` (the block, re-indented to its place). */
  | { kind: 'region'; start: number; end: number; lines: string[] }
  | { kind: 'ambiguous'; starts: number[] }
  | { kind: 'nowhere'; reason: string };

/** How many of the block's first (and last) lines may serve as its anchors. */
const ANCHOR_LINES = 3;
/** A region may be this much longer than the block (lines the fragment drops), plus some slack. */
const STRETCH = 2;
const SLACK = 20;
/** Two places whose differences from the block are this close are a tie. */
const TIE_MARGIN = 1;
/** "… existing code …" marker lines that models put around (or inside) a fragment. */
const ELISION = /^\s*(\/\/|#|--|\/\*|<!--|;|\*)?\s*(\.\.\.|…)|\b(existing code|rest of (the )?(file|code|function|class)|unchanged|remains the same)\b/i;

const key = (line: string) => line.trim();

/** Where `block` goes in `file` (both as lines). */
export function placeFragment(file: readonly string[], block: readonly string[]): Placement {
  let lines = trimBlank([...block]);
  while (lines.length > 0 && isElision(lines[0])) lines = trimBlank(lines.slice(1));
  while (lines.length > 0 && isElision(lines[lines.length - 1])) lines = trimBlank(lines.slice(0, -1));
  if (lines.length === 0) return { kind: 'nowhere', reason: 'the block is empty' };
  const fileKeys = file.map(key);
  const fileWords = fileKeys.filter(Boolean);
  if (fileWords.length === 0) return { kind: 'whole' };
  const blockKeys = lines.map(key);
  const blockWords = blockKeys.filter(Boolean);
  const shared = common(fileWords, blockWords);
  if (shared >= 0.8 * fileWords.length) return { kind: 'whole' };
  if (lines.some(isElision)) return { kind: 'nowhere', reason: 'the block leaves parts out ("… existing code …")' };

  const starts = anchorPositions(fileKeys, blockKeys, 'start');
  const ends = anchorPositions(fileKeys, blockKeys, 'end');
  const maxSpan = STRETCH * lines.length + SLACK;
  const candidates: Array<{ start: number; end: number; distance: number }> = [];
  for (const start of starts) {
    for (const last of ends) {
      if (last < start || last - start + 1 > maxSpan) continue;
      const region = fileKeys.slice(start, last + 1);
      const matched = common(region, blockKeys);
      if (matched < Math.ceil(0.5 * blockWords.length)) continue;
      candidates.push({ start, end: last + 1, distance: region.length - matched + (blockKeys.length - matched) });
    }
  }
  if (candidates.length === 0) return { kind: 'nowhere', reason: "none of the block's first or last lines are in the file" };
  const best = candidates.reduce((a, b) => (b.distance < a.distance ? b : a));
  // Another place that fits (almost) as well, elsewhere in the file: a guess either way.
  const rivals = candidates.filter((c) => !overlaps(best, c.start, c.end) && c.distance <= best.distance + TIE_MARGIN);
  if (rivals.length > 0) {
    const starts = new Set([best.start, ...rivals.map((c) => c.start)]);
    return { kind: 'ambiguous', starts: [...starts].sort((a, b) => a - b) };
  }
  const firstOld = file.slice(best.start, best.end).find((line) => line.trim() !== '') ?? '';
  const firstNew = lines.find((line) => line.trim() !== '') ?? '';
  const from = indentationOf(firstNew);
  const to = indentationOf(firstOld);
  return { kind: 'region', start: best.start, end: best.end, lines: lines.map((line) => reindentLine(line, from, to)) };
}

function overlaps(region: { start: number; end: number }, start: number, end: number): boolean {
  return start < region.end && end > region.start;
}

function isElision(line: string): boolean {
  const text = line.trim();
  return text.length > 0 && text.length < 80 && ELISION.test(text) && !/[;{}()=]/.test(text.replace(/^\/\*|\*\/$/g, ''));
}

function trimBlank(lines: string[]): string[] {
  let from = 0;
  let to = lines.length;
  while (from < to && lines[from].trim() === '') from++;
  while (to > from && lines[to - 1].trim() === '') to--;
  return lines.slice(from, to);
}

/** Lines both sequences share, in order (the diff's unchanged lines). */
function common(a: readonly string[], b: readonly string[]): number {
  let n = 0;
  for (const change of diffArrays(a as string[], b as string[])) if (!change.added && !change.removed) n += change.value.filter(Boolean).length;
  return n;
}

/**
 * Candidate first (or last) file lines of the region: where one of the block's first (last) few
 * non-blank lines occurs, shifted by that line's distance from the block's start (end).
 */
function anchorPositions(fileKeys: readonly string[], blockKeys: readonly string[], side: 'start' | 'end'): number[] {
  const found = new Set<number>();
  const order = blockKeys.map((_, i) => (side === 'start' ? i : blockKeys.length - 1 - i));
  let used = 0;
  for (const i of order) {
    if (!blockKeys[i]) continue;
    if (used++ >= ANCHOR_LINES) break;
    fileKeys.forEach((line, at) => {
      if (line !== blockKeys[i]) return;
      const position = side === 'start' ? at - i : at + (blockKeys.length - 1 - i);
      if (position >= 0 && position < fileKeys.length) found.add(position);
    });
  }
  return [...found].sort((a, b) => a - b);
}

// ---- search/replace answers -----------------------------------------------------------------

export interface SearchReplace {
  search: string[];
  replace: string[];
  /** The closing marker arrived. */
  complete: boolean;
}

const SEARCH = /^\s*<{5,9}\s*SEARCH\s*$/;
const DIVIDER = /^\s*={5,9}\s*$/;
const REPLACE = /^\s*>{5,9}\s*REPLACE\s*$/;

/** Whether an answer (so far) speaks in search/replace blocks: its first marker line arrived. */
export function isSearchReplace(text: string): boolean {
  return text.split('\n').some((line) => SEARCH.test(line));
}

/** The blocks of an answer so far; the last may be incomplete. Lines outside blocks are ignored. */
export function parseSearchReplace(text: string): SearchReplace[] {
  const blocks: SearchReplace[] = [];
  let current: SearchReplace | undefined;
  let part: 'search' | 'replace' = 'search';
  const lines = text.split('\n');
  // After the last line break: nothing, or a line still arriving. Only whole lines count.
  lines.pop();
  for (const raw of lines) {
    const line = raw.replace(/\r$/, '');
    if (SEARCH.test(line)) {
      current = { search: [], replace: [], complete: false };
      blocks.push(current);
      part = 'search';
    } else if (current && !current.complete && part === 'search' && DIVIDER.test(line)) {
      part = 'replace';
    } else if (current && !current.complete && part === 'replace' && REPLACE.test(line)) {
      current.complete = true;
    } else if (current && !current.complete) {
      (part === 'search' ? current.search : current.replace).push(line);
    }
  }
  return blocks;
}

export interface AppliedBlocks {
  lines: string[];
  /** Blocks that could not be placed: their index and why. */
  failed: Array<{ index: number; reason: string }>;
}

/**
 * Applies the complete blocks in order: each search text must occur exactly once (compared line
 * by line, else ignoring indentation); an empty search appends. Others are reported, not guessed.
 */
export function applySearchReplace(file: readonly string[], blocks: readonly SearchReplace[]): AppliedBlocks {
  let lines = [...file];
  const failed: AppliedBlocks['failed'] = [];
  blocks.forEach((block, index) => {
    if (!block.complete) return;
    const search = trimBlank(block.search);
    if (search.length === 0) {
      lines = [...lines, ...block.replace];
      return;
    }
    let at = occurrences(lines, search, (a, b) => a === b);
    if (at.length === 0) at = occurrences(lines, search, (a, b) => a.trim() === b.trim());
    if (at.length !== 1) {
      failed.push({ index, reason: at.length === 0 ? 'its search text is not in the file' : `its search text is in the file ${at.length} times` });
      return;
    }
    const start = at[0];
    const from = indentationOf(search.find((l) => l.trim()) ?? '');
    const to = indentationOf(lines.slice(start, start + search.length).find((l) => l.trim()) ?? '');
    lines = [...lines.slice(0, start), ...block.replace.map((line) => reindentLine(line, from, to)), ...lines.slice(start + search.length)];
  });
  return { lines, failed };
}

function occurrences(lines: readonly string[], search: readonly string[], same: (a: string, b: string) => boolean): number[] {
  const found: number[] = [];
  for (let i = 0; i + search.length <= lines.length; i++) {
    let j = 0;
    while (j < search.length && same(lines[i + j], search[j])) j++;
    if (j === search.length) found.push(i);
  }
  return found;
}
