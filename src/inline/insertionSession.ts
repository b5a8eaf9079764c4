// "Generate Code Here": the answer's code streams in at the cursor as one growing insertion, shown
// on the inserted colour, with one Accept/Reject for all of it. A block the model wrote in a fence
// is re-indented to the cursor's line; raw code (a fill-in-the-middle continuation) goes in as is.
// The inserted range follows the user's edits around it.
import * as vscode from 'vscode';
import { CodeFilter, indentationOf, reindentLine } from './codeFilter';
import type { InlineDecorations, SessionLook } from './decorations';
import { InlineSession, type LensHunk, type PlannedEdit } from './inlineSession';
import { endOfInserted, movePosition, placeAgainstRange, type Change, type Pos } from './positions';

export class InsertionSession extends InlineSession {
  private start: vscode.Position;
  private end: vscode.Position;
  private readonly filter: CodeFilter;
  /** Code in the document now (line breaks as "\n"). */
  private written = '';
  /**
   * Code that arrived after it, for the next edit: each edit sends only this, so a chunk costs its
   * own length, never the answer's so far.
   */
  private unwritten = '';
  /** The cursor line's text before the cursor, when it is only indentation. */
  private readonly indent: string | undefined;
  /** The answer's first-line indentation, once known (fenced answers only). */
  private modelIndent: string | undefined;
  /** Streamed code not yet re-indented: a line is re-indented once its indentation is known. */
  private raw = '';
  /** The document shows the original text again (during Accept/Reject). */
  private restored = false;

  constructor(document: vscode.TextDocument, at: vscode.Position, decorations: InlineDecorations, options: { detectProse: boolean }) {
    super(document, decorations);
    this.start = at;
    this.end = at;
    this.filter = new CodeFilter(options);
    const before = document.lineAt(at.line).text.slice(0, at.character);
    this.indent = before.trim() === '' ? before : undefined;
  }

  /** The inserted text's range now. */
  get range(): vscode.Range {
    return new vscode.Range(this.start, this.end);
  }

  firstLine(): number {
    return this.start.line;
  }

  lensHunks(): LensHunk[] {
    return this.state === 'review' && this.written.length > 0 ? [{ index: 0, line: this.start.line }] : [];
  }

  acceptHunk(): Promise<void> {
    return this.acceptAll();
  }

  rejectHunk(): Promise<void> {
    return this.rejectAll();
  }

  protected take(text: string): void {
    this.addCode(this.filter.push(text), false);
  }

  protected finishText(): void {
    const end = this.filter.end();
    this.addCode(end.code, true);
    this.prose = end.prose;
  }

  protected freezeStream(): void {
    this.finishText();
  }

  /** Adds filtered code, re-indenting a fenced block line by line to the cursor's indentation. */
  private addCode(code: string, atEnd: boolean): void {
    if (!this.filter.fenced || this.indent === undefined) {
      this.unwritten += code;
      return;
    }
    this.raw += code;
    while (this.raw.length > 0) {
      const at = this.raw.indexOf('\n');
      const piece = at < 0 ? this.raw : this.raw.slice(0, at);
      if (this.lineStarted) {
        // The rest of a line whose start is in already.
        this.unwritten += piece;
      } else {
        // A line's start waits until its indentation is known: a visible character, or its end.
        if (at < 0 && !/\S/.test(piece) && !atEnd) return;
        if (/\S/.test(piece)) this.modelIndent ??= indentationOf(piece);
        // The first line goes after the cursor's own indentation; the others get it in full.
        const first = this.written.length + this.unwritten.length === 0;
        this.unwritten += first ? piece.trimStart() : reindentLine(piece, this.modelIndent ?? '', this.indent);
      }
      if (at < 0) {
        this.lineStarted = true;
        this.raw = '';
        return;
      }
      this.unwritten += '\n';
      this.lineStarted = false;
      this.raw = this.raw.slice(at + 1);
    }
  }

  /** The current line's start is in `code` already. */
  private lineStarted = false;

  protected plan(): PlannedEdit | undefined {
    if (this.restored || this.unwritten === '') return undefined;
    const sent = this.unwritten;
    const addition = this.writer.eol === '\n' ? sent : sent.replace(/\n/g, this.writer.eol);
    const at = this.end;
    return {
      replacement: { range: new vscode.Range(at, at), text: addition },
      applied: () => {
        // Text that arrived while the edit was on its way stays for the next one.
        this.written += sent;
        this.unwritten = this.unwritten.slice(sent.length);
        this.end = toPosition(endOfInserted(at, addition));
        if (this.start.isAfter(this.end)) this.start = at;
      },
    };
  }

  protected userChange(change: Change): 'outside' | 'inside' {
    const where = placeAgainstRange(change, this.start, this.end);
    const empty = this.start.isEqual(this.end);
    if (where === 'before' || (empty && where === 'after' && sameSpot(change, this.start))) {
      this.start = toPosition(movePosition(this.start, change, 'right'));
      this.end = toPosition(movePosition(this.end, change, 'right'));
      return 'outside';
    }
    if (where === 'after') return 'outside';
    this.start = toPosition(movePosition(this.start, change, 'left'));
    this.end = toPosition(movePosition(this.end, change, 'right'));
    this.written = this.document.getText(this.range).replace(/\r\n/g, '\n');
    this.unwritten = '';
    return 'inside';
  }

  protected look(): SessionLook {
    const streaming = this.state === 'streaming';
    const frontier = streaming ? [new vscode.Range(this.end, this.end)] : [];
    if (this.start.isEqual(this.end)) return { added: [], removed: [], pending: [], frontier, frontierFollows: streaming };
    const lastLine = this.end.character === 0 && this.end.line > this.start.line ? this.end.line - 1 : this.end.line;
    const lines = new vscode.Range(this.start.line, 0, lastLine, 0);
    return { added: [lines], removed: [], pending: [], frontier, frontierFollows: streaming };
  }

  protected hunkCount(): number {
    return this.written.length > 0 ? 1 : 0;
  }

  protected restorePlan(): PlannedEdit | undefined {
    if (this.restored || this.start.isEqual(this.end)) {
      this.restored = true;
      return undefined;
    }
    return {
      replacement: { range: this.range, text: '' },
      applied: () => {
        this.restored = true;
        this.end = this.start;
      },
    };
  }

  protected changePlan(accepted: (hunk: number) => boolean): { edit?: PlannedEdit; accepted: number; rejected: number } {
    if (this.written.length === 0) return { accepted: 0, rejected: 0 };
    if (!accepted(0)) return { accepted: 0, rejected: 1 };
    const text = this.written.replace(/\n/g, this.writer.eol);
    const at = this.start;
    return {
      edit: {
        replacement: { range: new vscode.Range(at, at), text },
        applied: () => {
          this.end = toPosition(endOfInserted(at, text));
        },
      },
      accepted: 1,
      rejected: 0,
    };
  }
}

/** A pure insertion exactly at `position`. */
function sameSpot(change: Change, position: Pos): boolean {
  const { start, end } = change.range;
  return start.line === position.line && start.character === position.character && end.line === start.line && end.character === start.character;
}

function toPosition(pos: Pos): vscode.Position {
  return new vscode.Position(pos.line, pos.character);
}
