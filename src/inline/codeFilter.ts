// Turns a model's streamed answer into the code that goes into the editor, as it arrives: the
// inside of the first fenced block (fences dropped), or raw code when the model answered without
// fences (fill-in-the-middle models do); a `<think>` block first is skipped; sentences around the
// code are collected as prose for a notification instead of being inserted. Pure, no `vscode`.
//
// Streaming rules: text is released as soon as it cannot turn out to be a fence or prose — the
// first line waits until it is whole (it decides between fenced, prose and raw), a line that may
// still become a closing fence waits for its end, and the line break after the last line is held
// back (so the code never ends with the block's final newline).

export interface CodeFilterOptions {
  /**
   * Whether the answer may open with prose ("Sure! Here is…"). Off where sentences are what the
   * user asked for: a completion inside a comment or a string.
   */
  detectProse: boolean;
}

export interface FilterEnd {
  /** Code released by this last call. */
  code: string;
  /** Everything that was not code, trimmed ("" when none). */
  prose: string;
}

type Phase = 'start' | 'thinking' | 'prose' | 'fenced' | 'raw' | 'after';

const FENCE_OPEN = /^\s*(`{3,}|~{3,})[^`]*$/;

export class CodeFilter {
  private phase: Phase = 'start';
  /** The current line, not yet ended by a line break. */
  private line = '';
  /** How much of `line` was already released. */
  private released = 0;
  /** A line break is owed before the next released text. */
  private owedBreak = false;
  /** Blank lines before the first decision: code in a raw answer, dropped before a fence. */
  private leadingBlanks = 0;
  private fence = '';
  private readonly proseLines: string[] = [];
  private decidedFenced: boolean | undefined;

  constructor(private readonly options: CodeFilterOptions) {}

  /** True once the code was found inside a fence, false once it is raw; undefined before. */
  get fenced(): boolean | undefined {
    return this.decidedFenced;
  }

  /** Feeds streamed text; returns the code it releases. */
  push(text: string): string {
    let out = '';
    let rest = text;
    for (;;) {
      const at = rest.indexOf('\n');
      if (at < 0) {
        this.line += rest;
        return out + this.partial();
      }
      this.line += rest.slice(0, at).replace(/\r$/, '');
      rest = rest.slice(at + 1);
      out += this.completeLine();
    }
  }

  /** The stream ended: releases what was held, except a dangling fence and the last line break. */
  end(): FilterEnd {
    let code = '';
    if (this.line.length > 0 || this.released > 0) code = this.completeLine(true);
    return { code, prose: this.prose };
  }

  /** Prose collected so far, paragraphs separated by one blank line. */
  get prose(): string {
    return this.proseLines.join('\n').replace(/\n\s*\n(\s*\n)*/g, '\n\n').trim();
  }

  private partial(): string {
    const line = this.line;
    let out = '';
    if (this.phase === 'start') {
      // A first line that can open neither a fence nor a sentence is raw code at once: only a
      // line that may still be prose waits for its end.
      const trimmed = line.trimStart();
      const undecided = /^[`~<]/.test(trimmed) || (this.options.detectProse && mayBeProse(trimmed));
      if (trimmed.length > 0 && !undecided) {
        this.decide('raw');
        out = this.releaseLeadingBlanks();
      }
    }
    if (this.phase !== 'fenced' && this.phase !== 'raw') return out;
    // Still possibly a (closing) fence: wait for the rest of the line.
    if (/^\s*[`~]*$/.test(line)) return out;
    return out + this.release(line.slice(this.released), false);
  }

  private completeLine(atEnd = false): string {
    const line = this.line;
    const unreleased = line.slice(this.released);
    const wasReleased = this.released > 0;
    this.line = '';
    this.released = 0;
    switch (this.phase) {
      case 'start':
        if (line.trim() === '') {
          this.leadingBlanks++;
          return '';
        }
        if (line.trimStart().startsWith('<think>')) {
          this.phase = 'thinking';
          return this.afterThinking(line);
        }
        if (FENCE_OPEN.test(line)) {
          this.openFence(line);
          return '';
        }
        if (this.options.detectProse && looksLikeProse(line)) {
          this.phase = 'prose';
          this.proseLines.push(line);
          return '';
        }
        this.decide('raw');
        return this.emitLine(line, atEnd);
      case 'thinking':
        return this.afterThinking(line);
      case 'prose':
        if (FENCE_OPEN.test(line)) {
          this.openFence(line);
          return '';
        }
        if (line.trim() === '' || looksLikeProse(line)) {
          this.proseLines.push(line);
          return '';
        }
        this.decide('raw');
        return this.emitLine(line, atEnd);
      case 'fenced':
        if (atEnd && !wasReleased && /^\s*[`~]+\s*$/.test(line)) return '';
        if (!wasReleased && isClosingFence(line, this.fence)) {
          this.phase = 'after';
          return '';
        }
        return this.emitRest(unreleased, wasReleased, atEnd);
      case 'raw':
        if (atEnd && !wasReleased && /^\s*[`~]+\s*$/.test(line)) return '';
        if (!wasReleased && /^\s*(`{3,}|~{3,})\s*$/.test(line)) {
          // A lone fence after raw code closes a block the prompt opened; what follows is prose.
          this.phase = 'after';
          return '';
        }
        return this.emitRest(unreleased, wasReleased, atEnd);
      case 'after':
        this.proseLines.push(line);
        return '';
    }
  }

  /** Skips a `<think>…</think>` block; text after its end on the same line goes on. */
  private afterThinking(line: string): string {
    const end = line.indexOf('</think>');
    if (end < 0) return '';
    this.phase = 'start';
    const rest = line.slice(end + '</think>'.length);
    if (rest.trim() === '') return '';
    this.line = rest;
    return this.completeLine();
  }

  private openFence(line: string): void {
    this.fence = /^\s*(`{3,}|~{3,})/.exec(line)![1];
    this.leadingBlanks = 0;
    this.decide('fenced');
  }

  private decide(phase: 'fenced' | 'raw'): void {
    if (this.phase === 'fenced' || this.phase === 'raw') return;
    this.phase = phase;
    this.decidedFenced = phase === 'fenced';
    if (phase === 'fenced') this.leadingBlanks = 0;
  }

  /** A whole line of code: the blank lines held before it, the line, and a break owed after it. */
  private emitLine(line: string, atEnd: boolean): string {
    return this.releaseLeadingBlanks() + this.emitRest(line, false, atEnd);
  }

  private releaseLeadingBlanks(): string {
    let out = '';
    for (; this.leadingBlanks > 0; this.leadingBlanks--) out += this.release('', true);
    return out;
  }

  private emitRest(rest: string, wasReleased: boolean, atEnd: boolean): string {
    if (!wasReleased) return this.release(rest, !atEnd);
    const out = rest ? this.release(rest, false) : '';
    this.released = 0;
    if (!atEnd) this.owedBreak = true;
    return out;
  }

  private release(text: string, lineEnds: boolean): string {
    let out = '';
    if (this.owedBreak && (text.length > 0 || lineEnds)) {
      out = '\n';
      this.owedBreak = false;
    }
    out += text;
    this.released += text.length;
    if (lineEnds) {
      this.owedBreak = true;
      this.released = 0;
    }
    return out;
  }
}

function isClosingFence(line: string, fence: string): boolean {
  const match = /^\s*(`{3,}|~{3,})\s*$/.exec(line);
  return !!match && match[1][0] === fence[0] && match[1].length >= fence.length;
}

const CODE_START = /^(\/\/|#|\/\*|\*|--|<!--|;|%|@|\$|>>>)/;
const CODE_MARKS = /[;{}=<>\[\]]|=>|\(\)|::/;
const KEYWORD_START = /^(import|export|from|def|class|function|const|let|var|return|if|else|elif|for|while|switch|case|public|private|protected|static|async|await|fn|pub|use|impl|struct|enum|package|func|type|interface|try|catch|throw|with|print)\b/;

/**
 * A sentence rather than code: starts with a capital letter, has at least three words, most of
 * them plain words, and none of the marks code is full of. Comments count as code.
 */
export function looksLikeProse(line: string): boolean {
  const text = line.trim();
  if (!text || CODE_START.test(text) || CODE_MARKS.test(text) || KEYWORD_START.test(text) || !/^[A-Z]/.test(text)) return false;
  const words = text.split(/\s+/);
  if (words.length < 3) return false;
  const plain = words.filter((word) => /^[(\[]?[A-Za-z][A-Za-z'’-]*[)\],.:;!?]*$/.test(word)).length;
  return plain / words.length >= 0.7;
}

/** Whether the start of a line may still turn out to be a sentence. */
function mayBeProse(start: string): boolean {
  return /^[A-Z]/.test(start) && !CODE_MARKS.test(start) && !KEYWORD_START.test(start) && !/^[A-Z][A-Z0-9_]+\b/.test(start);
}

/** The whitespace a line starts with. */
export function indentationOf(line: string): string {
  return /^[ \t]*/.exec(line)![0];
}

/**
 * Moves `line` from indentation `from` to `to`: a line starting with `from` has it replaced; a
 * line indented less (or differently) keeps its own whitespace, shifted when `to` is longer.
 */
export function reindentLine(line: string, from: string, to: string): string {
  if (from === to || line.trim() === '') return line;
  if (line.startsWith(from)) return to + line.slice(from.length);
  const own = indentationOf(line);
  return to.length > from.length ? to.slice(0, to.length - from.length) + line : line.slice(Math.min(own.length, from.length - to.length));
}
