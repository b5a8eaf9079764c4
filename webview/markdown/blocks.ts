// Splits streamed markdown into blocks, incrementally: finished blocks never change (so their HTML
// is rendered once), and only text after the last finished block is scanned again on each chunk.

export interface Block {
  /** Offset of the block in the source; stable, so it serves as the render key. */
  key: number;
  kind: 'markdown' | 'code';
  /** The markdown of the block (kind 'markdown'). */
  text: string;
  /** Code block: language tag and code without fences. */
  lang: string;
  code: string;
  /** False for the last block while the stream may still extend it. */
  closed: boolean;
}

/** Closed blocks are kept in groups of this size; a full group never changes identity. */
export const GROUP_SIZE = 32;

export interface SplitResult {
  /** Closed blocks in groups; all but the last group are full and immutable. */
  groups: Block[][];
  /** The open block at the end (null when the text ends between blocks). */
  tail: Block | null;
  /** Resume point for the next call with a longer version of the same text. */
  state: ScanState;
}

interface ScanState {
  source: string;
  groups: Block[][];
  /** Offset of the next complete line to scan. */
  scanPos: number;
  /** Start of the block being built. */
  blockStart: number;
  mode: 'none' | 'markdown' | 'code';
  fenceChar: string;
  fenceLength: number;
  lang: string;
  /** Offset where the code starts (after the opening fence line). */
  codeStart: number;
  /** The markdown block has had a blank line (a new unindented line starts the next block). */
  sawBlank: boolean;
}

const LIST_ITEM = /^ {0,3}([-*+]|\d{1,9}[.)])[ \t]/;
const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})([^\n]*)$/;

function initial(source: string): ScanState {
  return { source, groups: [], scanPos: 0, blockStart: 0, mode: 'none', fenceChar: '', fenceLength: 0, lang: '', codeStart: 0, sawBlank: false };
}

/** Cheap check that `text` extends the text `state` scanned (streams only append). */
function extendsSource(state: ScanState, text: string): boolean {
  const len = state.source.length;
  if (text.length < len) return false;
  const from = Math.max(0, state.scanPos - 256);
  return text.slice(from, state.scanPos) === state.source.slice(from, state.scanPos);
}

function pushClosed(groups: Block[][], block: Block): Block[][] {
  const last = groups[groups.length - 1];
  if (!last || last.length >= GROUP_SIZE) return [...groups, [block]];
  return [...groups.slice(0, -1), [...last, block]];
}

function markdownBlock(source: string, start: number, end: number, closed: boolean): Block {
  return { key: start, kind: 'markdown', text: source.slice(start, end), lang: '', code: '', closed };
}

/** Splits `text`; pass the previous result's `state` when `text` is the same stream grown longer. */
export function splitBlocks(text: string, previous?: ScanState): SplitResult {
  const s: ScanState = previous && extendsSource(previous, text) ? { ...previous, source: text } : initial(text);
  let groups = s.groups;
  let pos = s.scanPos;
  while (true) {
    const newline = text.indexOf('\n', pos);
    if (newline < 0) break;
    const line = text.slice(pos, newline);
    const lineEnd = newline + 1;
    if (s.mode === 'code') {
      const trimmed = line.trim();
      const indent = line.length - line.trimStart().length;
      if (indent <= 3 && trimmed.length >= s.fenceLength && /^(`+|~+)$/.test(trimmed) && trimmed[0] === s.fenceChar) {
        groups = pushClosed(groups, { key: s.blockStart, kind: 'code', text: text.slice(s.blockStart, lineEnd), lang: s.lang, code: text.slice(s.codeStart, Math.max(s.codeStart, pos - 1)), closed: true });
        s.mode = 'none';
        s.blockStart = lineEnd;
      }
      pos = lineEnd;
      continue;
    }
    const fence = FENCE_OPEN.exec(line);
    if (fence && !(fence[1][0] === '`' && fence[2].includes('`'))) {
      if (s.mode === 'markdown') groups = pushClosed(groups, markdownBlock(text, s.blockStart, pos, true));
      s.mode = 'code';
      s.blockStart = pos;
      s.fenceChar = fence[1][0];
      s.fenceLength = fence[1].length;
      s.lang = fence[2].trim().split(/\s+/)[0] ?? '';
      s.codeStart = lineEnd;
      pos = lineEnd;
      continue;
    }
    const blank = line.trim().length === 0;
    if (blank) {
      if (s.mode === 'markdown') s.sawBlank = true;
      else s.blockStart = lineEnd;
    } else if (s.mode === 'none') {
      s.mode = 'markdown';
      s.blockStart = pos;
      s.sawBlank = false;
    } else {
      // A blank line then an unindented line starts a new block, except a list going on.
      const listGoesOn = LIST_ITEM.test(line) && LIST_ITEM.test(text.slice(s.blockStart, text.indexOf('\n', s.blockStart)));
      if (s.sawBlank && !/^[ \t]/.test(line) && !listGoesOn) {
        groups = pushClosed(groups, markdownBlock(text, s.blockStart, pos, true));
        s.blockStart = pos;
      }
      s.sawBlank = false;
    }
    pos = lineEnd;
  }
  s.groups = groups;
  s.scanPos = pos;
  let tail: Block | null = null;
  if (s.mode === 'code') {
    const codeEnd = Math.max(s.codeStart, text.length);
    tail = { key: s.blockStart, kind: 'code', text: text.slice(s.blockStart), lang: s.lang, code: text.slice(Math.min(s.codeStart, text.length), codeEnd).replace(/\n$/, ''), closed: false };
  } else if (text.slice(s.blockStart).trim().length > 0) {
    tail = markdownBlock(text, s.blockStart, text.length, false);
  }
  return { groups, tail, state: s };
}

/** All blocks of a finished text, with the tail closed (for messages that are not streaming). */
export function finishedBlocks(text: string): Block[] {
  const { groups, tail } = splitBlocks(text.endsWith('\n') ? text : `${text}\n`);
  const blocks = groups.flat();
  if (tail) blocks.push({ ...tail, closed: true });
  return blocks;
}
